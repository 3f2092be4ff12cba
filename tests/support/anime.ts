import type { RunningSystem } from './system.js';
import { api, botHeaders } from './clients.js';

/** A member acting through the bots' credential, with their user id (first contact provisions them). */
export async function member(system: RunningSystem, platformUserId: string) {
  const headers = botHeaders(system.botToken, 'discord', platformUserId);
  const view = await api(system.baseUrl, 'GET', '/api/generation/credits', { headers });
  if (view.status !== 200) throw new Error(`credits view failed: ${JSON.stringify(view.body)}`);
  return { headers, userId: view.body.data.user_id as string };
}

export async function grant(system: RunningSystem, userId: string, amount: number, key?: string) {
  return api(system.baseUrl, 'POST', '/api/generation/credits/grant', {
    token: system.admin.token,
    body: { user_id: userId, amount, ...(key ? { idempotency_key: key } : {}) },
  });
}

export async function balanceOf(system: RunningSystem, headers: Record<string, string>) {
  const view = await api(system.baseUrl, 'GET', '/api/generation/credits?limit=200', { headers });
  return view.body.data as {
    user_id: string;
    balance: number;
    ledger: Array<{ kind: string; amount: number; task_id: string | null; balance_after: number }>;
  };
}

export async function waitForEnd(
  system: RunningSystem,
  taskId: string,
  headers: Record<string, string>,
  timeoutMs = 20_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await api(system.baseUrl, 'GET', `/api/generation/status/${taskId}`, { headers });
    if (status.body.status === 'completed' || status.body.status === 'failed') return status.body;
    if (Date.now() > deadline) throw new Error(`task ${taskId} still ${status.body.status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
