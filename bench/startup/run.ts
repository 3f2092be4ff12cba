/**
 * `npm run bench:startup` — start-up time and idle memory of every Dreamloom process kind, run
 * from the TypeScript sources under tsx (`npm run dev`, and every process before issue 14) and as
 * compiled JavaScript under plain node (`npm start`), side by side in one run (not part of the
 * test suite).
 *
 * For each kind and mode, BENCH_ROUNDS times (the two modes alternate which goes first):
 *  - start-up: from spawn to ready — the launcher printing "Dreamloom is running" (its sandbox,
 *    database bootstrap child, server and worker all up), the sandbox's /__sandbox/health, the
 *    server's /api/v1/health, the worker's /ready on WORKER_HEALTH_PORT, the Telegram bot polling;
 *    and the CPU seconds (user + system) the process and its children spent until then, which
 *    depend far less than wall-clock time on whatever else the machine is doing;
 *  - idle RSS: VmRSS BENCH_IDLE_MS (5 s) after ready, nothing asked of the process meanwhile; for
 *    the launcher also the sum over the launcher and its children.
 * Everything runs on SQLite in a temporary folder (prepared once, so no run pays for migrations),
 * a Redis key prefix of its own, ephemeral ports; the bots talk to a long-polling Telegram stand-in
 * and the bots' fake Dreamloom server. Discord is left out: it needs Discord's gateway.
 *
 * Env: BENCH_ROUNDS (3), BENCH_IDLE_MS (5000), BENCH_BUILD (true: `tsc -b` first), REDIS_URL.
 * Writes bench/results/startup.json and bench/results/startup.md.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { deleteRedisPrefix } from '../../tests/support/redis-prefix.js';
import { startSandbox } from '@dreamloom/sandbox';
import { startFakeDreamloomServer } from '@dreamloom/bots/testing';
import { nodeArguments, repositoryRoot, type LaunchMode } from '../../scripts/launcher/process-entries.js';
import { childPids, residentMegabytes, treeCpuSeconds } from '../../tests/support/process-tree.js';
import { startLongPollingTelegram } from './long-polling-telegram.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 5000);
const READY_TIMEOUT_MS = 120_000;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** BENCH_BUILD=false measures the dist/ as it is (say, while sources are mid-edit). */
const BUILD = process.env.BENCH_BUILD !== 'false';
const KINDS = ['launcher', 'sandbox', 'server', 'worker', 'bots'] as const;
type Kind = (typeof KINDS)[number];
const MODES: LaunchMode[] = ['sources', 'compiled'];
const MODE_LABEL: Record<LaunchMode, string> = {
  sources: 'tsx (sources)',
  compiled: 'node (compiled)',
};

interface Sample {
  kind: Kind;
  mode: LaunchMode;
  round: number;
  readyMs: number;
  /** CPU (user + system) the process and its children spent until ready: barely load-dependent. */
  cpuToReadySeconds: number;
  idleRssMb: number;
  /** The launcher and every child it runs. */
  treeRssMb?: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const answers200 = async (url: string) => {
  try {
    return (await fetch(url)).status === 200;
  } catch {
    return false;
  }
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

const round1 = (value: number) => Math.round(value * 10) / 10;
const round2 = (value: number) => Math.round(value * 100) / 100;

/** Stops a process (and, for the launcher, what it started): SIGTERM, then SIGKILL after 15 s. */
async function stop(child: ChildProcess) {
  const descendants = childPids(child.pid!);
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
  for (const pid of descendants) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone, as it should be
    }
  }
}

