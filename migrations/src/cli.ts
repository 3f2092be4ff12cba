import { existsSync } from 'node:fs';
import { createSequelize, loadConfig, ConfigError } from '@dreamloom/core';
import { migrateDownAll, migrateUp } from './index.js';

/** `npm run migrate` (up) and `npm run migrate -- down` (revert all). */
async function main() {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig();
  const sequelize = createSequelize(config.DATABASE_URL);
  try {
    if (process.argv[2] === 'down') {
      await migrateDownAll(sequelize);
      console.log('All migrations reverted.');
    } else {
      const applied = await migrateUp(sequelize);
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
    }
  } finally {
    await sequelize.close();
  }
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
