import { describe, expect, it } from 'vitest';
import type { AccountPoolService } from '../../accounts/account-pool.service.js';
import { signKieCallback } from '../../anime/kie-signature.js';
import type { BlobStorage } from '../../ports/blob-storage.port.js';
import { ProviderError, type ImageProvider } from '../../ports/image-provider.port.js';
import { HAND_BACK_REASON, JobHandedBack } from '../../ports/job-hand-back.js';
import { SecretBox } from '../../shared/secret-box.js';
import { GENERATION_ITEM_JOB } from '../fan-out.types.js';
import { GENERATION_JOB, PROVIDER_POLL_JOB, TaskEvents } from '../generation.types.js';
import { GeminiImageStrategy } from '../strategies/gemini-image.strategy.js';
import { KieVideoStrategy } from '../strategies/kie-video.strategy.js';
import { NanobananaFanOutStrategy } from '../strategies/nanobanana-fan-out.strategy.js';
import { CONTROL_ROOM, TASK_CANCEL_EVENT } from './generation-engine.js';
import type { GenerationTaskRecord } from './repositories.js';
import { TaskFailure, type SyncStrategy } from './strategy.js';
import { InMemoryCredentials, inMemoryEngine } from './testing/in-memory-engine.js';

const storage = { get: async () => Buffer.from('89504e470d0a1a0a', 'hex') } as unknown as BlobStorage;
const never = new AbortController().signal;

/** A fallback that must not run: every task in these tests has its own strategy. */
const unused: SyncStrategy = {
  shape: 'sync',
  name: 'unused',
  handles: () => true,
  generate: async () => {
    throw new TaskFailure('PROVIDER_NOT_CONFIGURED', 'no fallback in this test');
  },
};

/** A Gemini stand-in: answers each call with the next of `answers` (an image, or an error to throw). */
function scriptedGemini(answers: Array<'image' | ProviderError | 'wait'>) {
  const calls: string[] = [];
  const provider: ImageProvider = {
    async generateImages(credential, _request, signal) {
      calls.push(credential);
      const answer = answers.shift() ?? 'image';
      if (answer === 'wait')
        return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
      if (answer instanceof ProviderError) throw answer;
      return [{ url: `https://gemini.test/${calls.length}.png` }];
    },
  };
  return { provider, calls };
}

function geminiEngine(answers: Array<'image' | ProviderError | 'wait'>) {
  const gemini = scriptedGemini(answers);
  const system = inMemoryEngine(unused);
  system.engine.use(
    new GeminiImageStrategy({
      gemini: gemini.provider,
      storage,
      clock: system.clock,
      apiKey: 'configured-key',
      maxAttempts: 2,
    }),
  );
  const finished: Array<Pick<GenerationTaskRecord, 'id' | 'status' | 'error_code'>> = [];
  // What anime's refund hook sees: every end, once per end.
  system.engine.onFinished(async (task) => {
    finished.push({ id: task.id, status: task.status, error_code: task.error_code });
  });
  const task = (id: string, count = 1) =>
    system.tasks.add({ id, provider: 'gemini', source: 'anime', requested_count: count });
  return { ...system, gemini, finished, task };
}

