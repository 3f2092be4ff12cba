import { readdirSync, readFileSync } from 'node:fs';

/**
 * What Linux's /proc says about a running process: how it was started (the real command line,
 * Node flags included) and how much memory it holds. The production-build test and the start-up
 * benchmark read other processes this way, so neither needs the process itself to cooperate.
 */

/** argv as the kernel has it: `node`, its flags, the entry script, the arguments. */
export function commandLine(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
}

/** Resident set size (VmRSS) in MiB; NaN once the process is gone. */
export function residentMegabytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** The direct children of `pid` (from every one of its threads). */
export function childPids(pid: number): number[] {
  const children = new Set<number>();
  try {
    for (const thread of readdirSync(`/proc/${pid}/task`)) {
      const listed = readFileSync(`/proc/${pid}/task/${thread}/children`, 'utf8').trim();
      for (const child of listed.split(/\s+/).filter(Boolean)) children.add(Number(child));
    }
  } catch {
    // gone, or exiting: no children to report
  }
  return [...children];
}

/** Whether `pid` still exists (a zombie counts as gone: it runs nothing and holds no memory). */
export function isRunning(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}
