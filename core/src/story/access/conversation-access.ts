import { ForbiddenError, NotFoundError } from '../../errors.js';
import { isStaff, type Actor } from '../../identity/actor.js';

/*
 * Who may do what with a conversation (contract 002) and its messages. A conversation is a
 * private room: its id is time-ordered and guessable, so knowing it is never permission.
 *
 * Participants read the whole history, post, stream replies, regenerate, invite and end it:
 * - its creator (always the first participant);
 * - whoever redeemed an invite code a participant made (POST /conversation/{id}/invite, then
 *   POST /conversation/join);
 * - a platform member acting through the bot in the Discord thread / Telegram chat the
 *   conversation is bound to (the bot names the place with X-Platform-Channel): a bound channel
 *   is played by everyone in it, and the binding, not a row per member, is what grants that.
 *
 * Staff who are not participants moderate: they read and subscribe, and may end a conversation,
 * but never write into members' conversations (403). Everyone else is told the conversation does
 * not exist (404), whatever they try, so its existence is not revealed either.
 */

export type ConversationStanding = 'participant' | 'moderator' | 'none';

export type ConversationAction =
  /** history, socket room */
  | 'read'
  /** post, generate a reply, regenerate, continue, invite */
  | 'write'
  /** end it */
  | 'end';

/** What the membership store knows about the caller and this conversation. */
export interface ConversationFacts {
  creatorId: string;
  /** A participant row (creator or invite). */
  isParticipant: boolean;
  /** The caller acts through the bot in the place this conversation is bound to. */
  playsBoundPlace: boolean;
}

export function standingOf(actor: Actor, facts: ConversationFacts): ConversationStanding {
  if (facts.creatorId === actor.id || facts.isParticipant || facts.playsBoundPlace) return 'participant';
  return isStaff(actor) ? 'moderator' : 'none';
}

export function mayDo(standing: ConversationStanding, action: ConversationAction): boolean {
  if (standing === 'participant') return true;
  if (standing === 'moderator') return action !== 'write';
  return false;
}

/** 404 to outsiders (nothing revealed), 403 to staff writing into a member's conversation. */
export function assertMayDo(standing: ConversationStanding, action: ConversationAction): void {
  if (mayDo(standing, action)) return;
  if (standing === 'none') throw new NotFoundError('Conversation');
  throw new ForbiddenError("Staff may read members' conversations but not write in them");
}

/**
 * Editing one message, for a caller who may write in its conversation: a human line by its
 * author; a character's line by the conversation's creator (it is their story's telling).
 */
export function mayEditMessage(
  actor: Actor,
  message: { role: string; author_user_id: string | null },
  creatorId: string,
): boolean {
  return message.role === 'user' ? message.author_user_id === actor.id : creatorId === actor.id;
}