describe('GenerationEngine: a synchronous strategy (Gemini images)', () => {
  it('stores each output, completes once, and runs the finished hooks', async () => {
    const { engine, tasks, events, gemini, finished, task } = geminiEngine(['image', 'image']);
    task('t1', 2);
    await engine.run('t1', never);
    expect(gemini.calls).toEqual(['configured-key', 'configured-key']);
    expect(tasks.get('t1')).toMatchObject({ status: 'completed', progress: 100, completed_count: 2 });
    expect(tasks.get('t1').started_at).not.toBeNull();
    expect(tasks.get('t1').finished_at).not.toBeNull();
    expect(events.named(TaskEvents.progress, 't1').map((event) => event.payload)).toMatchObject([
      { progress: 10, message: 'Generating' },
      { progress: 50, message: 'Generating' },
    ]);
    const [completed] = events.named(TaskEvents.completed, 't1');
    expect(completed!.payload).toMatchObject({
      status: 'completed',
      outputs: [{ url: '/media/tasks/t1/0' }, { url: '/media/tasks/t1/1' }],
    });
    expect(finished).toEqual([{ id: 't1', status: 'completed', error_code: null }]);
  });

  it('keeps what a crashed run stored and makes only the missing outputs', async () => {
    const { engine, tasks, media, gemini, task } = geminiEngine([]);
    task('t1', 2);
    await media.ingestTaskOutput({ taskId: 't1', userId: 'user-1', position: 0, kind: 'image', ref: {} });
    await engine.run('t1', never);
    expect(gemini.calls).toHaveLength(1);
    expect(tasks.get('t1')).toMatchObject({ status: 'completed', completed_count: 2 });
  });

  it('retries a transient failure with the same key, then fails with its class when the tries run out', async () => {
    const busy = () => new ProviderError('rate_limited', '429 RESOURCE_EXHAUSTED');
    const { engine, tasks, events, gemini, finished, task } = geminiEngine([busy(), busy()]);
    task('t1');
    await engine.run('t1', never);
    expect(gemini.calls).toHaveLength(2);
    expect(tasks.get('t1')).toMatchObject({
      status: 'failed',
      error_code: 'PROVIDER_RATE_LIMITED',
      error_message: 'rate_limited: 429 RESOURCE_EXHAUSTED',
    });
    expect(events.named(TaskEvents.failed, 't1')[0]!.payload).toMatchObject({
      status: 'failed',
      error: { code: 'PROVIDER_RATE_LIMITED' },
    });
    // The refund hook hears the failure once.
    expect(finished).toEqual([{ id: 't1', status: 'failed', error_code: 'PROVIDER_RATE_LIMITED' }]);
  });

  it('fails at once on a refusal no retry can fix', async () => {
    const { engine, tasks, gemini, task } = geminiEngine([new ProviderError('content_blocked', 'SAFETY')]);
    task('t1');
    await engine.run('t1', never);
    expect(gemini.calls).toHaveLength(1);
    expect(tasks.get('t1')).toMatchObject({ status: 'failed', error_code: 'PROVIDER_CONTENT_BLOCKED' });
  });

  it('ends a cancelled run as cancelled, and gives a handed-back one back untouched', async () => {
    const cancelled = geminiEngine(['wait']);
    cancelled.task('t1');
    const cancel = new AbortController();
    const running = cancelled.engine.run('t1', cancel.signal);
    await new Promise((resolve) => setImmediate(resolve));
    cancel.abort(new Error('cancelled by the member'));
    await running;
    expect(cancelled.tasks.get('t1')).toMatchObject({ status: 'cancelled', error_code: 'CANCELLED' });
    expect(cancelled.finished).toEqual([{ id: 't1', status: 'cancelled', error_code: 'CANCELLED' }]);

    const stopping = geminiEngine(['wait']);
    stopping.task('t2');
    const handBack = new AbortController();
    const draining = stopping.engine.run('t2', handBack.signal);
    await new Promise((resolve) => setImmediate(resolve));
    handBack.abort(HAND_BACK_REASON);
    await expect(draining).rejects.toBeInstanceOf(JobHandedBack);
    expect(stopping.tasks.get('t2').status).toBe('processing');
    expect(stopping.finished).toEqual([]);
  });

  it('replays the finished hooks for a re-delivered job of an ended task, without calling the provider', async () => {
    const { engine, gemini, finished, task } = geminiEngine(['image']);
    task('t1');
    await engine.run('t1', never);
    await engine.run('t1', never);
    expect(gemini.calls).toHaveLength(1);
    expect(finished.map((each) => each.status)).toEqual(['completed', 'completed']);
  });

  it('cancels a task a guard refuses before any provider call', async () => {
    const { engine, tasks, gemini, task } = geminiEngine(['image']);
    engine.onBeforeRun(async (each) =>
      each.id === 't1' ? { code: 'SUPERSEDED', message: 'The storyboard was resubmitted' } : null,
    );
    task('t1');
    await engine.run('t1', never);
    expect(gemini.calls).toEqual([]);
    expect(tasks.get('t1')).toMatchObject({ status: 'cancelled', error_code: 'SUPERSEDED' });
  });

  it('cancel ends a queued task at once and tells every worker about a running one', async () => {
    const { engine, tasks, queue, events, finished, task } = geminiEngine([]);
    task('queued');
    task('running');
    task('ended');
    tasks.get('ended').status = 'completed';
    await queue.enqueue(GENERATION_JOB, { taskId: 'queued' }, { jobId: 'queued' });
    await queue.enqueue(GENERATION_JOB, { taskId: 'running' }, { jobId: 'running' });
    queue.activate(GENERATION_JOB, 'running');
    expect(await engine.cancel(['queued', 'running', 'ended'], 'Stop')).toEqual(['queued', 'running']);
    expect(tasks.get('queued')).toMatchObject({ status: 'cancelled', error_message: 'Stop' });
    expect(await queue.state(GENERATION_JOB, 'queued')).toBe('missing');
    expect(tasks.get('running').status).toBe('pending');
    expect(events.published.filter((event) => event.room === CONTROL_ROOM)).toEqual([
      { room: CONTROL_ROOM, name: TASK_CANCEL_EVENT, payload: { taskId: 'running' } },
    ]);
    expect(finished.map((each) => each.id)).toEqual(['queued']);
  });
});

