import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError, UnauthorizedError, ValidationError } from '../errors.js';
import {
  AlreadyExistsError,
  type IdentityRecord,
  type IdentityRepository,
  type UserRecord,
} from './identity.repository.js';
import type { IdGenerator } from '../shared/ids.js';
import { TtlCache } from '../shared/ttl-cache.js';
import type { Clock } from '../ports/clock.port.js';
import type { EventBus } from '../ports/event-bus.port.js';
import type { Logger } from '../shared/logger.js';
import { ROLES, type Actor, type Role } from './actor.js';
import { AccessTokenCache } from './access-token.cache.js';
import {
  IDENTITY_CHANGED,
  IDENTITY_ROOM,
  announceIdentityChanged,
  type IdentityChange,
} from './identity-changes.js';
import { generatePassword, hashPassword, verifyPassword } from './password.js';

export const PLATFORMS = ['discord', 'telegram'] as const;
export type Platform = (typeof PLATFORMS)[number];

export interface IssuedToken {
  token: string;
  expiresAt: Date;
  user: Actor;
}

const PLATFORM_ACTOR_CACHE_MS = 5000;
/** How stale an identity's last_seen_at may get before a request writes it again. */
const SEEN_AT_RESOLUTION_MS = 10 * 60_000;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export function toActor(row: Pick<UserRecord, 'id' | 'role' | 'username' | 'display_name'>): Actor {
  return { id: row.id, role: row.role as Role, username: row.username, displayName: row.display_name };
}

interface IdentityDeps {
  /** Users, identities and tokens (the Sequelize adapter identity.repository.ts). */
  users: IdentityRepository;
  ids: IdGenerator;
  clock: Clock;
  tokenTtlHours: number;
  botApiToken?: string;
  /** Revocations and role changes reach every node's token cache through it; without it nothing is cached. */
  events?: EventBus;
  logger?: Logger;
}

/**
 * Users, their identities (password, wallet, discord, telegram) and access tokens.
 * Tokens are random, stored as sha256 hashes, and expire.
 */
export class IdentityService {
  /**
   * Platform users the bots act for, remembered briefly: bots call on every chat message. An
   * expired entry is served while one reload runs, so a burst of messages from members whose
   * entries lapsed together never queues on the database; a disabled user is refused within
   * 1.25 × the time to live (reloads are spread, see TtlCache) plus one request.
   */
  private readonly platformActors = new TtlCache<Actor>(PLATFORM_ACTOR_CACHE_MS, 10_000);

  private botTokenHash: { token: string; hash: Buffer } | null = null;

  /** Resolved bearer tokens; used only once this node hears identity changes (listenForChanges). */
  private readonly tokens = new AccessTokenCache();
  private listening: Promise<void> | null = null;
  private crossNodeReady = false;

  constructor(private readonly deps: IdentityDeps) {}

  /**
   * Tokens are served from memory only once this node hears other nodes' revocations and role
   * changes; until then, and if that fails, every request reads the database.
   */
  private listenForChanges(): void {
    if (this.listening || !this.deps.events) return;
    this.listening = this.deps.events
      .subscribe((event) => {
        if (event.room === IDENTITY_ROOM && event.name === IDENTITY_CHANGED)
          this.forget(event.payload as IdentityChange);
      })
      .then(
        () => {
          this.crossNodeReady = true;
        },
        (error: unknown) =>
          this.deps.logger?.warn(
            { err: (error as Error).message },
            'token cache off: cannot listen for identity changes',
          ),
      );
  }

  private forget(change: IdentityChange): void {
    if (change.tokenHashes?.length) this.tokens.forgetTokens(change.tokenHashes);
    if (change.userIds?.length) {
      this.tokens.forgetUsers(change.userIds);
      // Platform users are keyed by identity, not user: a rare change drops them all.
      this.platformActors.clear();
    }
  }

  /**
   * Announces a change to users (role, standing) made outside this service: every node drops what
   * it remembers of them. Call after the change is committed.
   */
  async usersChanged(userIds: string[]): Promise<void> {
    this.forget({ userIds });
    await announceIdentityChanged(this.deps.events, { userIds });
  }

