import { seedStoryDemo } from './story-seed.js';
import type { Core } from '@dreamloom/core';

export interface DemoSeedResult {
  accountsCreated: number;
  demoUser: { username: string; password: string } | null;
}

/** Sandbox session ids: the sandbox accepts any token, and these names make the demo readable. */
const DEMO_ACCOUNTS = [
  {
    jimeng_account: 'demo-cn-1@dreamloom.local',
    jimeng_account_type: 0,
    session_id: 'sandbox-cn-session-0001-aaaaaaaaaaaa',
  },
  {
    jimeng_account: 'demo-cn-2@dreamloom.local',
    jimeng_account_type: 0,
    session_id: 'sandbox-cn-session-0002-bbbbbbbbbbbb',
  },
  {
    jimeng_account: 'demo-hk-1@dreamloom.local',
    jimeng_account_type: 1,
    session_id: 'hk-sandbox-session-0003-cccccccccccc',
  },
];

/**
 * Demo data for the embedded quickstart: a few sandbox Jimeng accounts owned by the first admin
 * and a demo member. Runs only on an empty pool, so restarting never duplicates it.
 */
export async function seedDemoData(
  core: Core,
  options: { demoPassword?: string } = {},
): Promise<DemoSeedResult> {
  const admin = await core.models.User.findOne({ where: { role: 'admin' }, order: [['created_at', 'ASC']] });
  if (!admin) throw new Error('seedDemoData needs the first admin; run identity.ensureAdmin first');
  const existing = await core.models.ProviderAccount.count({ where: { provider: 'jimeng' } });
  let accountsCreated = 0;
  if (existing === 0) {
    const actor = {
      id: admin.id,
      role: 'admin' as const,
      username: admin.username,
      displayName: admin.display_name,
    };
    accountsCreated = (await core.jimengAccounts.create(actor, DEMO_ACCOUNTS)).success_count;
  }
  let demoUser: DemoSeedResult['demoUser'] = null;
  if (!(await core.models.User.findOne({ where: { username: 'demo' } }))) {
    const password = options.demoPassword ?? 'demo-password';
    await core.identity.createPasswordUser({
      username: 'demo',
      password,
      role: 'user',
      displayName: 'Demo member',
    });
    demoUser = { username: 'demo', password };
  }
  // Contract 002: AI models on the sandbox, a cast and a published story.
  await seedStoryDemo(core, admin.id);
  return { accountsCreated, demoUser };
}
