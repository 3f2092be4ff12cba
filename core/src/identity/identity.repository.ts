/**
 * The identity aggregate's port: users, their sign-in identities and access tokens. IdentityService
 * reads and writes them only through it (the Sequelize adapter identity.repository.ts for the database).
 */

/** One stored user. */
export interface UserRecord {
  id: string;
  username: string | null;
  display_name: string | null;
  role: string;
  is_disabled: boolean;
  created_at: Date;
  updated_at: Date;
}

/** One sign-in identity of a user (password, wallet, discord, telegram). */
export interface IdentityRecord {
  id: string;
  user_id: string;
  provider: string;
  subject: string;
  secret_hash: string | null;
  display_name: string | null;
  created_at: Date;
  last_seen_at: Date | null;
}

/** One stored access token (only its hash is kept). */
export interface AccessTokenRecord {
  id: string;
  user_id: string;
  token_hash: string;
  kind: string;
  expires_at: Date;
  revoked_at: Date | null;
  created_at: Date;
}

/** The columns a token lookup answers with: whose it is and until when. */
export interface TokenHolder {
  user_id: string;
  expires_at: Date | string;
}

/**
 * A write met a unique index already holding its value: a username, or an identity's
 * (provider, subject). Adapters throw it for the database's unique-constraint error.
 */
export class AlreadyExistsError extends Error {
  constructor(cause?: unknown) {
    super('A unique user or identity column already holds this value', { cause });
    this.name = 'AlreadyExistsError';
  }
}

export interface IdentityRepository {
  /** Some admin user, if any exists. */
  anyAdmin(): Promise<UserRecord | null>;
  userById(id: string): Promise<UserRecord | null>;
  /**
   * The columns a bearer check needs of a user (id, role, names, standing), as a plain row: this
   * read is on the path of every authenticated request.
   */
  actorRow(
    id: string,
  ): Promise<Pick<UserRecord, 'id' | 'role' | 'username' | 'display_name' | 'is_disabled'> | null>;
  /** Creates a user and its first identity in one transaction. Throws AlreadyExistsError. */
  createUserWithIdentity(
    user: Omit<UserRecord, 'is_disabled'>,
    identity: IdentityRecord,
  ): Promise<UserRecord>;
  identityOf(provider: string, subject: string): Promise<IdentityRecord | null>;
  /** One identity of the user with this provider (a wallet's address names a story's creator). */
  identityOfUser(userId: string, provider: string): Promise<IdentityRecord | null>;
  /** Adds an identity. Throws AlreadyExistsError when (provider, subject) is held. */
  insertIdentity(identity: IdentityRecord): Promise<void>;
  /** Stamps an identity this repository returned as seen at `at`. */
  identitySeen(identity: IdentityRecord, at: Date): Promise<void>;
  /** Stamps the identity (provider, subject) as seen at `at`. */
  markSeen(provider: string, subject: string, at: Date): Promise<void>;
  insertToken(token: AccessTokenRecord): Promise<void>;
  /** Who holds the unrevoked token with this hash, when it expires after `now`. */
  tokenHolder(tokenHash: string, now: Date): Promise<TokenHolder | null>;
  /** Revokes every token with this hash. */
  revokeToken(tokenHash: string, at: Date): Promise<void>;
}
