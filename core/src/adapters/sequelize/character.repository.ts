import { Op } from 'sequelize';
import type { CharacterRecord, CharacterRepository } from '../../story/catalog/character.repository.js';
import type { CharacterRow, StoryModels } from './story.models.js';

/**
 * The `story_characters` table. Characters are answered as model instances (they have exactly the
 * record's columns), so `change` and `remove` act on the instance this repository answered.
 */
export function sequelizeCharacterRepository({
  Character,
}: Pick<StoryModels, 'Character'>): CharacterRepository {
  const instance = (row: CharacterRecord) => row as CharacterRow;
  return {
    byId: (id) => Character.findByPk(id),
    byIds: (ids) => Character.findAll({ where: { id: { [Op.in]: ids } } }),
    typesOf: (ids) =>
      Character.findAll({ where: { id: { [Op.in]: ids } }, attributes: ['id', 'character_type'] }),
    async page(ownerId, window) {
      const { rows, count } = await Character.findAndCountAll({
        where: ownerId === null ? {} : { user_id: ownerId },
        order: [['created_at', 'DESC']],
        ...window,
      });
      return { rows, total: count };
    },
    firstNarrator: () =>
      Character.findOne({ where: { character_type: 'narrator' }, order: [['created_at', 'ASC']] }),
    insert: (record) => Character.create(record),
    change: (row, patch) => instance(row).update(patch),
    async remove(row) {
      const before = instance(row).toJSON() as Record<string, unknown>;
      await instance(row).destroy();
      return before;
    },
  };
}
