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

const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system) spent by `pid`, by the children it has already reaped (a finished
 * bootstrap child, say) and by every descendant still running. Unlike wall-clock time it hardly
 * depends on what else the machine is doing. Assumes Linux's usual 100 clock ticks per second.
 */
export function treeCpuSeconds(pid: number): number {
  let ticks = 0;
  try {
    // Fields after the parenthesised command name: state is [0], utime [11], stime [12], cutime [13], cstime [14].
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0);
  } catch {
    return 0;
  }
  return (
    ticks / CLOCK_TICKS_PER_SECOND + childPids(pid).reduce((sum, child) => sum + treeCpuSeconds(child), 0)
  );
}
