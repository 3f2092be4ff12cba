import type { EventBus } from '../ports/event-bus.port.js';

/**
 * Changes to who a caller is, announced to every node: each node remembers resolved bearer tokens
 * (and the bots' platform users) in memory, and a revoked token or a changed role must take effect
 * on every node as soon as the notice arrives, not when a cache lapses (see AccessTokenCache).
 */
export const IDENTITY_ROOM = 'control:identity';
export const IDENTITY_CHANGED = 'identity.changed';

export interface IdentityChange {
  /** sha256 hex of revoked tokens. */
  tokenHashes?: string[];
  /** Users whose role, name or standing changed: every token and platform identity of theirs. */
  userIds?: string[];
}

export async function announceIdentityChanged(events: EventBus | undefined, change: IdentityChange) {
  if (!events || (!change.tokenHashes?.length && !change.userIds?.length)) return;
  await events.publish({ room: IDENTITY_ROOM, name: IDENTITY_CHANGED, payload: change });
}
