/**
 * `npm run bench:pool` — issue 3's pool benchmark. 1000 image items over 20 accounts × 3
 * concurrent slots against the sandbox at a fixed latency, measured side by side in one run:
 *   - Dreamloom's pool, no faults: makespan vs the lower bound ceil(N / (A·C)) · latency;
 *   - Dreamloom's pool, 20% of accounts run out of points mid-run: makespan vs the
 *     remaining-capacity bound ceil((N − points of the exhausted accounts) / (healthy·C)) · latency;
 *   - the gateways' own strategy (a random token per request, no failover), both ways.
 * Writes bench/results/pool-<db>-<latency>ms.{json,md}; BENCH_ONLY=clean|faults runs one Dreamloom
 * run and only prints it (for profiling).
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '@dreamloom/sandbox';
import { startSystem, type RunningSystem } from '../../tests/support/system.js';
import { api } from '../../tests/support/clients.js';
import { startTimeline, type TimelineReport } from './pool-timeline.js';

const N = Number(process.env.BENCH_ITEMS ?? 1000);
const ACCOUNTS = 20;
const SLOTS = 3;
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 1500);
const EXHAUSTED = 4; // 20% of the accounts
const EXHAUSTED_POINTS = 10;
const HERE = path.dirname(fileURLToPath(import.meta.url));

interface RunResult {
  makespanMs: number;
  boundMs: number;
  ratio: number;
  completed: number;
  lost: number;
  submitMs?: number;
  providerCalls?: number;
  /** Mean generation calls the sandbox was holding over the run (slots: accounts × slots). */
  meanCallsInFlight?: number;
  /** Where the time went (diagnostics; not part of the ratio). */
  timeline?: TimelineReport;
  /** 1-minute load average when the run started and ended: the machine is shared, so read ratios with it. */
  load?: { start: number; end: number };
}

const load1 = () => Math.round(loadavg()[0] * 100) / 100;

function sessions(prefix: string) {
  return Array.from(
    { length: ACCOUNTS },
    (_, index) => `${prefix}-session-${String(index).padStart(3, '0')}-bench`,
  );
}

async function prepareSandboxAccounts(
  system: { sandbox: RunningSystem['sandbox'] },
  tokens: string[],
  faults: boolean,
) {
  // One small image per call: the sandbox shares this 2-core machine, and its PNG drawing is not what is measured.
  system.sandbox.state.updateSettings({ jimengImagesPerCall: 1, latencyMs: LATENCY_MS, imageScale: 0.05 });
  tokens.forEach((token, index) => {
    const exhausted = faults && index < EXHAUSTED;
    system.sandbox.state.setJimengToken(token, {
      points: exhausted ? EXHAUSTED_POINTS : 100_000,
      concurrencyLimit: SLOTS,
    });
  });
}

