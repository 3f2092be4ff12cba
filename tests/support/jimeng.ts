import type { RunningSystem } from './system.js';
import { api } from './clients.js';

export const TERMINAL_BATCH = ['completed', 'partial_failed', 'failed', 'cancelled'];

/** Polls §10.1 until the batch ends (or the timeout passes). */
export async function waitForBatch(
  system: RunningSystem,
  token: string,
  batchId: string,
  timeoutMs = 60_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await api(system.baseUrl, 'GET', `/api/v1/jimeng/batch/${batchId}/status`, { token });
    if (status.status !== 200) throw new Error(`status ${status.status}: ${JSON.stringify(status.body)}`);
    if (TERMINAL_BATCH.includes(status.body.data.status)) return status.body.data;
    if (Date.now() > deadline)
      throw new Error(
        `batch ${batchId} still ${status.body.data.status}: ${JSON.stringify(status.body.data).slice(0, 400)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export function storyboards(count: number, prefix = 'sb') {
  return Array.from({ length: count }, (_, index) => ({
    storyboard_id: `${prefix}-${String(index + 1).padStart(4, '0')}`,
    prompt: `Shot ${index + 1}: a lantern-lit alley in the rain, anime style`,
  }));
}

/** Creates a staff user and returns a token for them. */
export async function createStaff(system: RunningSystem, username: string): Promise<string> {
  await system.core.identity.createPasswordUser({ username, password: 'staff-password-1', role: 'staff' });
  const login = await api(system.baseUrl, 'POST', '/api/v1/staff/auth/login', {
    body: { username, password: 'staff-password-1' },
  });
  return login.body.data.token;
}

/** Adds sandbox accounts owned by `token`'s user; returns their ids in creation order. */
export async function addAccounts(
  system: RunningSystem,
  token: string,
  count: number,
  prefix: string,
  extra: Record<string, unknown> = {},
) {
  const accounts = Array.from({ length: count }, (_, index) => ({
    jimeng_account: `${prefix}-${index + 1}@studio.test`,
    jimeng_account_type: 0,
    session_id: `${prefix}-session-${String(index + 1).padStart(4, '0')}-xxxxxxxx`,
    ...extra,
  }));
  const created = await api(system.baseUrl, 'POST', '/api/v1/jimeng/accounts/create', {
    token,
    body: { accounts },
  });
  if (created.body.code !== 200) throw new Error(JSON.stringify(created.body));
  return accounts.map((account) => account.session_id);
}
