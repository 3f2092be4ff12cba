import { Op, literal, type WhereOptions } from 'sequelize';
import type { DreamloomModels } from '../adapters/sequelize/models.js';
import type { Clock } from '../ports/clock.port.js';
import type { ProviderError } from '../ports/image-provider.port.js';
import type { LeaseStore } from '../ports/lease-store.port.js';
import type { IdGenerator } from '../shared/ids.js';
import type { SecretBox } from '../shared/secret-box.js';
import type { Logger } from '../shared/logger.js';
import { AccountStatus } from './jimeng-account.types.js';

export type GenerationKind = 'image' | 'video';

export interface AccountLease {
  accountId: string;
  accountName: string;
  siteType: string;
  /** The decrypted credential; never log it. */
  secret: string;
  release(): Promise<void>;
}

interface Deps {
  models: DreamloomModels;
  leases: LeaseStore;
  secrets: SecretBox;
  ids: IdGenerator;
  clock: Clock;
  logger: Logger;
  /** A lease outlives the longest provider call, then expires by itself. */
  leaseTtlMs: number;
}

/** Cooldown after a rate limit grows 1, 2, 4, … minutes up to an hour. */
export function cooldownMs(level: number): number {
  return Math.min(60, 2 ** level) * 60_000;
}

/**
 * The provider account pool: picks an eligible account, holds a TTL'd lease on one of its
 * concurrency slots, and records what each provider failure means for the account.
 * Selection here is priority, then least recently used; contract 003's strategies extend it.
 */
export class AccountPoolService {
  constructor(private readonly deps: Deps) {}

  /** Accounts that could take this kind of work now, busy or not. */
  private eligibleWhere(provider: string, kind: GenerationKind, exclude: string[] = []): WhereOptions {
    const kindColumn = kind === 'image' ? 'image_generation_status' : 'video_generation_status';
    return {
      provider,
      is_deleted: false,
      [kindColumn]: 1,
      id: { [Op.notIn]: exclude.length ? exclude : [''] },
      [Op.or]: [
        { account_status: AccountStatus.normal },
        // Half-open: a cooled-down account becomes eligible again once its cooldown has passed.
        { account_status: AccountStatus.coolingDown, cooldown_until: { [Op.lte]: this.deps.clock.now() } },
      ],
    };
  }

  /** How many accounts could take the work if they were free; 0 means waiting is pointless. */
  async countEligible(
    provider: string,
    kind: GenerationKind,
    options: { exclude?: string[] } = {},
  ): Promise<number> {
    return this.deps.models.ProviderAccount.count({
      where: this.eligibleWhere(provider, kind, options.exclude),
    });
  }

  async lease(
    provider: string,
    kind: GenerationKind,
    options: { exclude?: string[] } = {},
  ): Promise<AccountLease | null> {
    const { ProviderAccount } = this.deps.models;
    const now = this.deps.clock.now();
    const candidates = await ProviderAccount.findAll({
      where: this.eligibleWhere(provider, kind, options.exclude),
      order: [
        ['priority', 'DESC'],
        [literal('last_used_at IS NULL'), 'DESC'],
        ['last_used_at', 'ASC'],
      ],
      limit: 50,
    });
    for (const account of candidates) {
      const leaseId = this.deps.ids.uuid();
      if (
        !(await this.deps.leases.acquire(account.id, leaseId, account.max_concurrent, this.deps.leaseTtlMs))
      )
        continue;
      await account.update({ last_used_at: now });
      return {
        accountId: account.id,
        accountName: account.name,
        siteType: account.site_type,
        secret: this.deps.secrets.open(account.secret_enc),
        release: () => this.deps.leases.release(account.id, leaseId),
      };
    }
    return null;
  }

  async reportSuccess(accountId: string, kind: GenerationKind): Promise<void> {
    const { ProviderAccount } = this.deps.models;
    const countColumn = kind === 'image' ? 'image_count' : 'video_count';
    await ProviderAccount.increment(countColumn, { by: 1, where: { id: accountId } });
    // A successful trial closes the circuit of a cooled-down account.
    await ProviderAccount.update(
      { account_status: AccountStatus.normal, cooldown_level: 0, cooldown_until: null, status_reason: null },
      { where: { id: accountId, account_status: AccountStatus.coolingDown } },
    );
  }

  /** Applies PROVIDERS.md's classification to the account; content and parameter errors never blame it. */
  async reportFailure(accountId: string, kind: GenerationKind, error: ProviderError): Promise<void> {
    const { ProviderAccount } = this.deps.models;
    const now = this.deps.clock.now();
    const message = `${error.kind}: ${error.message}`.slice(0, 1024);
    const base = { last_error: message, last_error_at: now, update_time: now };
    switch (error.kind) {
      case 'session_expired':
        await ProviderAccount.update(
          {
            ...base,
            account_status: AccountStatus.invalid,
            status_reason: 'Session expired: update the session id',
          },
          { where: { id: accountId } },
        );
        break;
      case 'out_of_credits':
        await ProviderAccount.update(
          {
            ...base,
            [kind === 'image' ? 'image_generation_status' : 'video_generation_status']: 0,
            status_reason: `Out of points for ${kind} generation until the quota reset`,
          },
          { where: { id: accountId } },
        );
        break;
      case 'rate_limited': {
        const account = await ProviderAccount.findByPk(accountId);
        const level = account?.cooldown_level ?? 0;
        const until = new Date(now.getTime() + cooldownMs(level));
        await ProviderAccount.update(
          {
            ...base,
            account_status: AccountStatus.coolingDown,
            cooldown_level: level + 1,
            cooldown_until: until,
            status_reason: `Rate limited: cooling down until ${until.toISOString()}`,
          },
          { where: { id: accountId } },
        );
        break;
      }
      case 'invalid_request':
      case 'content_blocked':
      case 'bad_input_file':
        break; // the account did nothing wrong
      default:
        await ProviderAccount.update(base, { where: { id: accountId } });
    }
    this.deps.logger.warn(
      { accountId, kind: error.kind, upstreamCode: error.upstreamCode },
      'provider call failed',
    );
  }
}
