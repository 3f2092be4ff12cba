import { randomUUID } from 'node:crypto';
import type { RunningSystem } from './system.js';

/**
 * A known world for the staff overview, all inside one UTC day (OVERVIEW_DAY) that nothing else
 * in a test writes to: tasks of every generation family with exact start and end instants
 * (milliseconds), outcomes and error codes; story chat messages; credit ledger entries; and a task
 * and a charge just outside the day on either side, which must not be counted.
 */
export const OVERVIEW_DAY = { from: '2026-01-10T00:00:00.000Z', to: '2026-01-11T00:00:00.000Z' };
const at = (hour: number, ms = 0) => new Date(Date.parse(OVERVIEW_DAY.from) + hour * 3_600_000 + ms);

interface SeedTask {
  source: string;
  kind?: string;
  status: string;
  hour: number;
  /** Generation time in ms (start to end); with `noStart`, from creation to end. */
  elapsedMs?: number;
  noStart?: boolean;
  errorCode?: string;
  createdAt?: Date;
}

/** Jimeng: 20 completed at 1.000 s … 2.900 s (avg 1.95 s, p95 = 19th = 2.8 s), 2 rate limited, 1 cancelled, 1 pending. */
function jimengTasks(): SeedTask[] {
  const completed = Array.from({ length: 20 }, (_, i) => ({
    source: 'jimeng',
    status: 'completed',
    hour: 2,
    elapsedMs: 1000 + i * 100,
  }));
  return [
    ...completed,
    { source: 'jimeng', status: 'failed', hour: 2, errorCode: 'PROVIDER_RATE_LIMITED' },
    { source: 'jimeng', status: 'failed', hour: 3, errorCode: 'PROVIDER_RATE_LIMITED' },
    { source: 'jimeng', status: 'cancelled', hour: 3, errorCode: 'CANCELLED' },
    { source: 'jimeng', status: 'pending', hour: 3 },
  ];
}

const OTHER_TASKS: SeedTask[] = [
  { source: 'anime', status: 'completed', hour: 10, elapsedMs: 1234 },
  { source: 'anime', status: 'completed', hour: 10, elapsedMs: 2345 },
  { source: 'anime', status: 'completed', hour: 10, elapsedMs: 3456 },
  { source: 'anime', status: 'failed', hour: 10, errorCode: 'PROVIDER_CONTENT_BLOCKED' },
  { source: 'anime-video', kind: 'video', status: 'completed', hour: 11, elapsedMs: 61_000 },
  { source: 'anime-video', kind: 'video', status: 'completed', hour: 11, elapsedMs: 90_500 },
  { source: 'anime-video', kind: 'video', status: 'failed', hour: 11, errorCode: 'PROVIDER_TIMEOUT' },
  { source: 'nanobanana', status: 'completed', hour: 12, elapsedMs: 4500 },
  { source: 'nanobanana', status: 'partial', hour: 12, elapsedMs: 5500, errorCode: 'PARTIAL' },
  { source: 'nanobanana', status: 'failed', hour: 12, errorCode: 'GENERATION_FAILED' },
  // A story avatar that never recorded its start: timed from its creation, 0.8 s (not "0 s").
  { source: 'story', status: 'completed', hour: 13, elapsedMs: 800, noStart: true },
  // Outside the window: one just before, one at its (exclusive) end.
  { source: 'jimeng', status: 'completed', hour: 0, elapsedMs: 100_000, createdAt: at(0, -1) },
  { source: 'anime', status: 'failed', hour: 24, errorCode: 'PROVIDER_TIMEOUT', createdAt: at(24) },
];

