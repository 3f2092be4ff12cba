import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { treeCpuSeconds } from '../../tests/support/process-tree.js';

/**
 * CPU accounting for a phase of the cluster benchmark, read from /proc so no process has to
 * cooperate: CPU seconds per process (its tree, so tsx's esbuild helper counts too) and how busy
 * the whole machine was. Together they show whether the workers or the 2 cores were the bound.
 */

/** Jiffies the whole machine spent busy and in total, from the `cpu` line of /proc/stat. */
interface MachineTicks {
  busy: number;
  total: number;
}

function machineTicks(): MachineTicks {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  const values = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = values.reduce((sum, value) => sum + value, 0);
  const idle = values[3] + values[4];
  return { busy: total - idle, total };
}

/**
 * Seconds the process's main thread (the event loop) was ready to run but waited for a core
 * (second field of /proc/<pid>/schedstat, nanoseconds). Time waiting here is time the machine,
 * not the process, was the limit.
 */
function runQueueWaitSeconds(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e9;
  } catch {
    return 0;
  }
}

export interface CpuSnapshot {
  at: number;
  perProcess: Record<string, number>;
  waiting: Record<string, number>;
  machine: MachineTicks;
  load1: number;
}

export function snapshotCpu(pids: Record<string, number>): CpuSnapshot {
  const perProcess: Record<string, number> = {};
  const waiting: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) {
    perProcess[name] = treeCpuSeconds(pid);
    waiting[name] = runQueueWaitSeconds(pid);
  }
  return {
    at: performance.now(),
    perProcess,
    waiting,
    machine: machineTicks(),
    load1: round(loadavg()[0], 2),
  };
}

export interface CpuReport {
  /** CPU seconds each process spent between the two snapshots. */
  cpuSeconds: Record<string, number>;
  /** The same as a share of one core over the wall time (1 = one core fully busy). */
  coresUsed: Record<string, number>;
  /** Share of the wall time each process's event loop was runnable yet waited for a core. */
  waitingForCore: Record<string, number>;
  /** How busy all the machine's cores were (0–1), whoever used them (other engineers' jobs too). */
  machineBusy: number;
  load1: { start: number; end: number };
}

export function cpuBetween(start: CpuSnapshot, end: CpuSnapshot): CpuReport {
  const wallSeconds = (end.at - start.at) / 1000;
  const cpuSeconds: Record<string, number> = {};
  const coresUsed: Record<string, number> = {};
  const waitingForCore: Record<string, number> = {};
  for (const name of Object.keys(start.perProcess)) {
    const spent = (end.perProcess[name] ?? 0) - start.perProcess[name];
    cpuSeconds[name] = round(spent, 2);
    coresUsed[name] = round(spent / wallSeconds, 2);
    waitingForCore[name] = round(((end.waiting[name] ?? 0) - start.waiting[name]) / wallSeconds, 2);
  }
  const ticks = end.machine.total - start.machine.total;
  return {
    cpuSeconds,
    coresUsed,
    waitingForCore,
    machineBusy: round(ticks ? (end.machine.busy - start.machine.busy) / ticks : 0, 3),
    load1: { start: start.load1, end: end.load1 },
  };
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
