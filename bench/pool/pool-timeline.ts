/**
 * Where a pool run's time goes: upstream call start/end times seen by the sandbox, time spent
 * storing outputs in Dreamloom, event-loop use and process CPU. Diagnostics only — the benchmark's
 * makespan is still measured from submit to the batch reading finished.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { AccountPoolService, MediaService } from '@dreamloom/core';
// The bench runs on sources, so this is the same module the worker uses.
import { GenerationEngine } from '../../core/src/generation/engine/generation-engine.js';
import { Sequelize } from 'sequelize';
import type { Sandbox } from '@dreamloom/sandbox';

export interface TimelineReport {
  /** Submit started → first generation call reached the sandbox. */
  firstCallMs: number;
  /** Submit started → the worker began the first task (job taken from the queue). */
  firstJobMs: number;
  /** Submit started → the worker began the 60th task (job taken from the queue). */
  sixtiethJobMs: number;
  /** Submit started → the pool granted its 60th lease. */
  sixtiethLeaseMs: number;
  /** Submit started → the 60th call (every slot busy once). */
  allSlotsBusyMs: number;
  /** Sandbox time per call minus the configured latency: validation, drawing and storing the PNG. */
  sandboxOverheadMs: Distribution;
  /** A call ended on an account → the next call started on that account (slot reuse gap). */
  slotGapMs: Distribution;
  /** Last upstream response → batch read as finished. */
  tailMs: number;
  /** Dreamloom downloading, probing and storing one output (MediaService.ingestTaskOutput). */
  ingestMs: Distribution;
  /** Event-loop utilisation of the one process (sandbox, server and worker share it). */
  eventLoopUtilisation: number;
  /** SQL statements per item (server and worker), and the most frequent kinds. */
  queriesPerItem: number;
  topQueries: Array<[string, number]>;
  /** Process CPU (all threads, sharp's included) over the run, in ms, and per item. */
  cpuMs: number;
  cpuPerItemMs: number;
}

export interface Distribution {
  mean: number;
  p50: number;
  p95: number;
  max: number;
  count: number;
}

function distribution(values: number[]): Distribution {
  if (values.length === 0) return { mean: 0, p50: 0, p95: 0, max: 0, count: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    mean: round(sorted.reduce((sum, value) => sum + value, 0) / sorted.length),
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    max: round(sorted[sorted.length - 1]),
    count: sorted.length,
  };
}

interface CallEvent {
  at: number;
  token: string;
  kind: 'enter' | 'leave';
}

