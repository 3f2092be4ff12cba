import { z } from 'zod';
import { SPEAKER_STRATEGIES } from './speaker-selector.js';

/**
 * A story's `setting` (contract 002 `POST /stories`), with the engine's own optional knobs in
 * `config`: speaker_strategy (natural by default), allow_self_responses (off), picker_model.
 */
export const storySettingSchema = z
  .object({
    config: z
      .object({
        model: z.string().max(128).optional(),
        temperature: z.number().min(0).max(2).optional(),
        history_length: z.number().int().min(1).max(200).optional(),
        summary_length: z.number().int().min(10).max(2000).optional(),
        speaker_strategy: z.enum(SPEAKER_STRATEGIES).default('natural'),
        allow_self_responses: z.boolean().default(false),
        picker_model: z.string().max(128).optional(),
      })
      .passthrough()
      .default({ speaker_strategy: 'natural', allow_self_responses: false }),
    background: z.string().max(20_000).optional(),
    character_ids: z.array(z.union([z.string(), z.number()])).optional(),
    opening_messages: z
      .array(z.object({ content: z.string().max(20_000), character_id: z.union([z.string(), z.number()]) }))
      .default([]),
    character_background: z.string().max(20_000).optional(),
  })
  .passthrough();

export type StorySetting = z.infer<typeof storySettingSchema>;

export function parseSetting(json: string): StorySetting {
  let raw: unknown = {};
  try {
    raw = JSON.parse(json);
  } catch {
    raw = {};
  }
  const parsed = storySettingSchema.safeParse(raw ?? {});
  return parsed.success ? parsed.data : storySettingSchema.parse({});
}
