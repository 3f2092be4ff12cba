/**
 * Where wallet logins keep each user's live `paw_` token (sealed), so a login while it lives
 * returns the same token. Its Sequelize adapter (paw-session.repository.ts in the adapters
 * folder) implements it.
 */

/** One user's wallet session. */
export interface PawSessionRecord {
  user_id: string;
  token_hash: string;
  /** The live token sealed with SecretBox. */
  token_enc: string;
  expires_at: Date;
  last_login_at: Date;
}

export interface PawSessionRepository {
  session(userId: string): Promise<PawSessionRecord | null>;
  /** Writes the user's session (creates it, or replaces the fields of the one there is). */
  save(session: PawSessionRecord): Promise<void>;
  touch(userId: string, lastLoginAt: Date): Promise<void>;
}
