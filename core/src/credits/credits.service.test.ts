import { describe, expect, it } from 'vitest';
import { AuditLog } from '../audit/audit-log.js';
import type { AuditRecord, AuditStore } from '../audit/audit-log.port.js';
import type { Actor } from '../identity/actor.js';
import { CreditsService, InsufficientCreditsError } from './credits.service.js';
import { InMemoryCreditLedger, InMemoryUnitOfWork } from './testing/in-memory-credit-ledger.js';

const staff: Actor = { id: 'staff-1', role: 'staff', username: 'sam', displayName: null };
const member: Actor = { id: 'member-1', role: 'user', username: null, displayName: null };

function setup() {
  const ledger = new InMemoryCreditLedger();
  ledger.addUser(member.id);
  ledger.addUser(staff.id, 'staff');
  const unitOfWork = new InMemoryUnitOfWork(ledger);
  const audited: Array<{ entry: AuditRecord; transaction: unknown }> = [];
  let id = 0;
  const ids = { uuid: () => `id-${++id}` } as never;
  const clock = { now: () => new Date(1_700_000_000_000 + id) };
  const changed: string[][] = [];
  const moved: Array<[string, number]> = [];
  const credits = new CreditsService({
    ledger,
    unitOfWork,
    ids,
    clock,
    audit: new AuditLog({
      store: {
        insert: async (entry, transaction) => void audited.push({ entry, transaction }),
      } as Pick<AuditStore, 'insert'> as AuditStore,
      ids,
      clock,
    }),
    tasksChanged: async (taskIds) => void changed.push(taskIds),
  });
  credits.onMoved((move, amount) => moved.push([move, amount]));
  return { ledger, unitOfWork, credits, audited, changed, moved };
}