  /** Creates the first admin when none exists; returns the generated password exactly once. */
  async ensureAdmin(
    username: string,
    password?: string,
  ): Promise<{ created: boolean; username: string; password?: string }> {
    const existing = await this.deps.users.anyAdmin();
    if (existing) return { created: false, username: existing.username ?? username };
    const chosen = password ?? generatePassword();
    await this.createPasswordUser({ username, password: chosen, role: 'admin' });
    return { created: true, username, password: password ? undefined : chosen };
  }

  async createPasswordUser(input: {
    username: string;
    password: string;
    role: Role;
    displayName?: string;
  }): Promise<Actor> {
    if (!ROLES.includes(input.role)) throw new ValidationError(`Unknown role ${input.role}`);
    if (input.password.length < 8) throw new ValidationError('Password must be at least 8 characters');
    const now = this.deps.clock.now();
    const secretHash = await hashPassword(input.password);
    const userId = this.deps.ids.snowflake();
    try {
      const user = await this.deps.users.createUserWithIdentity(
        {
          id: userId,
          username: input.username,
          display_name: input.displayName ?? input.username,
          role: input.role,
          created_at: now,
          updated_at: now,
        },
        {
          id: this.deps.ids.snowflake(),
          user_id: userId,
          provider: 'password',
          subject: input.username,
          secret_hash: secretHash,
          display_name: input.username,
          created_at: now,
          last_seen_at: null,
        },
      );
      return toActor(user);
    } catch (error) {
      if (error instanceof AlreadyExistsError)
        throw new AppError('USERNAME_TAKEN', 'Username already exists', { status: 409 });
      throw error;
    }
  }

  /** Password login (staff and admins); issues a token of kind `staff`. */
  async loginWithPassword(username: string, password: string): Promise<IssuedToken> {
    const identity = await this.deps.users.identityOf('password', username);
    const valid = identity?.secret_hash ? await verifyPassword(password, identity.secret_hash) : false;
    const user = valid && identity ? await this.deps.users.userById(identity.user_id) : null;
    if (!user || user.is_disabled) throw new UnauthorizedError('Invalid username or password');
    await this.deps.users.identitySeen(identity!, this.deps.clock.now());
    return this.issueToken(toActor(user), 'staff');
  }

  /** `prefix` names the token family in the token itself (contract 002 wants `paw_`). */
  async issueToken(
    user: Actor,
    kind: string,
    ttlHours = this.deps.tokenTtlHours,
    prefix?: string,
  ): Promise<IssuedToken> {
    const token = `${prefix ?? (kind === 'staff' ? 'dls' : 'dlt')}_${randomBytes(24).toString('base64url')}`;
    const now = this.deps.clock.now();
    const expiresAt = new Date(now.getTime() + ttlHours * 3_600_000);
    await this.deps.users.insertToken({
      id: this.deps.ids.snowflake(),
      user_id: user.id,
      token_hash: sha256(token),
      kind,
      expires_at: expiresAt,
      revoked_at: null,
      created_at: now,
    });
    return { token, expiresAt, user };
  }

  /**
   * Resolves a bearer token to its user; expired, revoked or unknown tokens are refused alike.
   * Remembered per node (AccessTokenCache) until it expires, is revoked or its user changes.
   */
  async authenticateToken(token: string): Promise<Actor> {
    const hash = sha256(token);
    const now = this.deps.clock.now();
    this.listenForChanges();
    const cached = this.crossNodeReady ? this.tokens.get(hash, now.getTime()) : undefined;
    if (cached) return cached;
    const mark = this.tokens.mark();
    // Plain rows with the columns needed: no model instances on a path every poll takes.
    const row = await this.deps.users.tokenHolder(hash, now);
    const user = row ? await this.deps.users.actorRow(row.user_id) : null;
    if (!row || !user || user.is_disabled) throw new UnauthorizedError('Invalid or expired token');
    const actor = toActor(user);
    if (this.crossNodeReady)
      this.tokens.put(hash, actor, new Date(row.expires_at).getTime(), now.getTime(), mark);
    return actor;
  }

  /** Revokes a token here and, through the event bus, in every node's token cache. */
  async revokeToken(token: string): Promise<void> {
    const hash = sha256(token);
    await this.deps.users.revokeToken(hash, this.deps.clock.now());
    this.tokens.forgetTokens([hash]);
    await announceIdentityChanged(this.deps.events, { tokenHashes: [hash] });
  }

