import { ForbiddenError, NotFoundError } from '../../errors.js';
import { isStaff, type Actor } from '../../identity/actor.js';

/*
 * Who may do what with a story (contract 002).
 * - a draft (not published) is its author's: only the author and staff read it, start a
 *   conversation of it, change or delete it; to anyone else it does not exist (404).
 * - a published story is read by anyone signed in, and anyone may start their own conversation
 *   of it; only its author and staff (moderation) change or delete it (403 to others, who can see
 *   that it exists).
 */

/** What these rules read of a story. */
export interface StoryOwnership {
  user_id: string;
  is_published: boolean;
}

export function canReadStory(actor: Actor, story: StoryOwnership): boolean {
  return !!story.is_published || story.user_id === actor.id || isStaff(actor);
}

export function canChangeStory(actor: Actor, story: StoryOwnership): boolean {
  return story.user_id === actor.id || isStaff(actor);
}

/** Reading or starting a conversation of it: 404 when the caller may not see it. */
export function assertCanReadStory<S extends StoryOwnership>(actor: Actor, story: S | null): S {
  if (!story || !canReadStory(actor, story)) throw new NotFoundError('Story');
  return story;
}

/** Updating or deleting it: 404 when the caller may not see it, 403 when they may only read it. */
export function assertCanChangeStory<S extends StoryOwnership>(actor: Actor, story: S | null): S {
  const row = assertCanReadStory(actor, story);
  if (!canChangeStory(actor, row)) throw new ForbiddenError('Not your story');
  return row;
}
