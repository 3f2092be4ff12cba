/**
 * `npm start`: the whole system on one machine. Prepares the database (migrations, first admin,
 * demo data) once, then runs the sandbox (when no real provider is configured), the server, the
 * worker and the bots (when their tokens are set) as child processes, restarting none: if one
 * exits, everything stops so the failure is visible.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ConfigError, loadConfig } from '@dreamloom/core';
import { bootstrap } from '@dreamloom/server';

const SANDBOX_JIMENG_URL = 'http://127.0.0.1:4010/jimeng';

async function main() {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig();
  const children: ChildProcess[] = [];
  const run = (name: string, entry: string, env: Record<string, string> = {}) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', entry], {
      stdio: 'inherit',
      env: { ...process.env, ...env },
    });
    child.on('exit', (code, signal) => {
      if (stopping) return;
      console.error(`[start] ${name} exited (${signal ?? code}); stopping everything`);
      void stop(1);
    });
    children.push(child);
  };
  let stopping = false;
  const stop = async (code: number) => {
    stopping = true;
    for (const child of children) child.kill('SIGTERM');
    setTimeout(() => process.exit(code), 3000).unref();
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));

  if (config.JIMENG_BASE_URL === SANDBOX_JIMENG_URL) {
    run('sandbox', 'sandbox/src/main.ts');
    await waitFor('http://127.0.0.1:4010/__sandbox/health');
  }

  // One process prepares the database so the server and worker never race on migrations.
  const { core, admin, demo } = await bootstrap(config, { seedDemo: true });
  await core.close();

  run('server', 'server/src/main.ts');
  run('worker', 'server/src/worker-main.ts');
  if (config.BOT_API_TOKEN && (process.env.DISCORD_TOKEN || process.env.TELEGRAM_BOT_TOKEN))
    run('bots', 'bots/src/main.ts');

  await waitFor(`http://127.0.0.1:${config.PORT}/api/v1/health`);
  const lines = [
    '',
    '  Dreamloom is running',
    `  Admin:    ${config.PUBLIC_URL}/admin/`,
    `  API docs: ${config.PUBLIC_URL}/api/docs`,
    admin?.password
      ? `  Login:    ${admin.username} / ${admin.password}   (shown once; stored only as a hash)`
      : `  Login:    ${admin?.username ?? config.ADMIN_USERNAME} (password as set on first start or ADMIN_PASSWORD)`,
    demo?.demoUser ? `  Demo member: ${demo.demoUser.username} / ${demo.demoUser.password}` : '',
    '  Bots:     ' +
      (process.env.DISCORD_TOKEN || process.env.TELEGRAM_BOT_TOKEN
        ? 'started'
        : 'off (set DISCORD_TOKEN / TELEGRAM_BOT_TOKEN in .env)'),
    '',
  ];
  console.log(lines.filter((line) => line !== '').join('\n') + '\n');
}

async function waitFor(url: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
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
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