function fanOutEngine(answers: Array<'image' | ProviderError>) {
  const gemini = scriptedGemini(answers);
  const system = inMemoryEngine(unused);
  const credentials = new InMemoryCredentials();
  const secrets = new SecretBox('unit-test-secret');
  const strategy = new NanobananaFanOutStrategy({
    providers: { gemini: gemini.provider },
    credentials,
    storage,
    secrets,
    pool: {} as AccountPoolService, // every task here brings its own key
    clock: system.clock,
    maxAttempts: 2,
    retryDelayMs: 1,
  });
  system.engine.use(strategy);
  const task = async (id: string, count: number, concurrency: number) => {
    const row = system.tasks.add({
      id,
      provider: 'gemini',
      source: 'nanobanana',
      requested_count: count,
      params: JSON.stringify({ ratio: '1:1', resolution: '1K', fanOut: { concurrency } }),
    });
    await strategy.storeCredential(id, 'callers-own-key');
    await system.engine.fanOut.createItems(id, count);
    return row;
  };
  /** Runs every queued position job once, in order (what the workers would do). */
  const drain = async (taskId: string) => {
    for (;;) {
      const job = system.queue.named(GENERATION_ITEM_JOB).find((each) => each.state === 'waiting');
      if (!job) return;
      job.state = 'completed';
      const payload = job.payload as { taskId: string; position: number };
      await system.engine.runItem(taskId, payload.position, never);
    }
  };
  return { ...system, gemini, credentials, task, drain };
}

describe('GenerationEngine: a fan-out strategy (NanoBanana positions)', () => {
  it('queues its window, each position hands its slot on, and the last one settles the task', async () => {
    const { engine, tasks, queue, events, gemini, credentials, task, drain } = fanOutEngine([]);
    const row = await task('t1', 3, 2);
    expect(await engine.fanOut.submit(row)).toEqual({ submitted: 3, error: null });
    expect(queue.named(GENERATION_ITEM_JOB).map((job) => job.options.jobId)).toEqual(['t1.0', 't1.1']);
    await drain('t1');
    expect(gemini.calls).toEqual(['callers-own-key', 'callers-own-key', 'callers-own-key']);
    expect(tasks.get('t1')).toMatchObject({ status: 'completed', completed_count: 3, progress: 100 });
    expect(events.named('task.output', 't1')).toHaveLength(3);
    expect(events.named(TaskEvents.completed, 't1').map((event) => event.payload)).toMatchObject([
      { status: 'completed', completedCount: 3, failedCount: 0, totalCount: 3, errorMessage: null },
    ]);
    // The caller's key is gone the moment the task ended.
    expect(credentials.rows.size).toBe(0);
  });

  it("fails the positions not started yet when the caller's own key is dead: partial, settled once", async () => {
    const dead = new ProviderError('session_expired', 'API key not valid', 400);
    const { engine, tasks, items, events, gemini, task, drain } = fanOutEngine(['image', dead]);
    await engine.fanOut.submit(await task('t1', 3, 1));
    await drain('t1');
    expect(gemini.calls).toHaveLength(2);
    expect(items.rows.map((item) => item.status)).toEqual(['done', 'failed', 'failed']);
    expect(tasks.get('t1')).toMatchObject({
      status: 'partial',
      error_code: 'PARTIAL',
      error_message: '2/3 张生成失败: API key rejected (HTTP 400)',
    });
    expect(events.named(TaskEvents.completed, 't1')).toHaveLength(1);
    // A late duplicate of a position's job changes nothing.
    await engine.runItem('t1', 1, never);
    expect(events.named(TaskEvents.completed, 't1')).toHaveLength(1);
  });

  it("the task's own job re-queues positions whose job the queue lost", async () => {
    const { engine, queue, task } = fanOutEngine([]);
    await engine.fanOut.submit(await task('t1', 2, 2));
    queue.jobs.clear(); // Redis lost its data
    await engine.run('t1', never);
    expect(queue.named(GENERATION_ITEM_JOB).map((job) => job.options.jobId)).toEqual(['t1.0', 't1.1']);
  });
});

