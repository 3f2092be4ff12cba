import type { SystemOverviewStore, TaskCountRow } from './system-overview.port.js';
import { ForbiddenError } from '../errors.js';
import { isStaff, type Actor } from '../identity/actor.js';
import type { Clock } from '../ports/clock.port.js';
import type { JobQueue } from '../ports/job-queue.port.js';
import type { Logger } from '../shared/logger.js';
import {
  errorClassOf,
  familyOfSource,
  GENERATION_FAMILIES,
  type GenerationFamily,
} from './generation-families.js';
import { resolveOverviewWindow, type OverviewWindowQuery } from './overview-window.js';

interface Deps {
  /** The overview's aggregates (the Sequelize adapter system-overview.repository.ts). */
  repository: SystemOverviewStore;
  queue: JobQueue;
  /** The queues whose depth is shown (every job the workers run). */
  queueNames: readonly string[];
  clock: Clock;
  logger: Logger;
  /** Where days start when the caller names no zone. */
  defaultTimeZone: string;
}

export interface FamilyFigures {
  total: number;
  completed: number;
  /** Fan-outs (NanoBanana) where some outputs were stored and some failed. */
  partial: number;
  failed: number;
  cancelled: number;
  /** Waiting or running. */
  pending: number;
  /**
   * Done (partial included) of the tasks that are done or failed; cancelled ones are neither (a
   * choice, not an outcome: contract 003 §10.1 counts them apart too). Null when there are none.
   */
  success_rate: number | null;
  /** Tasks with a measured generation time (ended with outputs): what avg and p95 are of. */
  timed: number;
  /** Seconds with decimals (millisecond precision), start to end; null without timed tasks. */
  avg_seconds: number | null;
  /** Nearest-rank 95th percentile, seconds with decimals. */
  p95_seconds: number | null;
}

export interface SystemOverview {
  window: { from: string; to: string; time_zone: string; bucket: 'hour' | 'day' };
  families: Array<{ family: GenerationFamily } & FamilyFigures>;
  totals: FamilyFigures;
  /** Tasks created per bucket and family (chart), with the bucket's failed tasks. */
  series: Array<{ start: string; counts: Partial<Record<GenerationFamily, number>>; failed: number }>;
  /** Failed tasks (and partial fan-outs) by error class, busiest first. */
  errors: Array<{ class: string; count: number; by_family: Partial<Record<GenerationFamily, number>> }>;
  chat: {
    member_messages: number;
    replies: number;
    active_conversations: number;
    active_members: number;
    new_conversations: number;
  };
  /** Credits (MC) moved in the window: charged and refunded as positive amounts. */
  credits: {
    charged: number;
    refunded: number;
    granted: number;
    net_charged: number;
    charges: number;
    refunds: number;
    grants: number;
  };
  /** Jobs per queue now (not windowed); null counts when Redis did not answer. */
  queues: Array<{
    name: string;
    waiting: number | null;
    active: number | null;
    delayed: number | null;
    failed: number | null;
  }>;
  generated_at: string;
}

const P95 = 0.95;
/** Milliseconds → seconds with three decimals, as every time in the API. */
const seconds = (ms: number) => Math.round(ms) / 1000;

/**
 * Staff: the whole system over a window — every generation family's outcomes, average and p95
 * time; errors by class; story chat activity; credits charged and refunded; queue depth now.
 */
export class SystemOverviewService {
  constructor(private readonly deps: Deps) {}

