import { AppError, ForbiddenError } from '../errors.js';
import { isStaff, type Actor } from '../identity/actor.js';
import type { Clock } from '../ports/clock.port.js';
import type { IdGenerator } from '../shared/ids.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { EventBus } from '../ports/event-bus.port.js';
import { announceIdentityChanged } from '../identity/identity-changes.js';
import type { UnitOfWork } from '../shared/unit-of-work.js';
import type { MemberPlanRepository } from './member-plan.repository.js';

export const MEMBER_PLANS = ['free', 'pro'] as const;
export type MemberPlan = (typeof MEMBER_PLANS)[number];

/** A member's plan is their role: `pro` is Pro (private generations, more jobs in flight), `user` is free. */
const ROLE_OF_PLAN: Record<MemberPlan, 'user' | 'pro'> = { free: 'user', pro: 'pro' };
const PLAN_OF_ROLE: Record<string, MemberPlan | undefined> = { user: 'free', pro: 'pro' };

export interface PlanChangeView {
  id: string;
  user_id: string;
  old_plan: string;
  new_plan: string;
  changed_by: string;
  /** The staff member's username (or display name), null when the account is gone. */
  changed_by_name: string | null;
  created_at: string;
}

interface Deps {
  plans: MemberPlanRepository;
  unitOfWork: UnitOfWork;
  ids: IdGenerator;
  clock: Clock;
  /** Every change also goes to the one audit log of staff actions (the trace reads it there). */
  audit: AuditLog;
  /** A plan is a role: every node's cached callers of this member are dropped when it changes. */
  events?: EventBus;
}

/**
 * Staff set a member's plan (contract 000: private visibility is Pro-only). Every change is kept
 * in `member_plan_changes` (who, when, before, after), like model price changes. Staff and admin
 * accounts have no plan: their role is not a membership and is not changed here.
 */
export class MemberPlansService {
  constructor(private readonly deps: Deps) {}

  async setPlan(
    actor: Actor,
    userId: string,
    plan: MemberPlan,
  ): Promise<{ user_id: string; plan: MemberPlan }> {
    if (!isStaff(actor)) throw new ForbiddenError("Only staff can set a member's plan");
    const { plans } = this.deps;
    let changed = false;
    await this.deps.unitOfWork.run(async (transaction) => {
      const role = await plans.lockedRole(userId, transaction);
      if (role === null) throw new AppError('USER_NOT_FOUND', 'User not found', { status: 404 });
      const current = PLAN_OF_ROLE[role];
      if (!current)
        throw new AppError('PLAN_NOT_APPLICABLE', `A ${role} account has no member plan`, {
          status: 409,
        });
      if (current === plan) return;
      changed = true;
      const now = this.deps.clock.now();
      await plans.setRole(userId, ROLE_OF_PLAN[plan], now, transaction);
      await plans.addChange(
        {
          id: this.deps.ids.uuid(),
          user_id: userId,
          old_plan: current,
          new_plan: plan,
          changed_by: actor.id,
          created_at: now,
        },
        transaction,
      );
      await this.deps.audit.record(
        actor,
        'member_plan.set',
        { kind: 'user', id: userId },
        { plan: current },
        { plan },
        { transaction },
      );
    });
    if (changed) await announceIdentityChanged(this.deps.events, { userIds: [userId] });
    return { user_id: userId, plan };
  }

  /** Staff: the newest plan changes, optionally of one user. */
  async changes(actor: Actor, userId?: string, limit = 100): Promise<PlanChangeView[]> {
    if (!isStaff(actor)) throw new ForbiddenError('Only staff can read plan changes');
    const rows = await this.deps.plans.changes(userId, limit);
    const names = await this.deps.plans.userNames(rows.map((row) => row.changed_by));
    return rows.map((row) => ({
      id: row.id,
      user_id: row.user_id,
      old_plan: row.old_plan,
      new_plan: row.new_plan,
      changed_by: row.changed_by,
      changed_by_name: names.get(row.changed_by) ?? null,
      created_at: new Date(row.created_at).toISOString(),
    }));
  }
}
