import type { EventBus } from '../ports/event-bus.port.js';

/**
 * Staff changes to accounts (create, edit, disable, delete, reset) announced to every node: each
 * node's pool caches the eligible accounts for a second, and a disabled account must stop
 * receiving calls at once, not when that cache lapses (see AccountPoolService.eligible).
 */
export const ACCOUNTS_ROOM = 'control:accounts';
export const ACCOUNTS_CHANGED = 'accounts.changed';

export async function announceAccountsChanged(events: EventBus | undefined, accountIds: string[]) {
  if (!events || accountIds.length === 0) return;
  await events.publish({ room: ACCOUNTS_ROOM, name: ACCOUNTS_CHANGED, payload: { accountIds } });
}