/** Records a run's timeline until `finish` is called; undoes its hooks on `finish`. */
export function startTimeline(sandbox: Sandbox, latencyMs: number, slotsInAll: number) {
  const events: CallEvent[] = [];
  const counters = sandbox.state.counters;
  const enter = counters.enter.bind(counters);
  const leave = counters.leave.bind(counters);
  counters.enter = (provider, credential) => {
    if (provider === 'jimeng') events.push({ at: performance.now(), token: credential ?? '', kind: 'enter' });
    return enter(provider, credential);
  };
  counters.leave = (provider, credential) => {
    if (provider === 'jimeng') events.push({ at: performance.now(), token: credential ?? '', kind: 'leave' });
    leave(provider, credential);
  };
  const jobStarts: number[] = [];
  const run = GenerationEngine.prototype.run;
  GenerationEngine.prototype.run = function (this: GenerationEngine, ...args) {
    jobStarts.push(performance.now());
    return run.apply(this, args);
  };
  const leases: number[] = [];
  const lease = AccountPoolService.prototype.lease;
  AccountPoolService.prototype.lease = async function (this: AccountPoolService, ...args) {
    const granted = await lease.apply(this, args);
    if (granted) leases.push(performance.now());
    return granted;
  };
  const ingest: number[] = [];
  const original = MediaService.prototype.ingestTaskOutput;
  MediaService.prototype.ingestTaskOutput = async function (this: MediaService, ...args) {
    const begun = performance.now();
    try {
      return await original.apply(this, args);
    } finally {
      ingest.push(performance.now() - begun);
    }
  };
  const queries = new Map<string, number>();
  const query = Sequelize.prototype.query;
  Sequelize.prototype.query = function (this: Sequelize, ...args: Parameters<Sequelize['query']>) {
    const sql = typeof args[0] === 'string' ? args[0] : (args[0] as { query: string }).query;
    // "SELECT … FROM `table`" → "SELECT table": the statement's kind and table, not its values.
    const kind = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? '?';
    const table = /(?:FROM|INTO|UPDATE)\s+[`"]?(\w+)/i.exec(sql)?.[1] ?? '';
    const key = `${kind} ${table}`.trim();
    queries.set(key, (queries.get(key) ?? 0) + 1);
    return query.apply(this, args) as ReturnType<Sequelize['query']>;
  } as Sequelize['query'];
  let elu: EventLoopUtilization | null = null;
  let cpu: NodeJS.CpuUsage | null = null;
  let started = 0;
  // BENCH_PROFILE=<file>: a CPU profile of the measured window only (not start-up or clean-up).
  const profileTo = process.env.BENCH_PROFILE;
  const session = profileTo ? new Session() : null;
  return {
    /** Call right before submitting. */
    async begin() {
      if (session) {
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.start');
      }
      queries.clear();
      elu = performance.eventLoopUtilization();
      cpu = process.cpuUsage();
      started = performance.now();
    },
    async finish(items: number): Promise<TimelineReport> {
      const ended = performance.now();
      const used = process.cpuUsage(cpu ?? undefined);
      const loop = performance.eventLoopUtilization(elu ?? undefined);
      if (session && profileTo) {
        const { profile } = await session.post('Profiler.stop');
        writeFileSync(profileTo, JSON.stringify(profile));
        session.disconnect();
      }
      counters.enter = enter;
      counters.leave = leave;
      MediaService.prototype.ingestTaskOutput = original;
      Sequelize.prototype.query = query;
      GenerationEngine.prototype.run = run;
      AccountPoolService.prototype.lease = lease;
      const enters = events.filter((event) => event.kind === 'enter');
      const leaves = events.filter((event) => event.kind === 'leave');
      // Each call's duration: pair enters and leaves per account in order (FIFO is close enough
      // for a fixed latency; every call on one account takes the same time).
      const durations: number[] = [];
      const gaps: number[] = [];
      const byToken = new Map<string, CallEvent[]>();
      for (const event of events) byToken.set(event.token, [...(byToken.get(event.token) ?? []), event]);
      for (const list of byToken.values()) {
        const open: number[] = [];
        const pendingLeaves: number[] = [];
        for (const event of list) {
          if (event.kind === 'enter') {
            open.push(event.at);
            const freed = pendingLeaves.shift();
            if (freed !== undefined) gaps.push(event.at - freed);
          } else {
            const begun = open.shift();
            if (begun !== undefined) durations.push(event.at - begun - latencyMs);
            pendingLeaves.push(event.at);
          }
        }
      }
      const lastLeave = leaves.length ? leaves[leaves.length - 1].at : ended;
      const cpuMs = (used.user + used.system) / 1000;
      return {
        firstCallMs: Math.round((enters[0]?.at ?? ended) - started),
        firstJobMs: Math.round((jobStarts[0] ?? ended) - started),
        sixtiethJobMs: Math.round((jobStarts[slotsInAll - 1] ?? ended) - started),
        sixtiethLeaseMs: Math.round((leases[slotsInAll - 1] ?? ended) - started),
        allSlotsBusyMs: Math.round((enters[slotsInAll - 1]?.at ?? ended) - started),
        sandboxOverheadMs: distribution(durations),
        slotGapMs: distribution(gaps),
        tailMs: Math.round(ended - lastLeave),
        ingestMs: distribution(ingest),
        eventLoopUtilisation: Math.round(loop.utilization * 1000) / 1000,
        queriesPerItem: Math.round(([...queries.values()].reduce((a, b) => a + b, 0) / items) * 10) / 10,
        topQueries: [...queries].sort((a, b) => b[1] - a[1]).slice(0, 12),
        cpuMs: Math.round(cpuMs),
        cpuPerItemMs: Math.round((cpuMs / items) * 10) / 10,
      };
    },
  };
}