async function dreamloomRun(faults: boolean): Promise<RunResult> {
  const system = await startSystem({
    db: (process.env.BENCH_DB as 'sqlite' | 'mariadb') ?? 'sqlite',
    env: {
      WORKER_CONCURRENCY: String(ACCOUNTS * SLOTS * 4),
      BATCH_MAX_IMAGE_ITEMS: String(N),
      LOG_LEVEL: 'silent',
    },
  });
  try {
    await system.core.models.ProviderAccount.update({ is_deleted: true }, { where: {} });
    const tokens = sessions(faults ? 'faulty' : 'clean');
    const created = await api(system.baseUrl, 'POST', '/api/v1/jimeng/accounts/create', {
      token: system.admin.token,
      body: {
        accounts: tokens.map((session, index) => ({
          jimeng_account: `bench-${index}`,
          session_id: session,
          max_concurrent: SLOTS,
        })),
      },
    });
    if (created.body.code !== 200) throw new Error(JSON.stringify(created.body));
    await prepareSandboxAccounts(system, tokens, faults);
    system.sandbox.state.resetStats();
    const batch = Array.from({ length: N }, (_, index) => ({
      storyboard_id: `shot-${index}`,
      prompt: `bench shot ${index}`,
    }));
    const timeline = startTimeline(system.sandbox, LATENCY_MS, ACCOUNTS * SLOTS);
    const loadAtStart = load1();
    await timeline.begin();
    const started = performance.now();
    const submitted = await api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', {
      token: system.admin.token,
      body: { work_id: `bench-${faults ? 'faults' : 'clean'}`, batch_data: batch },
    });
    const submitMs = performance.now() - started;
    if (submitted.body.code !== 200) throw new Error(JSON.stringify(submitted.body).slice(0, 300));
    const batchId = submitted.body.data.batch_id;
    // Slot utilisation: how many generation calls the sandbox holds, sampled every 50 ms.
    const samples: number[] = [];
    const sampler = setInterval(() => {
      const inFlight = system.sandbox.state.stats().inFlight.jimeng ?? {};
      samples.push(Object.values(inFlight).reduce((sum, value) => sum + value, 0));
    }, 50);
    let summary: { batch_id: string; status: string; completed_count: number };
    for (;;) {
      summary = (
        await api(system.baseUrl, 'GET', `/api/v1/jimeng/batch/list?page=1&size=1`, {
          token: system.admin.token,
        })
      ).body.data.list[0];
      if (summary.batch_id === batchId && ['completed', 'partial_failed', 'failed'].includes(summary.status))
        break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const makespanMs = performance.now() - started;
    clearInterval(sampler);
    const report = await timeline.finish(N);
    const healthy = faults ? ACCOUNTS - EXHAUSTED : ACCOUNTS;
    const served = faults ? EXHAUSTED * EXHAUSTED_POINTS : 0;
    const boundMs = Math.ceil((N - served) / (healthy * SLOTS)) * LATENCY_MS;
    return {
      makespanMs: Math.round(makespanMs),
      boundMs,
      ratio: Math.round((makespanMs / boundMs) * 1000) / 1000,
      completed: summary.completed_count,
      lost: N - summary.completed_count,
      submitMs: Math.round(submitMs),
      providerCalls: system.sandbox.state.callCount('jimeng', undefined, 'images/generations'),
      meanCallsInFlight:
        Math.round((samples.reduce((sum, value) => sum + value, 0) / Math.max(1, samples.length)) * 10) / 10,
      timeline: report,
      load: { start: loadAtStart, end: load1() },
    };
  } finally {
    await system.stop();
  }
}

