import { Op, type WhereOptions } from 'sequelize';
import type { DreamloomModels, ProviderAccountRow } from '../adapters/sequelize/models.js';
import { ForbiddenError, ValidationError } from '../errors.js';
import { isAdmin, isStaff, type Actor } from '../identity/actor.js';
import type { Clock } from '../ports/clock.port.js';
import type { LeaseStore } from '../ports/lease-store.port.js';
import type { IdGenerator } from '../shared/ids.js';
import { maskSecret, type SecretBox } from '../shared/secret-box.js';
import { formatZoned, nextQuotaReset } from '../shared/zoned-time.js';
import {
  AccountStatus,
  OVERSEAS_SITES,
  type AccountInput,
  type JimengAccountView,
} from './jimeng-account.types.js';

interface Deps {
  models: DreamloomModels;
  ids: IdGenerator;
  clock: Clock;
  secrets: SecretBox;
  leases: LeaseStore;
  quota: { resetTime: string; timeZone: string };
}

/** Region prefixes of international sessions (PROVIDERS.md §1). */
const REGION_PREFIX = /^(us|hk|jp|sg)-/i;

/**
 * Contract 003 §5: staff manage their own Jimeng accounts; admins see every account.
 * Secrets are sealed at rest and only ever leave as masks.
 */
export class JimengAccountService {
  constructor(private readonly deps: Deps) {}

  private assertStaff(actor: Actor) {
    if (!isStaff(actor)) throw new ForbiddenError('Only staff can manage provider accounts');
  }

  /** Staff see their own accounts (003's rule); admins see all. */
  private ownership(actor: Actor): WhereOptions {
    return isAdmin(actor) ? {} : { create_by: actor.id };
  }

  /** site_type follows account type: China '0'; overseas takes the session's region prefix, else hk. */
  private siteFor(type: number, sessionId: string, explicit?: string): string {
    if (type === 0) return '0';
    if (explicit && (OVERSEAS_SITES as readonly string[]).includes(explicit)) return explicit;
    return REGION_PREFIX.exec(sessionId)?.[1]?.toLowerCase() ?? 'hk';
  }

  async create(
    actor: Actor,
    accounts: AccountInput[],
  ): Promise<{ success_count: number; failed_count: number; ids: string[] }> {
    this.assertStaff(actor);
    if (!Array.isArray(accounts) || accounts.length === 0)
      throw new ValidationError('accounts must not be empty');
    const now = this.deps.clock.now();
    const rows = accounts.map((input, index) => {
      if (!input.jimeng_account?.trim())
        throw new ValidationError(`accounts[${index}].jimeng_account is required`);
      if (!input.session_id?.trim()) throw new ValidationError(`accounts[${index}].session_id is required`);
      const type = input.jimeng_account_type ?? 0;
      if (type !== 0 && type !== 1)
        throw new ValidationError(`accounts[${index}].jimeng_account_type must be 0 or 1`);
      const sessionId = input.session_id.trim();
      return {
        id: this.deps.ids.snowflake(),
        provider: 'jimeng',
        name: input.jimeng_account.trim(),
        account_type: type,
        site_type: this.siteFor(type, sessionId, input.site_type),
        secret_enc: this.deps.secrets.seal(sessionId),
        secret_mask: maskSecret(sessionId),
        priority: input.priority ?? 0,
        max_concurrent: input.max_concurrent ?? 3,
        quota_reset_time: nextQuotaReset(now, this.deps.quota.resetTime, this.deps.quota.timeZone),
        create_by: actor.id,
        update_by: actor.id,
        create_time: now,
        update_time: now,
      };
    });
    // All or nothing: a half-imported bulk list is worse than a clear error.
    await this.deps.models.ProviderAccount.bulkCreate(rows);
    return { success_count: rows.length, failed_count: 0, ids: rows.map((row) => row.id) };
  }

  async list(
    actor: Actor,
    query: { page: number; size: number; account_status?: number; site_type?: string },
  ): Promise<{ total: number; page: number; size: number; list: JimengAccountView[] }> {
    this.assertStaff(actor);
    const where: WhereOptions = {
      provider: 'jimeng',
      is_deleted: false,
      ...this.ownership(actor),
      ...(query.account_status !== undefined ? { account_status: query.account_status } : {}),
      ...(query.site_type !== undefined ? { site_type: query.site_type } : {}),
    };
    const { rows, count } = await this.deps.models.ProviderAccount.findAndCountAll({
      where,
      order: [
        ['priority', 'DESC'],
        ['create_time', 'DESC'],
        ['id', 'DESC'],
      ],
      offset: (query.page - 1) * query.size,
      limit: query.size,
    });
    const inFlight = await this.deps.leases.inFlight(rows.map((row) => row.id));
    return {
      total: count,
      page: query.page,
      size: query.size,
      list: rows.map((row) => this.view(row, inFlight.get(row.id) ?? 0)),
    };
  }