const WEBHOOK_KEY = 'kie-webhook-key';

function kieEngine() {
  const system = inMemoryEngine(unused);
  const created: string[] = [];
  const records = new Map<string, { state: string; resultJson?: string; failMsg?: string }>();
  const client = {
    async createTask() {
      const id = `kie-${created.length + 1}`;
      created.push(id);
      records.set(id, { state: 'generating' });
      return id;
    },
    async recordInfo(_apiKey: string, taskId: string) {
      const { parseKieRecord } = await import('../../adapters/providers/kie/kie.client.js');
      return parseKieRecord({ taskId, ...records.get(taskId) });
    },
  };
  system.engine.use(
    new KieVideoStrategy({
      client,
      clock: system.clock,
      apiKey: 'kie-key',
      callbackUrl: 'https://dreamloom.test/api/generation/webhook?provider=kie',
      webhookKey: WEBHOOK_KEY,
      pollInitialMs: 3000,
      pollMaxMs: 30_000,
      pollTimeoutMs: 15 * 60_000,
    }),
  );
  const finished: string[] = [];
  system.engine.onFinished(async (task) => {
    finished.push(`${task.id}:${task.status}`);
  });
  const task = (id: string) =>
    system.tasks.add({
      id,
      kind: 'video',
      provider: 'kie',
      source: 'anime-video',
      model: 'wan/2.5',
      params: JSON.stringify({
        ratio: '16:9',
        resolution: '720p',
        request: {
          input_style: 'wan',
          duration_seconds: 5,
          aspect_ratio: '16:9',
          resolution: '720p',
          reference_image_urls: [],
        },
      }),
    });
  const callback = (upstreamId: string, data: Record<string, unknown>) => {
    const timestamp = String(Math.floor(system.clock.now().getTime() / 1000));
    return system.engine.callback(
      'kie',
      { code: 200, msg: 'ok', data: { taskId: upstreamId, ...data } },
      { timestamp, signature: signKieCallback(WEBHOOK_KEY, upstreamId, timestamp) },
    );
  };
  return { ...system, created, records, finished, task, callback };
}

