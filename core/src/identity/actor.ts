/** Roles in increasing order of power. */
export const ROLES = ['user', 'pro', 'staff', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is acting: every use case takes it first and checks access before anything else. */
export interface Actor {
  id: string;
  role: Role;
  username: string | null;
  displayName: string | null;
  /**
   * Only for a bot acting for a platform user: the place (Discord thread, Telegram chat or topic)
   * the member acts in, as the bot reports it (`X-Platform-Channel`). The bot credential vouches
   * for it as it vouches for the member's id; a conversation bound to that place counts the member
   * as a participant (see story/access/conversation-access.ts).
   */
  place?: { platform: string; channel: string };
}

export function hasRole(actor: Actor, minimum: Role): boolean {
  return ROLES.indexOf(actor.role) >= ROLES.indexOf(minimum);
}

export const isStaff = (actor: Actor) => hasRole(actor, 'staff');
export const isAdmin = (actor: Actor) => actor.role === 'admin';
