import type { CharacterRecord } from './catalog/character.repository.js';

/** A story's characters in its `character_ids` order; ids with no character are left out. */
export function castInOrder(
  ids: readonly string[],
  characters: readonly CharacterRecord[],
): CharacterRecord[] {
  return ids
    .map((id) => characters.find((character) => character.id === id))
    .filter((character): character is CharacterRecord => !!character);
}
