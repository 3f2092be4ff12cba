import { Op, literal } from 'sequelize';
import type { AiModelRepository } from '../../story/llm/ai-model.repository.js';
import type { StoryModels } from './story.models.js';

/** The `ai_models` table. */
export function sequelizeAiModelRepository({ AiModel }: Pick<StoryModels, 'AiModel'>): AiModelRepository {
  return {
    list(filter) {
      const where: Record<string, unknown> = {};
      if (!filter.includeInactive) where.is_active = true;
      if (filter.type) where.type = filter.type;
      if (filter.llmId) where.llm_id = filter.llmId;
      return AiModel.findAll({ where, order: [['llm_id', 'ASC']] });
    },
    byId(id) {
      return AiModel.findByPk(id);
    },
    active(llmId) {
      return AiModel.findOne({ where: { llm_id: llmId, is_active: true } });
    },
    firstActive(type) {
      return AiModel.findOne({ where: { type, is_active: true }, order: [['llm_id', 'ASC']] });
    },
    leastRecentlyUsed(type, exclude, limit) {
      // NULLs sort first on SQLite and MariaDB alike for ASC, so never-used models come first.
      return AiModel.findAll({
        where: { type, is_active: true, ...(exclude.length ? { id: { [Op.notIn]: exclude } } : {}) },
        order: [
          ['last_used_at', 'ASC'],
          ['usage_count', 'ASC'],
          ['llm_id', 'ASC'],
        ],
        limit,
      });
    },
    async claimUse(row, at) {
      const [affected] = await AiModel.update(
        { usage_count: row.usage_count + 1, last_used_at: at },
        { where: { id: row.id, usage_count: row.usage_count } },
      );
      return affected === 1;
    },
    async addUses(id, count, at) {
      await AiModel.update(
        { usage_count: literal(`usage_count + ${Number(count)}`) as unknown as number, last_used_at: at },
        { where: { id } },
      );
    },
  };
}
