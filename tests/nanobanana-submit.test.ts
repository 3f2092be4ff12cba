import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANONYMOUS_WORKSPACE_USER_ID,
  createCore,
  loadConfig,
  type Core,
  type JobQueue,
} from '@dreamloom/core';
import { migrateUp } from '@dreamloom/migrations';

/** A queue that accepts `accept` jobs, then fails like a Redis that went away. */
function flakyQueue(accept: number): JobQueue & { accepted: string[] } {
  const accepted: string[] = [];
  const enqueue: JobQueue['enqueue'] = async (_name, _payload, options) => {
    if (accepted.length >= accept) throw new Error('Connection is closed.');
    accepted.push(options.jobId);
  };
  return {
    accepted,
    enqueue,
    async enqueueMany(name, jobs) {
      for (const job of jobs) await enqueue(name, job.payload, job.options);
    },
    cancelActive: () => false,
    handBackActive: () => 0,
    schedule: async () => undefined,
    counts: async () => ({ waiting: 0, active: 0, delayed: 0, failed: 0 }),
    state: async () => 'missing',
    waitingPosition: async () => null,
    remove: async () => false,
    process: async () => undefined,
    close: async () => undefined,
  };
}

/** Contract 004's partial submission: 200 with a smaller totalCount and an errorMessage. */
describe('NanoBanana partial submission (queue failing part-way)', () => {
  let dir: string;
  const cores: Core[] = [];
  const open = async (queue: JobQueue) => {
    const core = createCore(
      loadConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DATABASE_URL: `sqlite:${path.join(dir, 'submit.sqlite')}`,
        REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
        REDIS_PREFIX: `dltest-${randomBytes(4).toString('hex')}`,
        DATA_DIR: dir,
        SECRET_KEY: randomBytes(32).toString('hex'),
        NANOBANANA_TASK_CONCURRENCY: '4',
      }),
      { queue },
    );
    cores.push(core);
    await migrateUp(core.sequelize);
    return core;
  };

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dreamloom-submit-'));
  });
  afterAll(async () => {
    for (const core of cores) await core.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the positions that were queued and says why the rest were not', async () => {
    const queue = flakyQueue(2);
    const core = await open(queue);
    const task = await core.nanobanana.submit.createBatch(ANONYMOUS_WORKSPACE_USER_ID, {
      prompt: '部分提交',
      model: 'gemini-2.5-flash-image',
      count: 10,
      apiKey: 'AIzaSy-partial-submit',
    });
    expect(task.totalCount).toBe(2);
    expect(task.status).toBe('processing');
    expect(task.errorMessage).toContain('仅提交成功 2/10');
    expect(queue.accepted).toEqual([`${task.id}.0`, `${task.id}.1`]);
    const items = await core.nanobanana.models.TaskItem.findAll({
      where: { task_id: task.id },
      order: [['position', 'ASC']],
    });
    expect(items.map((item) => [item.position, item.status])).toEqual([
      [0, 'queued'],
      [1, 'queued'],
    ]);
  });

  it('answers 500 创建任务失败 and leaves nothing behind when nothing could be queued', async () => {
    const core = await open(flakyQueue(0));
    const before = await core.models.GenerationTask.count();
    const viewsBefore = await core.nanobanana.models.NanobananaTask.count();
    const credentialsBefore = await core.nanobanana.models.TaskCredential.count();
    await expect(
      core.nanobanana.submit.createBatch(ANONYMOUS_WORKSPACE_USER_ID, {
        prompt: '提交失败',
        model: 'gemini-2.5-flash-image',
        count: 3,
        apiKey: 'AIzaSy-nothing',
      }),
    ).rejects.toMatchObject({ status: 500, message: '创建任务失败，请稍后重试' });
    expect(await core.models.GenerationTask.count()).toBe(before);
    expect(await core.nanobanana.models.TaskCredential.count()).toBe(credentialsBefore);
    expect(await core.nanobanana.models.NanobananaTask.count()).toBe(viewsBefore);
    expect(await core.nanobanana.models.TaskItem.count({ where: { status: 'pending' } })).toBe(0);
  });
});
