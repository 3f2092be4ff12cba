import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childPids, commandLine, isRunning, residentMegabytes } from './support/process-tree.js';
import { deleteRedisPrefix } from './support/redis-prefix.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LAUNCHER = path.join(REPO_ROOT, 'scripts/launcher/dist/start.js');

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

/** Resolves once `read()` says so, or fails after `timeoutMs` with what `describe()` tells. */
async function until(read: () => boolean | Promise<boolean>, timeoutMs: number, describe: () => string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await read())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const answers = async (url: string) => {
  try {
    return (await fetch(url)).status === 200;
  } catch {
    return false;
  }
};

/**
 * `npm start` as production runs it: the compiled launcher under plain `node` prepares the
 * database from migrations/dist in a short-lived child, then runs the compiled sandbox, server and
 * worker, none of them through tsx or the `source` export condition. The build is `tsc -b` of the
 * launcher's project (what `npm run build` does for the server side; a no-op when up to date).
 */
describe('the production build on plain node', () => {
  let launcher: ChildProcess;
  let output = '';
  let dataDir: string;
  let port: number;
  let workerPort: number;
  const prefix = `dlprod-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-b'], {
      cwd: path.join(REPO_ROOT, 'scripts/launcher'),
      stdio: 'inherit',
    });
    if (!existsSync(path.join(REPO_ROOT, 'admin/dist/index.html')))
      execFileSync('npm', ['run', '--silent', 'build', '-w', '@dreamloom/admin'], {
        cwd: REPO_ROOT,
        stdio: 'ignore',
      });

    dataDir = mkdtempSync(path.join(tmpdir(), 'dreamloom-production-'));
    [port, workerPort] = [await freePort(), await freePort()];
    const sandboxPort = await freePort();
    const sandbox = `http://127.0.0.1:${sandboxPort}`;
    // The launcher runs in an empty folder: nothing may depend on the repository being the cwd.
    launcher = spawn(process.execPath, [LAUNCHER], {
      cwd: dataDir,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        // Nothing may come in through the environment either (a loader, a condition).
        NODE_OPTIONS: '',
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        DATABASE_URL: `sqlite:${path.join(dataDir, 'dreamloom.sqlite')}`,
        DATA_DIR: path.join(dataDir, 'data'),
        REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
        REDIS_PREFIX: prefix,
        SECRET_KEY: randomBytes(32).toString('hex'),
        WORKER_HEALTH_PORT: String(workerPort),
        SANDBOX_PORT: String(sandboxPort),
        JIMENG_BASE_URL: `${sandbox}/jimeng`,
        KIE_BASE_URL: `${sandbox}/kie`,
        GEMINI_BASE_URL: `${sandbox}/gemini`,
        LLM_BASE_URL: `${sandbox}/openai/v1`,
        ADMIN_DIST_DIR: path.join(REPO_ROOT, 'admin/dist'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    launcher.stdout!.on('data', (chunk) => (output += chunk));
    launcher.stderr!.on('data', (chunk) => (output += chunk));
    await until(
      () => output.includes('Dreamloom is running') || launcher.exitCode !== null,
      // About 20 s on a busy 2-core machine; the launcher gives each step 60 s itself.
      90_000,
      () => output.slice(-3000),
    );
    if (launcher.exitCode !== null) throw new Error(`launcher exited:\n${output.slice(-3000)}`);
  }, 300_000);

  afterAll(async () => {
    if (launcher && launcher.exitCode === null) {
      const children = childPids(launcher.pid!);
      launcher.kill('SIGKILL');
      for (const pid of children) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    }
    await deleteRedisPrefix(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', prefix);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the launcher and every child as compiled JavaScript, without tsx', () => {
    expect(output).toContain('Dreamloom is running (compiled JavaScript)');
    const launcherArgs = commandLine(launcher.pid!);
    expect(launcherArgs.slice(1)).toEqual([LAUNCHER]);
    const children = childPids(launcher.pid!).map((pid) => ({ pid, args: commandLine(pid) }));
    // The database bootstrap child has come and gone; what stays is the long-lived three.
    expect(children.map((child) => child.args.slice(1)).sort()).toEqual(
      [
        [path.join(REPO_ROOT, 'sandbox/dist/main.js')],
        [path.join(REPO_ROOT, 'server/dist/main.js')],
        [path.join(REPO_ROOT, 'server/dist/worker-main.js')],
      ].sort(),
    );
    for (const { args } of [{ args: launcherArgs }, ...children]) {
      expect(args[0]).toBe(process.execPath);
      expect(args.join(' ')).not.toMatch(/tsx|--conditions|--import|--loader/);
    }
  });

  it('serves health, the API and the built admin from the compiled server', async () => {
    const health = await fetch(`http://127.0.0.1:${port}/api/v1/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', checks: { database: true, redis: true } });
    const admin = await fetch(`http://127.0.0.1:${port}/admin/`);
    expect(admin.status).toBe(200);
    expect(admin.headers.get('content-type')).toContain('text/html');
    expect(await admin.text()).toMatch(/<script[^>]+src="[^"]*\/assets\//);
    // The first admin was created by the bootstrap child (migrations from migrations/dist) and
    // its one-time password printed by the launcher.
    const login = /Login:\s+(\S+) \/ (\S+)/.exec(output);
    expect(login).not.toBeNull();
    const session = await fetch(`http://127.0.0.1:${port}/api/v1/staff/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: login![1], password: login![2] }),
    });
    expect(session.status).toBe(200);
    expect(((await session.json()) as { data: { token: string } }).data.token).toEqual(expect.any(String));
  });

  it('runs the compiled worker: started, and ready on WORKER_HEALTH_PORT', async () => {
    await until(
      () => output.includes('"msg":"worker started"'),
      20_000,
      () => output.slice(-2000),
    );
    await until(
      () => answers(`http://127.0.0.1:${workerPort}/ready`),
      20_000,
      () => 'worker /ready',
    );
  });

  it('keeps the launcher light (the bootstrap ran in a child) and stops everything on SIGTERM', async () => {
    const children = childPids(launcher.pid!);
    const server = children.find((pid) => commandLine(pid).at(-1)!.endsWith('server/dist/main.js'))!;
    // The launcher holds the configuration schema only; Sequelize and the core went with the child.
    expect(residentMegabytes(launcher.pid!)).toBeLessThan(residentMegabytes(server) / 2);

    const exited = new Promise<number | null>((resolve) => launcher.once('exit', (code) => resolve(code)));
    launcher.kill('SIGTERM');
    expect(await exited).toBe(0);
    await until(
      () => children.every((pid) => !isRunning(pid)),
      10_000,
      () => `still running: ${children.filter(isRunning).join(', ')}`,
    );
  });
});
