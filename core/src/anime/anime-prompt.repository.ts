/**
 * What anime prompts are built from: contract 000's prompt templates and presets (staff-edited),
 * and the members' own story characters a create names. Its Sequelize adapter is the file of the
 * same name in the adapters folder.
 */

/** One `anime_prompt_templates` row; `variables` is the JSON list of TemplateVariable. */
export interface PromptTemplateRecord {
  id: string;
  template_key: string;
  name: string;
  template: string;
  variables: string;
  llm_instructions: string | null;
  is_active: boolean;
  created_at: Date;
  updated_at: Date;
}

/** One `anime_presets` row. */
export interface PresetRecord {
  id: string;
  kind: string;
  preset_key: string;
  name: string;
  prompt: string;
  sort_order: number;
  is_active: boolean;
  created_at: Date;
  updated_at: Date;
}

/** A story character as an anime prompt uses it (`story_characters`, contract 002's table). */
export interface PromptCharacterRecord {
  id: string;
  user_id: string | null;
  name: string;
  image_prompt: string | null;
  description: string;
}

export type TemplateValues = Pick<
  PromptTemplateRecord,
  'name' | 'template' | 'variables' | 'llm_instructions' | 'is_active' | 'updated_at'
>;
export type PresetValues = Pick<PresetRecord, 'name' | 'prompt' | 'sort_order' | 'is_active' | 'updated_at'>;
/** The fields a save sets only when it creates the row. */
export interface CreatedFields {
  id: string;
  created_at: Date;
}

export interface AnimePromptRepository {
  /** The active template with this key. */
  activeTemplate(templateKey: string): Promise<PromptTemplateRecord | null>;
  /** Every template, active or not, by key. */
  templates(): Promise<PromptTemplateRecord[]>;
  /** Replaces the values of the template with this key, or creates it. */
  saveTemplate(templateKey: string, values: TemplateValues, created: CreatedFields): Promise<void>;
  /** Active presets (of one kind, or all), in menu order: kind, then sort_order. */
  activePresets(kind?: string): Promise<PresetRecord[]>;
  /** Active presets of one kind, unordered (a create looks its chosen one up among them). */
  activePresetsOf(kind: string): Promise<PresetRecord[]>;
  /** Staff: every preset (of one kind, or all), by kind, sort_order, then key. */
  presets(kind?: string): Promise<PresetRecord[]>;
  /** Replaces the values of the preset with this kind and key, or creates it. */
  savePreset(kind: string, presetKey: string, values: PresetValues, created: CreatedFields): Promise<void>;
  /** The characters with these ids that exist, whoever owns them. */
  characters(ids: string[]): Promise<PromptCharacterRecord[]>;
  /** Who owns a character; null when there is none with this id. */
  characterOwner(id: string): Promise<{ user_id: string | null } | null>;
}
