import type { CreditsService } from '../credits/credits.service.js';
import { AppError } from '../errors.js';
import { hasRole, isStaff, type Actor } from '../identity/actor.js';
import type { Clock } from '../ports/clock.port.js';
import type { TransactionHandle } from '../shared/unit-of-work.js';
import type { AnimeTaskRepository } from './anime-task.repository.js';
import type { MemberPlanRepository } from './member-plan.repository.js';

/** The generation sources members start from contracts 000/001 (what the limits count). */
export const MEMBER_SOURCES = ['anime', 'anime-video'];

const DAY_MS = 24 * 60 * 60 * 1000;

export class TooManyJobsInFlightError extends AppError {
  constructor(inFlight: number, limit: number) {
    super(
      'TOO_MANY_JOBS_IN_FLIGHT',
      `You already have ${inFlight} generation${inFlight === 1 ? '' : 's'} running or queued (limit ${limit}); wait for one to finish or cancel one`,
      { status: 429, details: { in_flight: inFlight, limit } },
    );
  }
}

export class DailyQuotaExceededError extends AppError {
  constructor(used: number, quota: number) {
    super(
      'DAILY_QUOTA_EXCEEDED',
      `You have started ${used} generations in the last 24 hours (quota ${quota}); try again later`,
      { status: 429, details: { used, quota } },
    );
  }
}

/** What `/balance` shows next to the credits; `null` limits mean none applies to this member. */
export interface JobUsageView {
  running: number;
  queued: number;
  limit: number | null;
  daily_used: number;
  daily_quota: number | null;
}

/** Limits per role; 0 in configuration turns a limit off. Staff and admins are exempt. */
export interface JobLimitsOptions {
  /** Members (`user`): most generations pending or processing at once. Default 3. */
  maxInFlight: number;
  /** `pro` members: the same, usually higher. Default 6. */
  proMaxInFlight: number;
  /** Most generations started in any 24 hours (refunded ones not counted). Default 0 = none. */
  dailyQuota: number;
}

interface Deps {
  tasks: Pick<AnimeTaskRepository, 'count'>;
  /** A member's plan is their role: the limits of someone else's usage depend on it. */
  plans: Pick<MemberPlanRepository, 'role'>;
  credits: Pick<CreditsService, 'ensureAccountRow' | 'lockAccount'>;
  clock: Clock;
  options: JobLimitsOptions;
}

/**
 * Per-member limits on generations. The check runs inside the transaction that creates and
 * charges the task, after locking the member's credit account row: every create of the same
 * member waits for the previous one to commit, so the count it reads includes that task and 50
 * simultaneous requests cannot slip past the limit (on MariaDB the row lock orders them; on SQLite
 * the write lock does). Counting the tasks themselves, not a counter column, means a crashed
 * worker or a missed decrement can never leave a member locked out.
 */
export class JobLimitsService {
  constructor(private readonly deps: Deps) {}

  limitFor(actor: Actor): { inFlight: number | null; daily: number | null } {
    if (isStaff(actor)) return { inFlight: null, daily: null };
    const inFlight = hasRole(actor, 'pro') ? this.deps.options.proMaxInFlight : this.deps.options.maxInFlight;
    const daily = this.deps.options.dailyQuota;
    return { inFlight: inFlight > 0 ? inFlight : null, daily: daily > 0 ? daily : null };
  }

  /**
   * Makes sure the member's account row exists before the creating transaction locks it. Its own
   * statement: inserting inside the transaction would take a shared lock first and deadlock with
   * a concurrent request's exclusive one on MariaDB.
   */
  async prepare(actor: Actor): Promise<void> {
    const { inFlight, daily } = this.limitFor(actor);
    if (inFlight === null && daily === null) return;
    await this.deps.credits.ensureAccountRow(actor.id);
  }

  /** Throws a 429 when the actor may not start another generation now; call inside the creating transaction. */
  async check(actor: Actor, transaction: TransactionHandle): Promise<void> {
    const { inFlight, daily } = this.limitFor(actor);
    if (inFlight === null && daily === null) return;
    await this.deps.credits.lockAccount(actor.id, transaction);
    if (inFlight !== null) {
      const count = await this.countInFlight(actor.id, transaction);
      if (count >= inFlight) throw new TooManyJobsInFlightError(count, inFlight);
    }
    if (daily !== null) {
      const used = await this.countToday(actor.id, transaction);
      if (used >= daily) throw new DailyQuotaExceededError(used, daily);
    }
  }

  /** The member's running and queued generations and the limits that apply to them. */
  async usage(actor: Actor, userId = actor.id): Promise<JobUsageView> {
    const subject = userId === actor.id ? actor : await this.actorOf(userId);
    const { inFlight, daily } = this.limitFor(subject);
    const [running, queued, used] = await Promise.all([
      this.deps.tasks.count({ userId, sources: MEMBER_SOURCES, statuses: ['processing'] }),
      this.deps.tasks.count({ userId, sources: MEMBER_SOURCES, statuses: ['pending'] }),
      this.countToday(userId),
    ]);
    return { running, queued, limit: inFlight, daily_used: used, daily_quota: daily };
  }

  private async actorOf(userId: string): Promise<Actor> {
    const role = await this.deps.plans.role(userId);
    return { id: userId, role: (role ?? 'user') as Actor['role'], username: null, displayName: null };
  }

  private countInFlight(userId: string, transaction?: TransactionHandle): Promise<number> {
    return this.deps.tasks.count(
      { userId, sources: MEMBER_SOURCES, statuses: ['pending', 'processing'] },
      transaction,
    );
  }

  private countToday(userId: string, transaction?: TransactionHandle): Promise<number> {
    return this.deps.tasks.count(
      {
        userId,
        sources: MEMBER_SOURCES,
        createdSince: new Date(this.deps.clock.now().getTime() - DAY_MS),
        notStatuses: ['failed', 'cancelled'],
      },
      transaction,
    );
  }
}
