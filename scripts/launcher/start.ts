/**
 * `npm start` (compiled, scripts/launcher/dist/start.js) and `npm run dev` (these sources under tsx): the
 * whole system on one machine. Prepares the database (migrations, first admin, demo data) once in
 * a short-lived child, then runs the sandbox (when no real provider is configured), the server,
 * the worker and the bots (when their tokens are set) as child processes, restarting none: if one
 * exits, everything stops so the failure is visible.
 *
 * The launcher itself only supervises, so it loads nothing but the configuration schema: the
 * database work happens in bootstrap-database.ts, whose memory goes back when it exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ConfigError, loadConfig } from '@dreamloom/core/config';
import type { BootstrapReport } from './bootstrap-database.js';
import { launchMode, nodeArguments, type ProcessKind } from './process-entries.js';

const children: ChildProcess[] = [];
let stopping = false;

/** Stops every child (they drain on SIGTERM) and exits once they are gone, or after 3 s. */
function stop(code: number) {
  stopping = true;
  process.exitCode = code;
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 3000).unref();
}

async function main() {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig();
  const serverEntry = nodeArguments('server').at(-1)!;
  if (launchMode === 'compiled' && !existsSync(serverEntry))
    throw new Error(
      `${serverEntry} is missing: run \`npm run build\` first (or \`npm run dev\` from sources)`,
    );

  process.once('SIGINT', () => stop(0));
  process.once('SIGTERM', () => stop(0));
  const run = (kind: ProcessKind) => {
    const child = spawn(process.execPath, nodeArguments(kind), { stdio: 'inherit' });
    child.on('exit', (code, signal) => {
      if (stopping) return;
      console.error(`[start] ${kind} exited (${signal ?? code}); stopping everything`);
      stop(1);
    });
    children.push(child);
  };

  // The sandbox listens on SANDBOX_PORT (4010); it runs when the Jimeng gateway is configured there.
  const sandboxUrl = `http://127.0.0.1:${process.env.SANDBOX_PORT || 4010}`;
  if (config.JIMENG_BASE_URL === `${sandboxUrl}/jimeng`) {
    run('sandbox');
    await waitFor(`${sandboxUrl}/__sandbox/health`);
  }

  // One process prepares the database so the server and worker never race on migrations.
  const { admin, demo } = await bootstrapDatabase();

  run('server');
  run('worker');
  if (config.BOT_API_TOKEN && (process.env.DISCORD_TOKEN || process.env.TELEGRAM_BOT_TOKEN)) run('bots');

  await waitFor(`http://127.0.0.1:${config.PORT}/api/v1/health`);
  const lines = [
    '',
    `  Dreamloom is running (${launchMode === 'compiled' ? 'compiled JavaScript' : 'from TypeScript sources'})`,
    `  Admin:    ${config.PUBLIC_URL}/admin/`,
    `  API docs: ${config.PUBLIC_URL}/api/docs`,
    admin?.password
      ? `  Login:    ${admin.username} / ${admin.password}   (shown once; stored only as a hash)`
      : `  Login:    ${admin?.username ?? config.ADMIN_USERNAME} (password as set on first start or ADMIN_PASSWORD)`,
    demo ? `  Demo member: ${demo.username} / ${demo.password}` : '',
    '  Bots:     ' +
      (process.env.DISCORD_TOKEN || process.env.TELEGRAM_BOT_TOKEN
        ? 'started'
        : 'off (set DISCORD_TOKEN / TELEGRAM_BOT_TOKEN in .env)'),
    '',
  ];
  console.log(lines.filter((line) => line !== '').join('\n') + '\n');

  /** Runs bootstrap-database in a child and returns what it reports. */
  function bootstrapDatabase(): Promise<BootstrapReport> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, nodeArguments('bootstrap'), {
        stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      });
      children.push(child);
      let report: BootstrapReport | undefined;
      child.on('message', (message) => (report = message as BootstrapReport));
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        children.splice(children.indexOf(child), 1);
        if (report && code === 0) resolve(report);
        // The child has said why (a configuration or database error) on the shared stderr.
        else reject(new Error(`database bootstrap failed (${signal ?? code})`));
      });
    });
  }
}

async function waitFor(url: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) throw new Error(`stopped while waiting for ${url}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`${url} did not come up within ${timeoutMs} ms`);
}

main().catch((error) => {
  // Once stopping, the reason has been given (a signal, or a child that exited).
  if (!stopping) console.error(error instanceof ConfigError ? error.message : error);
  // Whatever already runs (the sandbox, say) goes down with the launcher, not left orphaned.
  stop(1);
});
