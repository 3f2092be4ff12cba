import { Op } from 'sequelize';
import type { StoryRecord, StoryRepository } from '../../story/catalog/story.repository.js';
import type { StoryModels, StoryRow } from './story.models.js';

/**
 * The `stories` table. Stories are answered as model instances (they have exactly the record's
 * columns), so `change` and `remove` act on the instance this repository answered.
 */
export function sequelizeStoryRepository({ Story }: Pick<StoryModels, 'Story'>): StoryRepository {
  const instance = (row: StoryRecord) => row as StoryRow;
  return {
    byId: (id) => Story.findByPk(id),
    async page(ownerId, window) {
      const { rows, count } = await Story.findAndCountAll({
        where: ownerId === null ? {} : { user_id: ownerId },
        order: [['created_at', 'DESC']],
        ...window,
      });
      return { rows, total: count };
    },
    published: (exceptIds, window) =>
      Story.findAll({
        where: { is_published: true, ...(exceptIds.length ? { id: { [Op.notIn]: exceptIds } } : {}) },
        order: [['created_at', 'DESC']],
        ...window,
      }),
    publishedCastsMentioning: (characterId) =>
      // `character_ids` is a JSON array kept as text: LIKE on the quoted id narrows it on both
      // engines (a wildcard in an id could only widen the match).
      Story.findAll({
        where: { is_published: true, character_ids: { [Op.like]: `%${JSON.stringify(characterId)}%` } },
        attributes: ['character_ids'],
      }),
    insert: (record) => Story.create(record),
    change: (row, patch) => instance(row).update(patch),
    async remove(row) {
      const before = instance(row).toJSON() as Record<string, unknown>;
      await instance(row).destroy();
      return before;
    },
    async storeIntroIfMissing(id, intro) {
      const [updated] = await Story.update(
        { generated_background: intro },
        { where: { id, generated_background: { [Op.is]: null } } },
      );
      return updated > 0;
    },
  };
}
