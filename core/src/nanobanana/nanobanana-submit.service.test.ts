import { describe, expect, it } from 'vitest';
import type { FanOutSubmission } from '../generation/engine/fan-out-runs.js';
import { createIdGenerator } from '../shared/ids.js';
import { createLogger } from '../shared/logger.js';
import { NanobananaSubmitService } from './nanobanana-submit.service.js';
import { NanobananaTaskRemoval } from './nanobanana-task-removal.js';
import { ANONYMOUS_WORKSPACE_USER_ID } from './nanobanana.types.js';
import { SearchTokenizer } from './search-text.js';
import { immediateUnitOfWork } from './testing/immediate-unit-of-work.js';
import { InMemoryBlobStorage } from './testing/in-memory-blob-storage.js';
import { InMemoryNanobananaRepository } from './testing/in-memory-nanobanana.repository.js';
import { InMemorySearchIndex } from './testing/in-memory-search-index.js';

/*
 * Contract 004's submit on in-memory ports: what one batch writes, and what a refused or unqueued
 * one leaves behind (nothing). Reference images, the engine and both databases: ../../../tests.
 */

const tokenizer = new SearchTokenizer();
const T0 = new Date('2026-03-01T08:00:00Z');

function setup(options: { queued?: number } = {}) {
  const repository = new InMemoryNanobananaRepository();
  const searchIndex = new InMemorySearchIndex();
  const storage = new InMemoryBlobStorage();
  const unitOfWork = immediateUnitOfWork();
  const logger = createLogger({ level: 'silent' });
  const credentials = new Map<string, string>();
  const items = new Map<string, number>();
  const fanOut: FanOutSubmission = {
    storeCredential: async (taskId, credential) => void credentials.set(taskId, credential),
    createItems: async (taskId, count) => void items.set(taskId, count),
    submit: async (task) => {
      const submitted = options.queued ?? task.requested_count;
      if (submitted === 0) task.error_message = 'queue down';
      return { submitted, error: submitted === 0 ? 'queue down' : null };
    },
  };
  const changed: Array<{ taskIds: string[]; owners?: string[] }> = [];
  const tasksChanged = async (taskIds: string[], owners?: string[]) => void changed.push({ taskIds, owners });
  const removal = new NanobananaTaskRemoval({
    repository,
    searchIndex,
    unitOfWork,
    storage,
    logger,
    tasksChanged,
  });
  const submit = new NanobananaSubmitService({
    repository,
    unitOfWork,
    fanOut,
    removal,
    storage,
    tokenizer,
    searchIndex,
    ids: createIdGenerator(),
    clock: { now: () => T0 },
    logger,
    taskConcurrency: 4,
    refImageMaxBytes: 1024,
    tasksChanged,
  });
  return { repository, searchIndex, unitOfWork, credentials, items, changed, submit };
}

const batch = { prompt: '  油画女孩  ', model: 'gemini-image', count: 3, apiKey: 'caller-key', options: '' };

describe('NanobananaSubmitService', () => {
  it('writes the task, its view, search entry, sealed key and positions in one transaction', async () => {
    const { repository, searchIndex, unitOfWork, credentials, items, changed, submit } = setup();
    const dto = await submit.createBatch('alice', { ...batch, aspectRatio: '16:9' });
    expect(dto).toMatchObject({
      prompt: '油画女孩',
      model: 'gemini-image',
      totalCount: 3,
      completedCount: 0,
      status: 'processing',
      options: '',
      images: [],
      createdAt: T0.toISOString(),
    });
    expect(unitOfWork.runs).toBe(1);
    const task = repository.tasks.get(dto.id)!;
    expect(task).toMatchObject({ user_id: 'alice', source: 'nanobanana', requested_count: 3 });
    expect(JSON.parse(task.params)).toMatchObject({ ratio: '16:9', fanOut: { concurrency: 4 } });
    expect(JSON.stringify(JSON.parse(task.params))).not.toContain('caller-key');
    expect(searchIndex.documents).toEqual([
      { taskId: dto.id, ownerKey: 'alice', tokens: tokenizer.indexTokens('油画女孩') },
    ]);
    expect(credentials.get(dto.id)).toContain('caller-key');
    expect(items.get(dto.id)).toBe(3);
    expect(changed).toEqual([{ taskIds: [], owners: ['alice'] }]);
    expect(repository.users.size).toBe(0);
  });

  it('creates the anonymous workspace’s user once, on its first batch', async () => {
    const { repository, submit } = setup();
    await submit.createBatch(ANONYMOUS_WORKSPACE_USER_ID, batch);
    await submit.createBatch(ANONYMOUS_WORKSPACE_USER_ID, batch);
    expect([...repository.users]).toEqual([ANONYMOUS_WORKSPACE_USER_ID]);
  });

  it('deletes the batch again and answers 500 创建任务失败 when the queue took none of it', async () => {
    const { repository, searchIndex, submit } = setup({ queued: 0 });
    await expect(submit.createBatch('alice', batch)).rejects.toMatchObject({
      status: 500,
      message: '创建任务失败，请稍后重试',
    });
    expect(repository.tasks.size).toBe(0);
    expect(searchIndex.documents).toEqual([]);
  });

  it('refuses invalid batches with the contract’s 400 before storing anything', async () => {
    const { repository, unitOfWork, submit } = setup();
    const refusals: Array<[Partial<typeof batch> & Record<string, unknown>, string]> = [
      [{ prompt: '   ' }, '请输入提示词'],
      [{ count: 0 }, '生成数量必须在 1-100 张之间'],
      [{ count: 101 }, '生成数量必须在 1-100 张之间'],
      [{ aspectRatio: '2:1' }, 'aspectRatio 仅支持 1:1, 3:4, 4:3, 9:16, 16:9'],
      [{ imageSize: '8K' }, 'imageSize 仅支持 1K, 2K, 4K'],
      [{ options: '{not json' }, '请求参数有误，请检查后重试'],
      [{ refImages: Array.from({ length: 11 }, () => ({ data: Buffer.alloc(1) })) }, '参考图最多 10 张'],
      [{ refImages: [{ data: Buffer.alloc(2048) }] }, '参考图不能超过 1KB'],
    ];
    for (const [change, message] of refusals)
      await expect(submit.createBatch('alice', { ...batch, ...change })).rejects.toMatchObject({
        status: 400,
        message,
      });
    expect(repository.tasks.size).toBe(0);
    expect(unitOfWork.runs).toBe(0);
  });
});
