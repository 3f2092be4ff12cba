import { Op, UniqueConstraintError, type Sequelize } from 'sequelize';
import {
  AlreadyExistsError,
  type AccessTokenRecord,
  type IdentityRecord,
  type IdentityRepository,
  type TokenHolder,
  type UserRecord,
} from '../../identity/identity.repository.js';
import type { DreamloomModels, IdentityRow } from './models.js';

/** Runs a write, turning the database's unique-constraint error into the port's AlreadyExistsError. */
async function uniquely<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof UniqueConstraintError) throw new AlreadyExistsError(error);
    throw error;
  }
}

/**
 * The identity port on Sequelize (`users`, `identities`, `access_tokens`), with the queries
 * IdentityService ran itself before the port: the token lookup reads plain rows of the needed
 * columns only, since every authenticated request that misses the token cache takes it.
 */
export class SequelizeIdentityRepository implements IdentityRepository {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly models: Pick<DreamloomModels, 'User' | 'Identity' | 'AccessToken'>,
  ) {}

  anyAdmin(): Promise<UserRecord | null> {
    return this.models.User.findOne({ where: { role: 'admin' } });
  }

  userById(id: string): Promise<UserRecord | null> {
    return this.models.User.findByPk(id);
  }

  async actorRow(id: string) {
    return (await this.models.User.findByPk(id, {
      attributes: ['id', 'role', 'username', 'display_name', 'is_disabled'],
      raw: true,
    })) as Pick<UserRecord, 'id' | 'role' | 'username' | 'display_name' | 'is_disabled'> | null;
  }

  createUserWithIdentity(
    user: Omit<UserRecord, 'is_disabled'>,
    identity: IdentityRecord,
  ): Promise<UserRecord> {
    return uniquely(() =>
      this.sequelize.transaction(async (transaction) => {
        const created = await this.models.User.create(user, { transaction });
        await this.models.Identity.create(identity, { transaction });
        return created;
      }),
    );
  }

  identityOf(provider: string, subject: string): Promise<IdentityRecord | null> {
    return this.models.Identity.findOne({ where: { provider, subject } });
  }

  identityOfUser(userId: string, provider: string): Promise<IdentityRecord | null> {
    return this.models.Identity.findOne({ where: { user_id: userId, provider } });
  }

  async insertIdentity(identity: IdentityRecord): Promise<void> {
    await uniquely(() => this.models.Identity.create(identity));
  }

  async identitySeen(identity: IdentityRecord, at: Date): Promise<void> {
    await (identity as IdentityRow).update({ last_seen_at: at });
  }

  async markSeen(provider: string, subject: string, at: Date): Promise<void> {
    await this.models.Identity.update({ last_seen_at: at }, { where: { provider, subject } });
  }

  async insertToken(token: AccessTokenRecord): Promise<void> {
    await this.models.AccessToken.create(token);
  }

  async tokenHolder(tokenHash: string, now: Date): Promise<TokenHolder | null> {
    return (await this.models.AccessToken.findOne({
      attributes: ['user_id', 'expires_at'],
      where: { token_hash: tokenHash, revoked_at: null, expires_at: { [Op.gt]: now } },
      raw: true,
    })) as TokenHolder | null;
  }

  async revokeToken(tokenHash: string, at: Date): Promise<void> {
    await this.models.AccessToken.update({ revoked_at: at }, { where: { token_hash: tokenHash } });
  }
}