  async overview(actor: Actor, query: OverviewWindowQuery): Promise<SystemOverview> {
    if (!isStaff(actor)) throw new ForbiddenError('Only staff can read the system overview');
    const now = this.deps.clock.now();
    const window = resolveOverviewWindow(query, now, this.deps.defaultTimeZone);
    const { from, to } = window;
    const repo = this.deps.repository;
    const [counts, buckets, errors, chat, ledger, queues] = await Promise.all([
      repo.taskCounts(from, to),
      repo.taskBuckets(from, to, window.bucketStarts),
      repo.taskErrors(from, to),
      repo.chatActivity(from, to),
      repo.ledger(from, to),
      this.queueDepths(),
    ]);

    const bySource = new Map<string, TaskCountRow[]>();
    for (const row of counts) bySource.set(row.source, [...(bySource.get(row.source) ?? []), row]);
    const known = GENERATION_FAMILIES.map(({ family, source }) => ({ family, sources: [source] }));
    const others = [...bySource.keys()].filter((source) => familyOfSource(source) === 'other');
    const groups: Array<{ family: GenerationFamily; sources: string[] }> = others.length
      ? [...known, { family: 'other', sources: others }]
      : known;
    const families = await Promise.all(
      groups.map(async ({ family, sources }) => ({
        family,
        ...(await this.figures(
          sources.flatMap((source) => bySource.get(source) ?? []),
          (rank) => this.rankAcross(from, to, sources, rank),
        )),
      })),
    );
    const totals = await this.figures(counts, (rank) =>
      this.rankAcross(from, to, [...bySource.keys()], rank),
    );

    const series = window.bucketStarts.map((start) => ({
      start: start.toISOString(),
      counts: {} as Partial<Record<GenerationFamily, number>>,
      failed: 0,
    }));
    for (const row of buckets) {
      const point = series[row.bucket];
      if (!point) continue;
      const family = familyOfSource(row.source);
      point.counts[family] = (point.counts[family] ?? 0) + row.count;
      if (row.status === 'failed') point.failed += row.count;
    }

    const classes = new Map<
      string,
      { count: number; by_family: Partial<Record<GenerationFamily, number>> }
    >();
    for (const row of errors) {
      const name = errorClassOf(row.errorCode);
      const entry = classes.get(name) ?? { count: 0, by_family: {} };
      const family = familyOfSource(row.source);
      entry.count += row.count;
      entry.by_family[family] = (entry.by_family[family] ?? 0) + row.count;
      classes.set(name, entry);
    }

    const ledgerOf = (kind: string) => ledger.find((row) => row.kind === kind) ?? { amount: 0, entries: 0 };
    const charged = -ledgerOf('charge').amount;
    const refunded = ledgerOf('refund').amount;
    return {
      window: {
        from: from.toISOString(),
        to: to.toISOString(),
        time_zone: window.timeZone,
        bucket: window.bucket,
      },
      families,
      totals,
      series,
      errors: [...classes.entries()]
        .map(([name, entry]) => ({ class: name, ...entry }))
        .sort((a, b) => b.count - a.count || a.class.localeCompare(b.class)),
      chat: {
        member_messages: chat.memberMessages,
        replies: chat.replies,
        active_conversations: chat.activeConversations,
        active_members: chat.activeMembers,
        new_conversations: chat.newConversations,
      },
      credits: {
        charged,
        refunded,
        granted: ledgerOf('grant').amount,
        net_charged: charged - refunded,
        charges: ledgerOf('charge').entries,
        refunds: ledgerOf('refund').entries,
        grants: ledgerOf('grant').entries,
      },
      queues,
      generated_at: now.toISOString(),
    };
  }

  /** Outcome counts, average and p95 of one family's (or all families') rows. */
  private async figures(
    rows: TaskCountRow[],
    elapsedAtRank: (rank: number) => Promise<number | null>,
  ): Promise<FamilyFigures> {
    const of = (...statuses: string[]) =>
      rows.filter((row) => statuses.includes(row.status)).reduce((sum, row) => sum + row.count, 0);
    const total = rows.reduce((sum, row) => sum + row.count, 0);
    const completed = of('completed');
    const partial = of('partial');
    const failed = of('failed');
    const cancelled = of('cancelled');
    const ended = completed + partial + failed + cancelled;
    const decided = completed + partial + failed;
    const timed = rows.reduce((sum, row) => sum + row.timed, 0);
    const elapsed = rows.reduce((sum, row) => sum + row.elapsedMsSum, 0);
    // Nearest rank: the smallest time at or above which 95 % of the timed tasks lie.
    const p95 = timed ? await elapsedAtRank(Math.ceil(P95 * timed)) : null;
    return {
      total,
      completed,
      partial,
      failed,
      cancelled,
      pending: total - ended,
      success_rate: decided ? Math.round(((completed + partial) / decided) * 1000) / 1000 : null,
      timed,
      avg_seconds: timed ? seconds(elapsed / timed) : null,
      p95_seconds: p95 === null ? null : seconds(p95),
    };
  }

  private rankAcross(from: Date, to: Date, sources: string[], rank: number) {
    return this.deps.repository.elapsedAtRank(from, to, sources, rank);
  }

  private queueDepths(): Promise<SystemOverview['queues']> {
    return Promise.all(
      this.deps.queueNames.map(async (name) => {
        try {
          return { name, ...(await this.deps.queue.counts(name)) };
        } catch (error) {
          // The overview still answers with the database's figures when Redis does not.
          this.deps.logger.warn({ err: error, queue: name }, 'queue depth unavailable');
          return { name, waiting: null, active: null, delayed: null, failed: null };
        }
      }),
    );
  }
}