describe('GenerationEngine: an asynchronous strategy (kie.ai videos)', () => {
  it('submits once, checks with backoff until kie ends it, then stores the result and completes', async () => {
    const { engine, tasks, queue, events, created, records, finished, task } = kieEngine();
    task('t1');
    await engine.run('t1', never);
    expect(created).toEqual(['kie-1']);
    expect(tasks.get('t1')).toMatchObject({ status: 'processing', attempts: 1, progress: 10 });
    expect(queue.named(PROVIDER_POLL_JOB).map((job) => [job.options.jobId, job.options.delayMs])).toEqual([
      ['t1:poll:0', 3000],
    ]);
    // A re-delivered job (reconciler, crash) does not create a second upstream task.
    await engine.run('t1', never);
    expect(created).toEqual(['kie-1']);

    await engine.poll('t1');
    expect(events.named(TaskEvents.progress, 't1').at(-1)!.payload).toMatchObject({
      progress: 25,
      message: 'kie: generating',
    });
    expect(queue.named(PROVIDER_POLL_JOB).map((job) => job.options.jobId)).toEqual([
      't1:poll:0',
      't1:poll:1',
    ]);

    records.set('kie-1', {
      state: 'success',
      resultJson: JSON.stringify({ resultUrls: ['https://kie.test/v.mp4'] }),
    });
    await engine.poll('t1');
    expect(tasks.get('t1')).toMatchObject({ status: 'completed', completed_count: 1 });
    expect(events.named(TaskEvents.completed, 't1')[0]!.payload).toMatchObject({
      outputs: [{ mime: 'video/mp4' }],
    });
    expect(finished).toEqual(['t1:completed']);
  });

  it('ends a failure reported by the callback and a check alike once (one refund)', async () => {
    const { engine, tasks, records, finished, task, callback } = kieEngine();
    task('t1');
    await engine.run('t1', never);
    records.set('kie-1', { state: 'fail', failMsg: 'content rejected' });
    expect(await callback('kie-1', { state: 'fail', failMsg: 'content rejected' })).toEqual({
      known: true,
      finished: true,
    });
    await engine.poll('t1');
    expect(await callback('kie-1', { state: 'fail', failMsg: 'again' })).toEqual({
      known: true,
      finished: false,
    });
    expect(tasks.get('t1')).toMatchObject({
      status: 'failed',
      error_code: 'PROVIDER_GENERATION_FAILED',
      error_message: 'content rejected',
    });
    expect(finished).toEqual(['t1:failed']);
    expect(await callback('no-such-task', { state: 'success' })).toEqual({ known: false, finished: false });
  });

  it('a cancel before the upstream task exists leaves a mark: the job never submits', async () => {
    const { engine, tasks, created, finished, task } = kieEngine();
    task('t1');
    expect(await engine.cancelUpstream('t1', 'Cancelled by the member')).toBe('pending');
    await engine.run('t1', never);
    expect(created).toEqual([]);
    expect(tasks.get('t1')).toMatchObject({ status: 'cancelled', error_message: 'Cancelled by the member' });
    expect(finished).toEqual(['t1:cancelled']);
  });

  it('a cancel while kie works abandons the upstream task: its late result changes nothing', async () => {
    const { engine, tasks, queue, providerJobs, finished, task, callback } = kieEngine();
    task('t1');
    await engine.run('t1', never);
    expect(await engine.cancelUpstream('t1', 'Cancelled by the member')).toBe('cancelled');
    expect(await engine.cancelUpstream('t1', 'again')).toBe('cancelled');
    expect(queue.named(PROVIDER_POLL_JOB)).toEqual([]);
    expect(providerJobs.rows.get('t1')).toMatchObject({ state: 'cancelled' });
    const late = await callback('kie-1', {
      state: 'success',
      resultJson: JSON.stringify({ resultUrls: ['https://kie.test/late.mp4'] }),
    });
    expect(late).toEqual({ known: true, finished: false });
    await engine.poll('t1');
    expect(tasks.get('t1')).toMatchObject({ status: 'cancelled', completed_count: 0 });
    expect(await tasks.countOutputs('t1')).toBe(0);
    expect(finished).toEqual(['t1:cancelled']);
  });

  it("the engine's own cancel of a running kie job abandons its upstream task too", async () => {
    const { engine, tasks, providerJobs, task } = kieEngine();
    task('t1');
    await engine.run('t1', never);
    expect(await engine.cancel(['t1'], 'Staff stop')).toEqual(['t1']);
    expect(tasks.get('t1')).toMatchObject({ status: 'cancelled', error_message: 'Staff stop' });
    expect(providerJobs.rows.get('t1')).toMatchObject({ state: 'cancelled', cancel_reason: 'Staff stop' });
  });

  it('gives up after the poll timeout and fails the task with PROVIDER_TIMEOUT', async () => {
    const { engine, tasks, task, advance } = kieEngine();
    task('t1');
    await engine.run('t1', never);
    advance(15 * 60_000);
    await engine.poll('t1');
    expect(tasks.get('t1')).toMatchObject({
      status: 'failed',
      error_code: 'PROVIDER_TIMEOUT',
      error_message: 'kie task did not finish within 900 s',
    });
  });

  it('fails with OUTPUT_DOWNLOAD_FAILED when the result cannot be fetched', async () => {
    const { engine, tasks, media, task, callback } = kieEngine();
    task('t1');
    await engine.run('t1', never);
    media.broken.add('https://kie.test/gone.mp4');
    await callback('kie-1', {
      state: 'success',
      resultJson: JSON.stringify({ resultUrls: ['https://kie.test/gone.mp4'] }),
    });
    expect(tasks.get('t1')).toMatchObject({ status: 'failed', error_code: 'OUTPUT_DOWNLOAD_FAILED' });
  });
});