  async update(
    actor: Actor,
    accounts: Array<AccountInput & { id?: string }>,
  ): Promise<{ success_count: number; failed_count: number }> {
    this.assertStaff(actor);
    if (!Array.isArray(accounts) || accounts.length === 0)
      throw new ValidationError('accounts must not be empty');
    accounts.forEach((input, index) => {
      if (!input.id) throw new ValidationError(`accounts[${index}].id is required`);
    });
    let success = 0;
    for (const input of accounts) {
      const row = await this.deps.models.ProviderAccount.findOne({
        where: { id: input.id!, provider: 'jimeng', is_deleted: false, ...this.ownership(actor) },
      });
      if (!row) continue;
      const type = input.jimeng_account_type ?? row.account_type;
      const sessionId = input.session_id?.trim();
      const changes: Partial<ProviderAccountRow> = {
        update_by: actor.id,
        update_time: this.deps.clock.now(),
        account_type: type,
      };
      if (input.jimeng_account?.trim()) changes.name = input.jimeng_account.trim();
      if (sessionId) {
        changes.secret_enc = this.deps.secrets.seal(sessionId);
        changes.secret_mask = maskSecret(sessionId);
      }
      changes.site_type = this.siteFor(
        type,
        sessionId ?? this.deps.secrets.open(row.secret_enc),
        input.site_type,
      );
      if (input.priority !== undefined) changes.priority = input.priority;
      if (input.max_concurrent !== undefined) changes.max_concurrent = input.max_concurrent;
      if (input.account_status === AccountStatus.disabled) {
        changes.account_status = AccountStatus.disabled;
        changes.status_reason = 'Disabled by staff';
      } else if (
        input.account_status === AccountStatus.normal &&
        row.account_status === AccountStatus.disabled
      ) {
        changes.account_status = AccountStatus.normal;
        changes.status_reason = null;
      }
      await row.update(changes);
      success += 1;
    }
    return { success_count: success, failed_count: accounts.length - success };
  }

  /** Logical delete, only of the actor's own accounts (admins: any). */
  async remove(actor: Actor, ids: string[]): Promise<{ success_count: number }> {
    this.assertStaff(actor);
    if (!Array.isArray(ids) || ids.length === 0) throw new ValidationError('ids must not be empty');
    const [affected] = await this.deps.models.ProviderAccount.update(
      { is_deleted: true, update_by: actor.id, update_time: this.deps.clock.now() },
      { where: { id: { [Op.in]: ids }, provider: 'jimeng', is_deleted: false, ...this.ownership(actor) } },
    );
    return { success_count: affected };
  }

  /** §5.5: generation back on, counts cleared, next reset tomorrow; also clears invalid/cooldown marks. */
  async resetStatus(actor: Actor, id: string): Promise<boolean> {
    this.assertStaff(actor);
    const now = this.deps.clock.now();
    const [affected] = await this.deps.models.ProviderAccount.update(
      {
        image_generation_status: 1,
        video_generation_status: 1,
        image_count: 0,
        video_count: 0,
        account_status: AccountStatus.normal,
        status_reason: null,
        cooldown_until: null,
        cooldown_level: 0,
        quota_reset_time: nextQuotaReset(now, this.deps.quota.resetTime, this.deps.quota.timeZone),
        update_by: actor.id,
        update_time: now,
      },
      { where: { id, provider: 'jimeng', is_deleted: false, ...this.ownership(actor) } },
    );
    return affected > 0;
  }

  /** Contract 003 §7.1: how many of the actor's accounts are in each state. */
  async statistics(actor: Actor) {
    this.assertStaff(actor);
    const rows = await this.deps.models.ProviderAccount.findAll({
      attributes: ['account_status', 'image_generation_status', 'video_generation_status', 'cooldown_until'],
      where: { provider: 'jimeng', is_deleted: false, ...this.ownership(actor) },
    });
    const now = this.deps.clock.now().getTime();
    const usable = (row: ProviderAccountRow) =>
      row.account_status === AccountStatus.normal ||
      (row.account_status === AccountStatus.coolingDown && (row.cooldown_until?.getTime() ?? 0) <= now);
    return {
      total_accounts: rows.length,
      active_accounts: rows.filter((row) => row.account_status === AccountStatus.normal).length,
      inactive_accounts: rows.filter((row) => row.account_status === AccountStatus.invalid).length,
      banned_accounts: rows.filter((row) => row.account_status === AccountStatus.disabled).length,
      image_available_accounts: rows.filter((row) => usable(row) && row.image_generation_status === 1).length,
      video_available_accounts: rows.filter((row) => usable(row) && row.video_generation_status === 1).length,
      rate_limited_accounts: rows.filter((row) => row.account_status === AccountStatus.coolingDown).length,
    };
  }

  private view(row: ProviderAccountRow, inFlight: number): JimengAccountView {
    const zone = this.deps.quota.timeZone;
    return {
      id: row.id,
      jimeng_account: row.name,
      jimeng_account_type: row.account_type,
      session_id: row.secret_mask,
      site_type: row.site_type === '0' ? 0 : row.site_type,
      account_status: row.account_status,
      image_generation_status: row.image_generation_status,
      video_generation_status: row.video_generation_status,
      image_count: row.image_count,
      video_count: row.video_count,
      quota_reset_time: formatZoned(row.quota_reset_time, zone),
      create_time: formatZoned(row.create_time, zone),
      update_time: formatZoned(row.update_time, zone),
      priority: row.priority,
      max_concurrent: row.max_concurrent,
      in_flight: inFlight,
      credits: row.credits ?? null,
      credits_checked_time: formatZoned(row.credits_checked_at, zone),
      status_reason: row.status_reason ?? null,
      last_error: row.last_error ?? null,
      last_error_time: formatZoned(row.last_error_at, zone),
      cooldown_until: formatZoned(row.cooldown_until, zone),
    };
  }
}
