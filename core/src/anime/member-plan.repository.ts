/**
 * Members' plans: a plan is the user's role (`users.role`), and each change staff make is kept in
 * `member_plan_changes`. Its Sequelize adapter is the file of the same name in the adapters folder.
 */
import type { TransactionHandle } from '../shared/unit-of-work.js';

export interface PlanChangeRecord {
  id: string;
  user_id: string;
  old_plan: string;
  new_plan: string;
  changed_by: string;
  created_at: Date;
}

export interface MemberPlanRepository {
  /** The user's role; null when there is no such user. */
  role(userId: string): Promise<string | null>;
  /** The user's role, their row locked for the rest of `transaction`; null when there is no such user. */
  lockedRole(userId: string, transaction: TransactionHandle): Promise<string | null>;
  setRole(userId: string, role: string, at: Date, transaction: TransactionHandle): Promise<void>;
  addChange(change: PlanChangeRecord, transaction: TransactionHandle): Promise<void>;
  /** The latest changes (of one user, or everyone's), newest first. */
  changes(userId: string | undefined, limit: number): Promise<PlanChangeRecord[]>;
  /** Each user's username, else display name (users with neither are left out). */
  userNames(userIds: string[]): Promise<Map<string, string>>;
}
