import { describe, expect, it } from 'vitest';
import type { AuditRecord, AuditStore } from '../audit/audit-log.port.js';
import { AuditLog } from '../audit/audit-log.js';
import { ForbiddenError } from '../errors.js';
import type { Actor } from '../identity/actor.js';
import { createIdGenerator } from '../shared/ids.js';
import { SecretBox } from '../shared/secret-box.js';
import { JimengAccountService } from './jimeng-account.service.js';
import { AccountStatus } from './jimeng-account.types.js';
import { InMemoryAccountRepository } from './testing/in-memory-account.repository.js';
import { InMemoryLeaseStore } from './testing/in-memory-lease-store.js';

/*
 * Staff account management (contract 003 §5) on in-memory accounts: one live account per upstream
 * session, ownership, logical deletes, resets and the §7.1 statistics. The real-process tests
 * (tests/jimeng-*.test.ts) cover the same through HTTP on both databases.
 */

const NOW = new Date('2026-03-01T08:00:00Z');
const staff: Actor = { id: 'staff-1', role: 'staff', username: 'alice', displayName: 'Alice' };
const otherStaff: Actor = { id: 'staff-2', role: 'staff', username: 'bob', displayName: 'Bob' };
const admin: Actor = { id: 'admin-1', role: 'admin', username: 'root', displayName: 'Root' };
const member: Actor = { id: 'user-1', role: 'user', username: null, displayName: 'M' };

class MemoryAuditStore implements AuditStore {
  readonly entries: AuditRecord[] = [];
  async insert(entry: AuditRecord) {
    this.entries.push(entry);
  }
  async forTargets(targets: Array<{ kind: string; id: string }>, limit: number) {
    return this.entries
      .filter((entry) => targets.some((t) => t.kind === entry.target_kind && t.id === entry.target_id))
      .slice(0, limit);
  }
  async newest(_filter: object, limit: number) {
    return [...this.entries].reverse().slice(0, limit);
  }
}

function setup() {
  const accounts = new InMemoryAccountRepository();
  const audit = new MemoryAuditStore();
  const ids = createIdGenerator();
  const clock = { now: () => NOW };
  const service = new JimengAccountService({
    accounts,
    ids,
    clock,
    secrets: new SecretBox('account-service-unit-test-key-0123456789'),
    leases: new InMemoryLeaseStore(() => NOW.getTime()),
    quota: { resetTime: '00:00', timeZone: 'Asia/Shanghai' },
    audit: new AuditLog({ store: audit, ids, clock }),
  });
  return { accounts, audit, service };
}