describe('CreditsService (in-memory ledger)', () => {
  it('charges inside the caller’s transaction and counts the charge only once it commits', async () => {
    const { ledger, unitOfWork, credits, moved } = setup();
    await credits.grant(staff, { userId: member.id, amount: 10 });
    await unitOfWork.run(async (transaction) => {
      await credits.charge({ userId: member.id, taskId: 't1', amount: 4, note: 'four' }, transaction);
      // Not yet: the transaction may still roll back.
      expect(moved).toEqual([]);
    });
    expect(moved).toEqual([['charge', 4]]);
    expect(await credits.balance(member.id)).toBe(6);
    expect(ledger.state.taskCredits.get('t1')).toBe(4);
    expect(await ledger.entryByKey('charge:t1')).toMatchObject({
      kind: 'charge',
      amount: -4,
      balance_after: 6,
      task_id: 't1',
      actor_id: member.id,
      note: 'four',
    });
  });

  it('leaves nothing behind (and counts nothing) when the creating transaction rolls back', async () => {
    const { ledger, unitOfWork, credits, moved } = setup();
    await credits.grant(staff, { userId: member.id, amount: 10 });
    await expect(
      unitOfWork.run(async (transaction) => {
        await credits.charge({ userId: member.id, taskId: 't1', amount: 4 }, transaction);
        throw new Error('task insert failed');
      }),
    ).rejects.toThrow('task insert failed');
    expect(moved).toEqual([]);
    expect(await credits.balance(member.id)).toBe(10);
    expect(await ledger.entryByKey('charge:t1')).toBeNull();
    expect(ledger.state.taskCredits.has('t1')).toBe(false);
  });

  it('refuses a charge the balance cannot cover, naming what it costs and what there is', async () => {
    const { ledger, unitOfWork, credits } = setup();
    await credits.grant(staff, { userId: member.id, amount: 3 });
    const refused = unitOfWork.run((transaction) =>
      credits.charge({ userId: member.id, taskId: 't1', amount: 5 }, transaction),
    );
    await expect(refused).rejects.toBeInstanceOf(InsufficientCreditsError);
    await expect(refused).rejects.toMatchObject({ status: 402, details: { needed: 5, balance: 3 } });
    expect(await credits.balance(member.id)).toBe(3);
    expect(await ledger.hasEntry('charge:t1')).toBe(false);
  });

  it('charges nothing for a free generation', async () => {
    const { ledger, unitOfWork, credits, moved } = setup();
    await unitOfWork.run((transaction) =>
      credits.charge({ userId: member.id, taskId: 't1', amount: 0 }, transaction),
    );
    expect(ledger.state.entries).toEqual([]);
    expect(moved).toEqual([]);
  });

  it('refunds a charged task once, however often it is asked, and announces the task', async () => {
    const { ledger, unitOfWork, credits, moved, changed } = setup();
    await credits.grant(staff, { userId: member.id, amount: 10 });
    await unitOfWork.run((transaction) =>
      credits.charge({ userId: member.id, taskId: 't1', amount: 7 }, transaction),
    );
    const answers = await Promise.all([
      credits.refundTask('t1', 'Generation cancelled'),
      credits.refundTask('t1'),
      credits.refundTask('t1'),
    ]);
    expect(answers.filter(Boolean)).toHaveLength(1);
    expect(await credits.refundTask('t1')).toBe(false);
    expect(await credits.balance(member.id)).toBe(10);
    expect(ledger.state.taskCredits.get('t1')).toBe(0);
    expect(ledger.state.entries.filter((entry) => entry.kind === 'refund')).toMatchObject([
      { amount: 7, balance_after: 10, task_id: 't1', actor_id: null, note: 'Generation cancelled' },
    ]);
    expect(moved).toEqual([
      ['charge', 7],
      ['refund', 7],
    ]);
    expect(changed).toEqual([['t1']]);
    // A task that was never charged has nothing to give back.
    expect(await credits.refundTask('free-task')).toBe(false);
  });

  it('grants through staff only, once per idempotency key, with an audit entry in the same transaction', async () => {
    const { credits, audited } = setup();
    await expect(credits.grant(member, { userId: member.id, amount: 5 })).rejects.toMatchObject({
      status: 403,
    });
    await expect(credits.grant(staff, { userId: 'nobody', amount: 5 })).rejects.toMatchObject({
      status: 404,
    });
    await expect(credits.grant(staff, { userId: member.id, amount: 1.5 })).rejects.toMatchObject({
      status: 400,
    });
    // Retries racing each other: one entry, and every answer is that entry.
    const answers = await Promise.all(
      [1, 2, 3].map(() => credits.grant(staff, { userId: member.id, amount: 50, idempotencyKey: 'k' })),
    );
    expect(new Set(answers.map((answer) => answer.id)).size).toBe(1);
    expect(answers[0]).toMatchObject({ kind: 'grant', amount: 50, balance_after: 50 });
    expect(await credits.balance(member.id)).toBe(50);
    expect(audited).toHaveLength(1);
    expect(audited[0]!.transaction).toBeDefined();
    expect(JSON.parse(audited[0]!.entry.after as string)).toMatchObject({ balance: 50, amount: 50 });
  });

  it('takes credits away only as far as the balance goes', async () => {
    const { credits } = setup();
    await credits.grant(staff, { userId: member.id, amount: 5 });
    await expect(credits.grant(staff, { userId: member.id, amount: -6 })).rejects.toBeInstanceOf(
      InsufficientCreditsError,
    );
    expect((await credits.grant(staff, { userId: member.id, amount: -5 })).balance_after).toBe(0);
    const view = await credits.view(member);
    expect(view.balance).toBe(0);
    expect(view.ledger.map((entry) => entry.amount)).toEqual([-5, 5]);
  });

  it('locks only an existing balance row', async () => {
    const { unitOfWork, credits } = setup();
    await expect(
      unitOfWork.run((transaction) => credits.lockAccount(member.id, transaction)),
    ).rejects.toMatchObject({ code: 'CREDIT_ACCOUNT_MISSING' });
    await credits.ensureAccountRow(member.id);
    await unitOfWork.run((transaction) => credits.lockAccount(member.id, transaction));
    expect(await credits.balance(member.id)).toBe(0);
  });

  it('shows members their own ledger only', async () => {
    const { credits } = setup();
    await expect(credits.view(member, staff.id)).rejects.toMatchObject({ status: 404 });
    expect((await credits.view(staff, member.id)).user_id).toBe(member.id);
  });
});
