/**
 * Where conversation participants, invite codes and the bots' bound places are read and written
 * (ConversationMembership's facts). Its Sequelize adapter (membership.repository.ts in the
 * adapters folder) implements it.
 */
export interface MembershipRepository {
  isParticipant(conversationId: string, userId: string): Promise<boolean>;
  /** The conversation a bot place's active binding plays, or null (also when there are no bindings). */
  boundConversation(platform: string, channel: string): Promise<string | null>;
  /** Adds a participant row; one that exists already is left as it is. */
  addParticipant(row: {
    conversation_id: string;
    user_id: string;
    joined_via: 'creator' | 'invite';
    created_at: Date;
  }): Promise<void>;
  /** Conversations the user has a participant row in. */
  conversationsOf(userId: string): Promise<string[]>;
  createInvite(row: {
    id: string;
    conversation_id: string;
    code_hash: string;
    created_by: string;
    created_at: Date;
    expires_at: Date;
  }): Promise<void>;
  /**
   * Spends the unused, unexpired invite with this hash for `userId` (one conditional update, so two
   * callers racing with one code cannot both get in); its conversation, or null.
   */
  spendInvite(codeHash: string, userId: string, now: Date): Promise<string | null>;
  /** Deletes the participants and invites of these conversations. */
  forget(conversationIds: string[]): Promise<void>;
}