/** What GET /api/v1/admin/overview must answer for OVERVIEW_DAY. */
export const OVERVIEW_EXPECTED = {
  families: {
    jimeng: {
      total: 24,
      completed: 20,
      partial: 0,
      failed: 2,
      cancelled: 1,
      pending: 1,
      timed: 20,
      // 20 of 20 done + 2 failed; the cancelled one is neither.
      success_rate: 0.909,
      avg_seconds: 1.95,
      p95_seconds: 2.8,
    },
    anime_image: {
      total: 4,
      completed: 3,
      failed: 1,
      pending: 0,
      timed: 3,
      avg_seconds: 2.345,
      p95_seconds: 3.456,
    },
    anime_video: { total: 3, completed: 2, failed: 1, timed: 2, avg_seconds: 75.75, p95_seconds: 90.5 },
    nanobanana: { total: 3, completed: 1, partial: 1, failed: 1, timed: 2, avg_seconds: 5, p95_seconds: 5.5 },
    story_image: { total: 1, completed: 1, timed: 1, avg_seconds: 0.8, p95_seconds: 0.8 },
  },
  // 28 timed tasks: (39000 + 7035 + 151500 + 10000 + 800) / 28 = 7440.54 ms; rank 27 of 28 is 61 s.
  totals: { total: 35, completed: 27, partial: 1, failed: 5, cancelled: 1, pending: 1, timed: 28 },
  totalsAvg: 7.441,
  totalsP95: 61,
  errors: [
    { class: 'rate_limited', count: 2, by_family: { jimeng: 2 } },
    { class: 'content_blocked', count: 1, by_family: { anime_image: 1 } },
    { class: 'generation_failed', count: 1, by_family: { nanobanana: 1 } },
    { class: 'partial', count: 1, by_family: { nanobanana: 1 } },
    { class: 'timeout', count: 1, by_family: { anime_video: 1 } },
  ],
  chat: {
    member_messages: 4,
    replies: 3,
    active_conversations: 2,
    active_members: 2,
    new_conversations: 1,
  },
  credits: {
    charged: 35,
    refunded: 10,
    granted: 100,
    net_charged: 25,
    charges: 2,
    refunds: 1,
    grants: 1,
  },
};

export async function seedOverviewWorld(system: RunningSystem): Promise<void> {
  const { models, story, anime } = system.core;
  const admin = await models.User.findOne({ where: { username: system.admin.username } });
  const userId = admin!.id;
  const tasks = [...jimengTasks(), ...OTHER_TASKS].map((task) => {
    const createdAt = task.createdAt ?? at(task.hour, 5 * 60_000);
    // Started a little after creation (queue wait), so a start that is missing shows.
    const startedAt =
      task.elapsedMs !== undefined && !task.noStart ? new Date(createdAt.getTime() + 750) : null;
    const finishedAt =
      task.elapsedMs !== undefined
        ? new Date((startedAt ?? createdAt).getTime() + task.elapsedMs)
        : task.status === 'pending'
          ? null
          : new Date(createdAt.getTime() + 500);
    return {
      id: randomUUID(),
      user_id: userId,
      source: task.source,
      kind: task.kind ?? 'image',
      provider: 'jimeng',
      model: 'seeded',
      prompt: 'overview seed',
      params: '{}',
      status: task.status,
      requested_count: 1,
      error_code: task.errorCode ?? null,
      started_at: startedAt,
      finished_at: finishedAt,
      created_at: createdAt,
      updated_at: finishedAt ?? createdAt,
    };
  });
  await models.GenerationTask.bulkCreate(tasks);

  const { Conversation, ChatMessage } = story.models;
  const fresh = randomUUID();
  const older = randomUUID();
  await Conversation.bulkCreate([
    conversation(fresh, userId, at(14)),
    conversation(older, userId, at(0, -86_400_000)),
  ]);
  const memberA = userId;
  const memberB = randomUUID();
  let sequence = 0;
  const message = (
    conversationId: string,
    role: string,
    hour: number,
    author: string | null,
    opening = false,
  ) => ({
    id: randomUUID(),
    conversation_id: conversationId,
    sequence: ++sequence,
    role,
    character_id: null,
    character_name: role === 'user' ? null : 'Narrator',
    author_user_id: author,
    author_name: author ? 'someone' : null,
    content: 'hello',
    is_opening: opening,
    swipes: null,
    created_at: at(hour),
  });
  await ChatMessage.bulkCreate([
    message(fresh, 'assistant', 14, null, true),
    message(fresh, 'user', 14, memberA),
    message(fresh, 'assistant', 14, null),
    message(fresh, 'user', 15, memberB),
    message(fresh, 'assistant', 15, null),
    message(fresh, 'user', 16, memberA),
    message(fresh, 'assistant', 16, null),
    message(older, 'user', 17, memberB),
    // Outside the window.
    message(older, 'user', 24, memberA),
  ]);

  const entry = (kind: string, amount: number, createdAt: Date) => ({
    id: randomUUID(),
    user_id: userId,
    kind,
    amount,
    balance_after: 0,
    idempotency_key: `overview-${randomUUID()}`,
    task_id: null,
    actor_id: null,
    note: 'overview seed',
    created_at: createdAt,
  });
  await anime.models.CreditLedger.bulkCreate([
    entry('grant', 100, at(1)),
    entry('charge', -10, at(10)),
    entry('charge', -25, at(11)),
    entry('refund', 10, at(11, 1000)),
    entry('charge', -999, at(24)),
  ]);
}

function conversation(id: string, userId: string, createdAt: Date) {
  return {
    id,
    story_id: randomUUID(),
    user_id: userId,
    status: 'active',
    summary: null,
    summary_upto: 0,
    created_at: createdAt,
    updated_at: createdAt,
  };
}
