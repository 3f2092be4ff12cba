/**
 * A member's plan is their role (contract 000): `user` is Free, `pro` is Pro. Staff and admin
 * accounts have no plan (the server answers 409 PLAN_NOT_APPLICABLE), so the page offers no switch.
 */
export const MEMBER_PLANS = ['free', 'pro'] as const;
export type MemberPlan = (typeof MEMBER_PLANS)[number];

const PLAN_OF_ROLE: Record<string, MemberPlan | undefined> = { user: 'free', pro: 'pro' };

/** The member's plan, or null for staff and admin accounts (and unknown roles). */
export const planOfRole = (role: string): MemberPlan | null => PLAN_OF_ROLE[role] ?? null;

/** The plan the switch moves a member to. */
export const otherPlan = (plan: MemberPlan): MemberPlan => (plan === 'pro' ? 'free' : 'pro');

/** Whether a stored plan value is one the admin has words for (older rows could hold others). */
export const isMemberPlan = (value: string): value is MemberPlan =>
  (MEMBER_PLANS as readonly string[]).includes(value);
