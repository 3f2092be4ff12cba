import { existsSync } from 'node:fs';
import { ConfigError, loadConfig } from '@dreamloom/core';
import { bootstrap } from './bootstrap.js';
import { createServer } from './app.js';

/** The HTTP/socket.io server process. */
async function main() {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig();
  const { core, admin } = await bootstrap(config, { seedDemo: process.env.DREAMLOOM_SEED_DEMO === 'true' });
  if (admin?.created && admin.password) {
    // Printed exactly once, at creation; it is stored only as a hash.
    console.log(
      `\n  First admin created: ${admin.username} / ${admin.password}\n  (shown once; change it after logging in)\n`,
    );
  }
  const server = await createServer(core);
  const { url } = await server.listen();
  core.logger.info({ url, admin: `${config.PUBLIC_URL}/admin/` }, 'server listening');
  const shutdown = async () => {
    await server.close();
    await core.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
