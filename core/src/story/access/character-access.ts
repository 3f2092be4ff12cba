import { ForbiddenError, NotFoundError } from '../../errors.js';
import { isStaff, type Actor } from '../../identity/actor.js';

/*
 * Who may do what with a character (contract 002). A character's persona (description,
 * personality, background, image prompt, model) is its author's work and, for a private one, the
 * author's secret: it is sent to the model, never to other members. Knowing a character's id
 * (ids are time-ordered and guessable) is never permission.
 *
 * - private (the default for members' characters): the owner reads, uses (casts it, speaks as it),
 *   changes and deletes it; staff read, change and delete it (moderation) but do not use it.
 * - public (`is_public`, set by the owner; staff-made characters and the narrator are public):
 *   anyone signed in reads the whole card and may cast it or speak as it.
 * - cast in a published story: players see its public card (CharacterCard) and nothing more.
 */

/** What these rules and the cards read of a character. */
export interface CharacterFacts {
  id: string;
  name: string;
  user_id: string | null;
  character_type: string;
  is_public: boolean;
  description: string;
  image_url: string | null;
  icon_url: string | null;
  language: string | null;
}

/** Public characters are shared catalog: anyone may read and use them. */
export function isPublicCharacter(row: CharacterFacts): boolean {
  return row.character_type === 'narrator' || !!row.is_public;
}

const owns = (actor: Actor, row: CharacterFacts) => row.user_id !== null && row.user_id === actor.id;

/** The whole character, persona included. */
export function canReadCharacter(actor: Actor, row: CharacterFacts): boolean {
  return owns(actor, row) || isPublicCharacter(row) || isStaff(actor);
}

/**
 * Cast it in a story or speak as it. Staff do not get this from their role: a staff story casting
 * a member's private character would show it to every player.
 */
export function canUseCharacter(actor: Actor, row: CharacterFacts): boolean {
  return owns(actor, row) || isPublicCharacter(row);
}

/** Update or delete it (the owner; staff moderate). The narrator is nobody's to change. */
export function canChangeCharacter(actor: Actor, row: CharacterFacts): boolean {
  if (row.character_type === 'narrator') return isStaff(actor);
  return owns(actor, row) || isStaff(actor);
}

/**
 * Refuses use: 404 to whoever may not even read it (its existence stays hidden), 403 to a reader
 * (staff) who may not use it.
 */
export function assertCanUseCharacter<C extends CharacterFacts>(actor: Actor, row: C | null): C {
  if (!row || !canReadCharacter(actor, row)) throw new NotFoundError('Character');
  if (!canUseCharacter(actor, row))
    throw new ForbiddenError('Only your own or public characters can be cast or spoken as');
  return row;
}

/** What players of a published story see of a cast member that is not theirs to read. */
export interface CharacterCard {
  id: string;
  name: string;
  avatar: string | null;
  image_url: string | null;
  icon_url: string | null;
  character_type: string;
  language: string | null;
  is_public: boolean;
}

export function characterCard(row: CharacterFacts): CharacterCard {
  return {
    id: row.id,
    name: row.name,
    avatar: row.image_url,
    image_url: row.image_url,
    icon_url: row.icon_url,
    character_type: row.character_type,
    language: row.language,
    is_public: isPublicCharacter(row),
  };
}

/**
 * A story's `characterDetails` entry (contract shape). The contract shows `description`; it is
 * given only to whoever may read the character, and is empty for a private persona.
 */
export function castDetail(actor: Actor, row: CharacterFacts) {
  return {
    id: row.id,
    name: row.name,
    description: canReadCharacter(actor, row) ? row.description : '',
    image_url: row.image_url ?? '',
    icon_url: row.icon_url ?? '',
    character_type: row.character_type,
  };
}
