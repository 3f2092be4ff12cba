import type { Sequelize } from 'sequelize';
import type {
  AnimePromptRepository,
  CreatedFields,
  PresetRecord,
  PresetValues,
  PromptCharacterRecord,
  PromptTemplateRecord,
  TemplateValues,
} from '../../anime/anime-prompt.repository.js';
import type { AnimeModels } from './anime.models.js';

/**
 * Contract 000's templates and presets (`anime_prompt_templates`, `anime_presets`) and the story
 * characters a prompt names, read from contract 002's `story_characters` with plain SQL (the
 * story models are the story's; anime only reads these columns).
 */
export class SequelizeAnimePromptRepository implements AnimePromptRepository {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly models: Pick<AnimeModels, 'AnimePromptTemplate' | 'AnimePreset'>,
  ) {}

  activeTemplate(templateKey: string): Promise<PromptTemplateRecord | null> {
    return this.models.AnimePromptTemplate.findOne({ where: { template_key: templateKey, is_active: true } });
  }

  templates(): Promise<PromptTemplateRecord[]> {
    return this.models.AnimePromptTemplate.findAll({ order: [['template_key', 'ASC']] });
  }

  async saveTemplate(templateKey: string, values: TemplateValues, created: CreatedFields): Promise<void> {
    const { AnimePromptTemplate } = this.models;
    const existing = await AnimePromptTemplate.findOne({ where: { template_key: templateKey } });
    if (existing) await existing.update(values);
    else await AnimePromptTemplate.create({ ...created, template_key: templateKey, ...values });
  }

  activePresets(kind?: string): Promise<PresetRecord[]> {
    return this.models.AnimePreset.findAll({
      where: { is_active: true, ...(kind ? { kind } : {}) },
      order: [
        ['kind', 'ASC'],
        ['sort_order', 'ASC'],
      ],
    });
  }

  activePresetsOf(kind: string): Promise<PresetRecord[]> {
    return this.models.AnimePreset.findAll({ where: { kind, is_active: true } });
  }

  presets(kind?: string): Promise<PresetRecord[]> {
    return this.models.AnimePreset.findAll({
      where: kind ? { kind } : {},
      order: [
        ['kind', 'ASC'],
        ['sort_order', 'ASC'],
        ['preset_key', 'ASC'],
      ],
    });
  }

  async savePreset(
    kind: string,
    presetKey: string,
    values: PresetValues,
    created: CreatedFields,
  ): Promise<void> {
    const { AnimePreset } = this.models;
    const existing = await AnimePreset.findOne({ where: { kind, preset_key: presetKey } });
    if (existing) await existing.update(values);
    else await AnimePreset.create({ ...created, kind, preset_key: presetKey, ...values });
  }

  async characters(ids: string[]): Promise<PromptCharacterRecord[]> {
    const [rows] = await this.sequelize.query(
      `SELECT id, user_id, name, image_prompt, description FROM story_characters WHERE id IN (${ids.map(() => '?').join(', ')})`,
      { replacements: ids },
    );
    return rows as PromptCharacterRecord[];
  }

  async characterOwner(id: string): Promise<{ user_id: string | null } | null> {
    const [rows] = await this.sequelize.query('SELECT user_id FROM story_characters WHERE id = ?', {
      replacements: [id],
    });
    return (rows as Array<{ user_id: string | null }>)[0] ?? null;
  }
}