describe('JimengAccountService on in-memory accounts', () => {
  it('creates accounts with sealed sessions, masked views and an audit entry each', async () => {
    const { service, accounts, audit } = setup();
    const created = await service.create(staff, [
      { jimeng_account: 'one', session_id: 'session-one-0000001' },
      { jimeng_account: 'two', session_id: 'US-session-two-0000002', jimeng_account_type: 1 },
    ]);
    expect(created).toMatchObject({ success_count: 2, failed_count: 0, failures: [] });
    const [first, second] = created.ids.map((id) => accounts.get(id)!);
    expect(first).toMatchObject({ name: 'one', site_type: '0', create_by: 'staff-1', max_concurrent: 3 });
    expect(first.secret_enc).not.toContain('session-one');
    expect(second.site_type).toBe('us');
    expect(audit.entries.map((entry) => entry.action)).toEqual([
      'jimeng_account.create',
      'jimeng_account.create',
    ]);
    const page = await service.list(staff, { page: 1, size: 10 });
    expect(page.total).toBe(2);
    expect(page.list.map((view) => view.session_id).join(' ')).not.toContain('session-one-0000001');
  });

  it('refuses a session another live account holds, in the same request or an earlier one', async () => {
    const { service } = setup();
    await service.create(staff, [{ jimeng_account: 'one', session_id: 'session-shared-000001' }]);
    // A single item: the refusal is the answer (400).
    await expect(
      service.create(otherStaff, [{ jimeng_account: 'again', session_id: ' session-shared-000001 ' }]),
    ).rejects.toMatchObject({ code: 'SESSION_ID_IN_USE', status: 400 });
    // Several items: refused per item; another staff member's account is not named to them.
    const mixed = await service.create(otherStaff, [
      { jimeng_account: 'fresh', session_id: 'session-fresh-0000001' },
      { jimeng_account: 'dup-of-fresh', session_id: 'session-fresh-0000001' },
      { jimeng_account: 'held', session_id: 'session-shared-000001' },
    ]);
    expect(mixed.success_count).toBe(1);
    expect(mixed.failures).toEqual([
      expect.objectContaining({
        index: 1,
        reason: 'session_in_use',
        message: 'accounts[1].session_id is the same session as accounts[0]',
      }),
      expect.objectContaining({
        index: 2,
        reason: 'session_in_use',
        message: 'accounts[2].session_id is already used by another account',
      }),
    ]);
  });

  it('a deleted account frees its session; staff delete only their own', async () => {
    const { service, accounts } = setup();
    const { ids } = await service.create(staff, [
      { jimeng_account: 'one', session_id: 'session-free-00000001' },
    ]);
    expect(await service.remove(otherStaff, ids)).toEqual({ success_count: 0 });
    expect(await service.remove(staff, ids)).toEqual({ success_count: 1 });
    expect(accounts.get(ids[0])).toMatchObject({ is_deleted: true, session_hash: null });
    const again = await service.create(otherStaff, [
      { jimeng_account: 'reused', session_id: 'session-free-00000001' },
    ]);
    expect(again.success_count).toBe(1);
  });

  it('update: staff edit and disable their own accounts; admins any; unknown ids are per-item failures', async () => {
    const { service, accounts } = setup();
    const { ids } = await service.create(staff, [
      { jimeng_account: 'one', session_id: 'session-edit-00000001' },
    ]);
    const refused = await service.update(otherStaff, [{ id: ids[0], priority: 9 }]);
    expect(refused).toMatchObject({
      success_count: 0,
      failures: [expect.objectContaining({ reason: 'not_found' })],
    });
    const done = await service.update(staff, [
      { id: ids[0], priority: 7, account_status: AccountStatus.disabled },
      { id: 'missing', priority: 1 },
    ]);
    expect(done).toMatchObject({ success_count: 1, failed_count: 1 });
    expect(accounts.get(ids[0])).toMatchObject({
      priority: 7,
      account_status: AccountStatus.disabled,
      status_reason: 'Disabled by staff',
      update_by: 'staff-1',
    });
    expect(await service.update(admin, [{ id: ids[0], account_status: AccountStatus.normal }])).toMatchObject(
      {
        success_count: 1,
      },
    );
    expect(accounts.get(ids[0])).toMatchObject({ account_status: AccountStatus.normal, status_reason: null });
  });

  it('resetStatus clears pool marks; statistics partition the accounts', async () => {
    const { service, accounts } = setup();
    const { ids } = await service.create(staff, [
      { jimeng_account: 'a', session_id: 'session-stat-00000001' },
      { jimeng_account: 'b', session_id: 'session-stat-00000002' },
      { jimeng_account: 'c', session_id: 'session-stat-00000003' },
      { jimeng_account: 'd', session_id: 'session-stat-00000004' },
    ]);
    await accounts.updateById(ids[1], { account_status: AccountStatus.invalid });
    await accounts.updateById(ids[2], {
      account_status: AccountStatus.coolingDown,
      cooldown_until: new Date(NOW.getTime() + 60_000),
      cooldown_level: 2,
    });
    await accounts.updateById(ids[3], { video_generation_status: 0 });
    expect(await service.statistics(staff)).toEqual({
      total_accounts: 4,
      active_accounts: 3,
      inactive_accounts: 1,
      banned_accounts: 0,
      image_available_accounts: 2,
      video_available_accounts: 1,
      rate_limited_accounts: 1,
      cooling_down_accounts: 1,
    });
    expect(await service.statistics(otherStaff)).toMatchObject({ total_accounts: 0 });
    expect(await service.resetStatus(staff, ids[2])).toBe(true);
    expect(accounts.get(ids[2])).toMatchObject({
      account_status: AccountStatus.normal,
      cooldown_level: 0,
      cooldown_until: null,
    });
    expect(await service.resetStatus(otherStaff, ids[1])).toBe(false);
  });

  it('members may not manage accounts', async () => {
    const { service } = setup();
    await expect(service.list(member, { page: 1, size: 10 })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(service.create(member, [{ jimeng_account: 'x', session_id: 'y' }])).rejects.toBeInstanceOf(
      ForbiddenError,
    );
  });
});
