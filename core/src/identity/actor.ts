/** Roles in increasing order of power. */
export const ROLES = ['user', 'pro', 'staff', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is acting: every use case takes it first and checks access before anything else. */
export interface Actor {
  id: string;
  role: Role;
  username: string | null;
  displayName: string | null;
}

export function hasRole(actor: Actor, minimum: Role): boolean {
  return ROLES.indexOf(actor.role) >= ROLES.indexOf(minimum);
}

export const isStaff = (actor: Actor) => hasRole(actor, 'staff');
export const isAdmin = (actor: Actor) => actor.role === 'admin';