async function main() {
  const started = new Date();
  const buildStarted = performance.now();
  if (BUILD) {
    console.log('[bench:startup] compiling (tsc -b scripts/launcher; incremental)');
    execFileSync(process.execPath, [path.join(repositoryRoot, 'node_modules/typescript/bin/tsc'), '-b'], {
      cwd: path.join(repositoryRoot, 'scripts/launcher'),
      stdio: 'inherit',
    });
  }
  const buildCheckMs = BUILD ? Math.round(performance.now() - buildStarted) : null;

  const dataDir = mkdtempSync(path.join(tmpdir(), 'dreamloom-bench-startup-'));
  const prefix = `dlbench-startup-${randomBytes(4).toString('hex')}`;
  const sandbox = await startSandbox({ port: 0, latencyMs: 0 });
  const telegram = await startLongPollingTelegram();
  const fakeDreamloom = await startFakeDreamloomServer({ botToken: 'bench-bot-token-0123456789' });
  const baseEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_OPTIONS: '',
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: `sqlite:${path.join(dataDir, 'dreamloom.sqlite')}`,
    DATA_DIR: path.join(dataDir, 'data'),
    REDIS_URL,
    REDIS_PREFIX: prefix,
    SECRET_KEY: randomBytes(32).toString('hex'),
    ADMIN_PASSWORD: 'bench-admin-password',
    JIMENG_BASE_URL: `${sandbox.url}/jimeng`,
    KIE_BASE_URL: `${sandbox.url}/kie`,
    GEMINI_BASE_URL: `${sandbox.url}/gemini`,
    LLM_BASE_URL: `${sandbox.url}/openai/v1`,
    ADMIN_DIST_DIR: path.join(repositoryRoot, 'admin/dist'),
  };

  // Migrations and the demo data once, so every measured start finds the database ready.
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, nodeArguments('bootstrap', 'compiled'), {
      cwd: dataDir,
      env: baseEnv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`bootstrap exited ${code}`))));
  });

  /** Starts `kind` in `mode`; returns the process and how to tell it is ready. */
  async function launch(kind: Kind, mode: LaunchMode) {
    const env = { ...baseEnv };
    let ready: (output: string) => Promise<boolean>;
    if (kind === 'launcher') {
      // The full `npm start`/`npm run dev` system, with a sandbox of its own on a free port.
      const [port, sandboxPort] = [await freePort(), await freePort()];
      const own = `http://127.0.0.1:${sandboxPort}`;
      Object.assign(env, {
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        SANDBOX_PORT: String(sandboxPort),
        JIMENG_BASE_URL: `${own}/jimeng`,
        KIE_BASE_URL: `${own}/kie`,
        GEMINI_BASE_URL: `${own}/gemini`,
        LLM_BASE_URL: `${own}/openai/v1`,
      });
      ready = async (output) => output.includes('Dreamloom is running');
    } else if (kind === 'sandbox') {
      const port = await freePort();
      env.SANDBOX_PORT = String(port);
      ready = () => answers200(`http://127.0.0.1:${port}/__sandbox/health`);
    } else if (kind === 'server') {
      const port = await freePort();
      Object.assign(env, { PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
      ready = () => answers200(`http://127.0.0.1:${port}/api/v1/health`);
    } else if (kind === 'worker') {
      const port = await freePort();
      env.WORKER_HEALTH_PORT = String(port);
      ready = () => answers200(`http://127.0.0.1:${port}/ready`);
    } else {
      Object.assign(env, {
        DREAMLOOM_API_URL: fakeDreamloom.url,
        BOT_API_TOKEN: fakeDreamloom.botToken,
        TELEGRAM_BOT_TOKEN: '123456:bench-token',
        TELEGRAM_API_ROOT: telegram.apiRoot,
      });
      ready = async (output) => output.includes('Telegram bot polling');
    }
    const child = spawn(process.execPath, nodeArguments(kind, mode), {
      cwd: dataDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    return { child, isReady: () => ready(output), output: () => output };
  }

  async function measure(kind: Kind, mode: LaunchMode, round: number): Promise<Sample> {
    const t0 = performance.now();
    const { child, isReady, output } = await launch(kind, mode);
    try {
      while (!(await isReady())) {
        if (child.exitCode !== null) throw new Error(`${kind} (${mode}) exited:\n${output().slice(-2000)}`);
        if (performance.now() - t0 > READY_TIMEOUT_MS)
          throw new Error(`${kind} (${mode}) not ready in ${READY_TIMEOUT_MS} ms:\n${output().slice(-2000)}`);
        await sleep(25);
      }
      const readyMs = performance.now() - t0;
      const cpuToReadySeconds = round2(treeCpuSeconds(child.pid!));
      await sleep(IDLE_MS);
      const idleRssMb = residentMegabytes(child.pid!);
      const treeRssMb =
        kind === 'launcher'
          ? childPids(child.pid!).reduce((sum, pid) => sum + residentMegabytes(pid), idleRssMb)
          : undefined;
      const sample = {
        kind,
        mode,
        round,
        readyMs: Math.round(readyMs),
        cpuToReadySeconds,
        idleRssMb: round1(idleRssMb),
      };
      console.log(
        `[bench:startup] round ${round} ${kind} ${MODE_LABEL[mode]}: ready ${sample.readyMs} ms ` +
          `(${cpuToReadySeconds} CPU s), ` +
          `idle RSS ${sample.idleRssMb} MB${treeRssMb ? ` (with children ${round1(treeRssMb)} MB)` : ''}`,
      );
      return treeRssMb === undefined ? sample : { ...sample, treeRssMb: round1(treeRssMb) };
    } finally {
      await stop(child);
    }
  }

  const samples: Sample[] = [];
  try {
    for (let round = 0; round < ROUNDS; round += 1)
      for (const kind of KINDS)
        for (const mode of round % 2 ? [...MODES].reverse() : MODES)
          samples.push(await measure(kind, mode, round));
  } finally {
    await sandbox.close();
    await telegram.close();
    await fakeDreamloom.close();
    await deleteRedisPrefix(REDIS_URL, prefix);
    rmSync(dataDir, { recursive: true, force: true });
  }

  const summary = KINDS.map((kind) => {
    const of = (mode: LaunchMode) => samples.filter((s) => s.kind === kind && s.mode === mode);
    const stats = (mode: LaunchMode) => {
      const runs = of(mode);
      const trees = runs.flatMap((s) => (s.treeRssMb === undefined ? [] : [s.treeRssMb]));
      return {
        runs: runs.length,
        readyMsMedian: Math.round(median(runs.map((s) => s.readyMs))),
        readyMsMin: Math.min(...runs.map((s) => s.readyMs)),
        readyMsMax: Math.max(...runs.map((s) => s.readyMs)),
        cpuToReadySecondsMedian: round2(median(runs.map((s) => s.cpuToReadySeconds))),
        idleRssMbMedian: round1(median(runs.map((s) => s.idleRssMb))),
        ...(trees.length ? { treeRssMbMedian: round1(median(trees)) } : {}),
      };
    };
    return { kind, sources: stats('sources'), compiled: stats('compiled') };
  });

  const machine = {
    cpus: cpus().length,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    loadAverage1mAtStart: round1(loadAverageAtStart),
    loadAverage1mAtEnd: round1(loadavg()[0]),
  };
  const result = {
    benchmark: 'process start-up time and idle RSS, tsx (sources) vs plain node (compiled)',
    date: started.toISOString(),
    machine,
    settings: { rounds: ROUNDS, idleMs: IDLE_MS, database: 'sqlite (prepared)', buildCheckMs },
    summary,
    samples,
  };
  const resultsDir = path.join(repositoryRoot, 'bench/results');
  writeFileSync(path.join(resultsDir, 'startup.json'), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(path.join(resultsDir, 'startup.md'), markdown(result));
  console.log(markdown(result));
}

const loadAverageAtStart = loadavg()[0];

type Summary = {
  kind: Kind;
  sources: Record<string, number>;
  compiled: Record<string, number>;
};

const READY_MEANS: Record<Kind, string> = {
  launcher: '"Dreamloom is running" (sandbox, bootstrap child, server, worker up)',
  sandbox: 'GET /__sandbox/health 200',
  server: 'GET /api/v1/health 200',
  worker: 'GET /ready 200 on WORKER_HEALTH_PORT',
  bots: '"Telegram bot polling"',
};

function markdown(result: {
  date: string;
  machine: {
    cpus: number;
    cpu: string;
    node: string;
    loadAverage1mAtStart: number;
    loadAverage1mAtEnd: number;
  };
  settings: { rounds: number; idleMs: number; buildCheckMs: number | null };
  summary: Summary[];
}): string {
  const { machine, settings } = result;
  const change = (before: number, after: number) => `${Math.round(((after - before) / before) * 100)}%`;
  const rows = result.summary.map((row) => {
    const { sources: s, compiled: c } = row;
    return (
      `| ${row.kind} | ${s.readyMsMedian} (${s.readyMsMin}–${s.readyMsMax}) | ${c.readyMsMedian} (${c.readyMsMin}–${c.readyMsMax}) | ` +
      `${change(s.readyMsMedian, c.readyMsMedian)} | ${s.cpuToReadySecondsMedian} | ${c.cpuToReadySecondsMedian} | ` +
      `${change(s.cpuToReadySecondsMedian, c.cpuToReadySecondsMedian)} | ` +
      `${s.idleRssMbMedian} | ${c.idleRssMbMedian} | ${change(s.idleRssMbMedian, c.idleRssMbMedian)} |`
    );
  });
  const launcher = result.summary.find((row) => row.kind === 'launcher')!;
  return [
    '# Start-up time and idle memory: tsx vs compiled',
    '',
    `Run ${result.date} on ${machine.cpus} × ${machine.cpu}, Node ${machine.node}; machine load average (1 min) ` +
      `${machine.loadAverage1mAtStart} at the start, ${machine.loadAverage1mAtEnd} at the end.`,
    `${settings.rounds} rounds; in each, every process kind is started from the TypeScript sources under tsx ` +
      '(`node --conditions=source --import tsx …/src/….ts`, as `npm run dev` and every process before issue 14) and ' +
      'as compiled JavaScript (`node …/dist/….js`, as `npm start`), alternating which goes first. ' +
      'CPU s to ready: user + system time of the process and its children (reaped ones included) until ready, ' +
      'the figure to compare on a busy machine. ' +
      `Idle RSS is VmRSS ${settings.idleMs / 1000} s after ready. SQLite database prepared beforehand; ` +
      (settings.buildCheckMs === null
        ? 'dist/ measured as built (BENCH_BUILD=false).'
        : `incremental build check before the run: ${settings.buildCheckMs} ms.`),
    '',
    '| process | ready ms, tsx: median (min–max) | ready ms, compiled | change | CPU s to ready, tsx | CPU s, compiled | change | idle RSS MB, tsx | idle RSS MB, compiled | change |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Launcher with everything it runs (sum of RSS over the process tree, median): tsx ${launcher.sources.treeRssMbMedian} MB, ` +
      `compiled ${launcher.compiled.treeRssMbMedian} MB.`,
    '',
    'Ready means: ' +
      KINDS.map((kind) => `${kind}: ${READY_MEANS[kind]}`).join('; ') +
      '. The bots run Telegram only (a long-polling Bot API stand-in and the bots’ fake Dreamloom server); ' +
      'Discord needs its real gateway.',
    '',
  ].join('\n');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
