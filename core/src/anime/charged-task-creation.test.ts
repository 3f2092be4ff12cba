import { describe, expect, it } from 'vitest';
import { CreditsService, InsufficientCreditsError } from '../credits/credits.service.js';
import { InMemoryCreditLedger, InMemoryUnitOfWork } from '../credits/testing/in-memory-credit-ledger.js';
import type { Actor } from '../identity/actor.js';
import type { TransactionHandle } from '../shared/unit-of-work.js';
import { createChargedTask, type ChargedTask, type ChargedTaskDeps } from './charged-task-creation.js';

const member: Actor = { id: 'member-1', role: 'user', username: null, displayName: null };

function setup(balance: number) {
  const ledger = new InMemoryCreditLedger();
  ledger.state.accounts.set(member.id, { balance, updated_at: new Date(0) });
  const unitOfWork = new InMemoryUnitOfWork(ledger);
  const steps: string[] = [];
  let id = 0;
  const credits = new CreditsService({
    ledger,
    unitOfWork,
    ids: { uuid: () => `id-${++id}` } as never,
    clock: { now: () => new Date() },
    audit: undefined as never,
  });
  const deps: ChargedTaskDeps = {
    unitOfWork,
    credits,
    limits: {
      prepare: async () => void steps.push('prepare'),
      check: async (_actor: Actor, transaction: TransactionHandle) => {
        steps.push('check');
        transaction.afterCommit(() => void steps.push('commit'));
      },
    },
    tasks: { makePrivate: async (taskId: string) => void steps.push(`private ${taskId}`) },
    generation: {
      createTasks: async (specs: Array<{ id?: string; priority: number }>) => {
        steps.push('create');
        return specs.map((spec) => ({ id: spec.id!, priority: spec.priority }));
      },
      enqueueMany: async (tasks: Array<{ id: string }>) =>
        void steps.push(`enqueue ${tasks.map((task) => task.id).join(',')}`),
    } as unknown as ChargedTaskDeps['generation'],
  };
  const input = (visibility: 'public' | 'private'): ChargedTask => ({
    task: {
      id: 't1',
      userId: member.id,
      source: 'anime',
      kind: 'image',
      provider: 'jimeng',
      model: 'jimeng-4.0',
      prompt: 'a fox',
      params: { ratio: '1:1', resolution: '2k' },
      count: 1,
      priority: 2,
    },
    visibility,
    credits: 5,
    note: 'five',
  });
  return { ledger, steps, deps, input };
}

describe('createChargedTask', () => {
  it('checks the limits, creates, marks private and charges in one transaction, and queues after commit', async () => {
    const { ledger, steps, deps, input } = setup(8);
    await createChargedTask(deps, member, input('private'));
    expect(steps).toEqual(['prepare', 'check', 'create', 'private t1', 'commit', 'enqueue t1']);
    expect(await ledger.balance(member.id)).toBe(3);
    expect(ledger.state.taskCredits.get('t1')).toBe(5);
  });

  it('queues nothing and keeps nothing when the balance is short', async () => {
    const { ledger, steps, deps, input } = setup(4);
    await expect(createChargedTask(deps, member, input('public'))).rejects.toBeInstanceOf(
      InsufficientCreditsError,
    );
    expect(steps).toEqual(['prepare', 'check', 'create']);
    expect(await ledger.balance(member.id)).toBe(4);
    expect(ledger.state.entries).toEqual([]);
  });
});