/** The gateways' strategy: every request picks a random token, no failover; a failed call is a lost item. */
async function gatewayBaseline(faults: boolean): Promise<RunResult> {
  const sandbox = await startSandbox({
    port: 0,
    latencyMs: LATENCY_MS,
    imageScale: 0.03,
    log: () => undefined,
  });
  try {
    const tokens = sessions(faults ? 'gw-faulty' : 'gw-clean');
    await prepareSandboxAccounts({ sandbox }, tokens, faults);
    let next = 0;
    let completed = 0;
    const started = performance.now();
    const client = async () => {
      while (next < N) {
        next += 1;
        const token = tokens[Math.floor(Math.random() * tokens.length)];
        const response = await fetch(`${sandbox.url}/jimeng/v1/images/generations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ model: 'jimeng-4.5', prompt: `bench shot ${next}` }),
        });
        const body = (await response.json()) as { code?: number };
        if (body.code === undefined) completed += 1;
      }
    };
    // As many clients as the pool has slots, like the pool's own concurrency.
    await Promise.all(Array.from({ length: ACCOUNTS * SLOTS }, client));
    const makespanMs = performance.now() - started;
    const boundMs = Math.ceil(N / (ACCOUNTS * SLOTS)) * LATENCY_MS;
    return {
      makespanMs: Math.round(makespanMs),
      boundMs,
      ratio: Math.round((makespanMs / boundMs) * 1000) / 1000,
      completed,
      lost: N - completed,
    };
  } finally {
    await sandbox.close();
  }
}

function timelineRow(name: string, result: RunResult): string {
  const t = result.timeline;
  if (!t) return `| ${name} | — |`;
  return `| ${name} | ${result.meanCallsInFlight} | ${t.firstCallMs} | ${t.allSlotsBusyMs} | ${t.slotGapMs.mean}/${t.slotGapMs.p95} | ${t.sandboxOverheadMs.mean}/${t.sandboxOverheadMs.p95} | ${t.ingestMs.mean}/${t.ingestMs.p95} | ${t.tailMs} | ${t.eventLoopUtilisation} | ${t.cpuPerItemMs} |`;
}

async function main() {
  // BENCH_ONLY=clean|faults: one Dreamloom run, printed and not written (for profiling changes).
  const only = process.env.BENCH_ONLY;
  if (only === 'clean' || only === 'faults') {
    console.log(JSON.stringify(await dreamloomRun(only === 'faults'), null, 2));
    return;
  }
  const results = {
    date: new Date().toISOString(),
    machine: { cores: (await import('node:os')).cpus().length, node: process.version },
    params: {
      items: N,
      accounts: ACCOUNTS,
      slotsPerAccount: SLOTS,
      latencyMs: LATENCY_MS,
      exhaustedAccounts: EXHAUSTED,
      exhaustedPoints: EXHAUSTED_POINTS,
      db: process.env.BENCH_DB ?? 'sqlite',
    },
    dreamloom: { clean: await dreamloomRun(false), faults: await dreamloomRun(true) },
    gatewayRandomToken: { clean: await gatewayBaseline(false), faults: await gatewayBaseline(true) },
  };
  const out = path.join(HERE, '../results');
  writeFileSync(
    path.join(out, `pool-${results.params.db}-${LATENCY_MS}ms.json`),
    JSON.stringify(results, null, 2) + '\n',
  );
  const row = (name: string, result: RunResult) =>
    `| ${name} | ${result.makespanMs} | ${result.boundMs} | ${result.ratio} | ${result.completed} | ${result.lost} | ${result.submitMs ?? '—'} | ${result.load ? `${result.load.start} → ${result.load.end}` : '—'} |`;
  const md = [
    '# Pool benchmark (`npm run bench:pool`)',
    '',
    `${N} image items, ${ACCOUNTS} accounts × ${SLOTS} concurrent, sandbox latency ${LATENCY_MS} ms, ${results.params.db}, ${results.machine.cores} cores, ${results.date}.`,
    `Faults: ${EXHAUSTED} accounts (20%) hold only ${EXHAUSTED_POINTS} points and run out mid-run. Bound without faults: ceil(N/(A·C))·latency;`,
    'with faults: ceil((N − points of the exhausted accounts)/(healthy accounts·C))·latency. All runs side by side in one process.',
    '',
    '| run | makespan ms | bound ms | ratio | completed | lost | submit ms | load (1 min) start → end |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    row('Dreamloom pool, no faults', results.dreamloom.clean),
    row('Dreamloom pool, 20% exhausted', results.dreamloom.faults),
    row('gateway random token, no faults', results.gatewayRandomToken.clean),
    row('gateway random token, 20% exhausted', results.gatewayRandomToken.faults),
    '',
    'Targets: ratio ≤ 1.05 without faults, ≤ 1.15 with faults, 0 lost, submit < 1000 ms.',
    '',
    '## Where the time goes (Dreamloom runs)',
    '',
    '| run | calls in flight (of 60) | first call ms | all slots busy ms | slot gap ms mean/p95 | sandbox overhead ms mean/p95 | ingest ms mean/p95 | tail ms | event loop | CPU ms/item |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    timelineRow('no faults', results.dreamloom.clean),
    timelineRow('20% exhausted', results.dreamloom.faults),
    '',
    'Slot gap: an upstream call ended on an account → the next call started on it. Sandbox overhead: the',
    'sandbox holding a call beyond the configured latency (validation, drawing and storing the PNG). Ingest:',
    'Dreamloom downloading, probing and storing one output. Tail: last upstream response → batch finished.',
    '',
  ].join('\n');
  writeFileSync(path.join(out, `pool-${results.params.db}-${LATENCY_MS}ms.md`), md);
  console.log(md);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
