import { ValidationError } from '../errors.js';

/**
 * Every opening message is spoken by a member of the story's cast: a line from anyone else would
 * be stored without a speaker and shown as nobody's. Used where openings arrive — a story's
 * publish/create/update (`opening_messages`) and a new conversation's own `messages`.
 */
export function assertOpeningsSpokenByCast(openings: unknown, castIds: string[], field: string): void {
  if (!Array.isArray(openings)) return;
  openings.forEach((opening: { character_id?: unknown; character?: unknown }, index) => {
    const speaker = opening?.character_id ?? opening?.character;
    if (speaker === undefined || speaker === null || !castIds.includes(String(speaker)))
      throw new ValidationError(`${field}.${index}: character ${String(speaker)} is not in the story's cast`);
  });
}
