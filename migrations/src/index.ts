import { Umzug, SequelizeStorage } from 'umzug';
import type { Sequelize, QueryInterface } from 'sequelize';
import * as foundation from './migrations/0001-foundation.js';
import * as jimengBatches from './migrations/0002-jimeng-batches.js';
import * as nanobanana from './migrations/0003-nanobanana.js';
import * as story from './migrations/0004-story.js';
import * as animeCredits from './migrations/0005-anime-credits.js';
import * as nanobananaSearchPostings from './migrations/0007-nanobanana-search-postings.js';
import * as storyChatBindings from './migrations/0009-story-chat-bindings.js';
import * as animePricesAndCancels from './migrations/0010-anime-prices-and-cancels.js';
import * as storyAccess from './migrations/0011-story-access.js';
import * as jimengSessionLookup from './migrations/0012-jimeng-session-lookup-and-ms-times.js';
import * as memberPlanChanges from './migrations/0013-member-plan-changes.js';
import * as storyGeneratedIntro from './migrations/0014-story-generated-intro.js';
import * as auditLog from './migrations/0015-audit-log.js';
import * as overviewWindowIndexes from './migrations/0016-overview-window-indexes.js';

export { seedDemoData, type DemoSeedResult } from './demo-seed.js';

/**
 * Migrations are listed here in order rather than globbed from disk, so they work the same
 * from TypeScript sources (tests, tsx) and from the compiled `dist/`.
 */
const MIGRATIONS = [
  { name: '0001-foundation', ...foundation },
  { name: '0002-jimeng-batches', ...jimengBatches },
  { name: '0003-nanobanana', ...nanobanana },
  { name: '0004-story', ...story },
  { name: '0005-anime-credits', ...animeCredits },
  { name: '0007-nanobanana-search-postings', ...nanobananaSearchPostings },
  { name: '0009-story-chat-bindings', ...storyChatBindings },
  { name: '0010-anime-prices-and-cancels', ...animePricesAndCancels },
  { name: '0011-story-access', ...storyAccess },
  { name: '0012-jimeng-session-lookup-and-ms-times', ...jimengSessionLookup },
  { name: '0013-member-plan-changes', ...memberPlanChanges },
  { name: '0014-story-generated-intro', ...storyGeneratedIntro },
  { name: '0015-audit-log', ...auditLog },
  { name: '0016-overview-window-indexes', ...overviewWindowIndexes },
];

export function createMigrator(sequelize: Sequelize) {
  return new Umzug<QueryInterface>({
    migrations: MIGRATIONS.map(({ name, up, down }) => ({ name, up, down })),
    context: sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
    logger: undefined,
  });
}

/** Applies every pending migration; returns the names applied. */
export async function migrateUp(sequelize: Sequelize): Promise<string[]> {
  const applied = await createMigrator(sequelize).up();
  return applied.map((migration) => migration.name);
}

/** Reverts every migration (tests and `npm run migrate -- down`). */
export async function migrateDownAll(sequelize: Sequelize): Promise<void> {
  await createMigrator(sequelize).down({ to: 0 });
}