  /** Checks the bots' shared credential in constant time. */
  verifyBotToken(candidate: string): boolean {
    const expected = this.deps.botApiToken;
    if (!expected) return false;
    // Bots send the credential with every call: its own hash is computed once, and the digests
    // are compared as bytes (no hex round trip on every call).
    if (this.botTokenHash?.token !== expected)
      this.botTokenHash = { token: expected, hash: createHash('sha256').update(expected).digest() };
    return timingSafeEqual(createHash('sha256').update(candidate).digest(), this.botTokenHash.hash);
  }

  /**
   * A bot acts for a platform user: first contact provisions a `user` with that identity.
   * Concurrent first contacts race on the unique (provider, subject) index; the loser re-reads.
   */
  async actForPlatformUser(
    botToken: string,
    platform: string,
    subject: string,
    displayName?: string,
  ): Promise<Actor> {
    if (!this.verifyBotToken(botToken)) throw new UnauthorizedError('Invalid bot credential');
    if (!PLATFORMS.includes(platform as Platform)) throw new ValidationError(`Unknown platform ${platform}`);
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(subject)) throw new ValidationError('Invalid platform user id');
    return this.platformActors.get(`${platform}:${subject}`, () =>
      this.provisionIdentity(platform, subject, displayName),
    );
  }

  /**
   * The user behind an identity (e.g. `wallet` + lowercase address), provisioned on first
   * contact. Wallet and bot users are the same user model.
   */
  async provisionIdentity(provider: string, subject: string, displayName?: string): Promise<Actor> {
    const found = await this.findByIdentity(provider, subject);
    if (found) {
      // Seen-at is coarse (it answers "is this member still around"): one write per identity
      // per SEEN_AT_RESOLUTION_MS, not one per cache reload of every active member.
      const now = this.deps.clock.now();
      const seen = found.identity.last_seen_at;
      if (!seen || now.getTime() - new Date(seen).getTime() >= SEEN_AT_RESOLUTION_MS)
        await this.deps.users.markSeen(provider, subject, now);
      return found.actor;
    }
    const now = this.deps.clock.now();
    const userId = this.deps.ids.snowflake();
    try {
      const user = await this.deps.users.createUserWithIdentity(
        {
          id: userId,
          username: null,
          display_name: displayName?.slice(0, 128) ?? `${provider}:${subject}`.slice(0, 128),
          role: 'user',
          created_at: now,
          updated_at: now,
        },
        {
          id: this.deps.ids.snowflake(),
          user_id: userId,
          provider,
          subject,
          secret_hash: null,
          display_name: displayName?.slice(0, 128) ?? null,
          created_at: now,
          last_seen_at: now,
        },
      );
      return toActor(user);
    } catch (error) {
      if (error instanceof AlreadyExistsError) {
        const winner = await this.findByIdentity(provider, subject);
        if (winner) return winner.actor;
      }
      throw error;
    }
  }

  /** Adds an identity to an existing user (a Discord member linking a wallet); refuses one held by another user. */
  async linkIdentity(user: Actor, provider: string, subject: string, displayName?: string): Promise<void> {
    const existing = await this.deps.users.identityOf(provider, subject);
    if (existing) {
      if (existing.user_id === user.id) return;
      throw new AppError('IDENTITY_TAKEN', `This ${provider} identity belongs to another user`, {
        status: 409,
      });
    }
    try {
      await this.deps.users.insertIdentity({
        id: this.deps.ids.snowflake(),
        user_id: user.id,
        provider,
        subject,
        secret_hash: null,
        display_name: displayName?.slice(0, 128) ?? null,
        created_at: this.deps.clock.now(),
        last_seen_at: null,
      });
    } catch (error) {
      if (error instanceof AlreadyExistsError)
        throw new AppError('IDENTITY_TAKEN', `This ${provider} identity belongs to another user`, {
          status: 409,
        });
      throw error;
    }
  }

  private async findByIdentity(
    provider: string,
    subject: string,
  ): Promise<{ actor: Actor; identity: IdentityRecord } | null> {
    const identity = await this.deps.users.identityOf(provider, subject);
    if (!identity) return null;
    const user = await this.deps.users.userById(identity.user_id);
    if (!user) return null;
    if (user.is_disabled) throw new UnauthorizedError('This account is disabled');
    return { actor: toActor(user), identity };
  }
}
