import { MediaResolution, Modality, ThinkingLevel, type GenerationConfig } from '@google/genai';
import { z } from 'zod';

/**
 * Contract 004's `options`: "映射到 SDK 生成配置（如 temperature/seed/topP/topK 等）". Every field of
 * @google/genai's GenerationConfig that means something for an image answer is accepted with
 * the SDK's own type; fields for other outputs (JSON schemas, speech, audio, logprobs, routing,
 * translation) and unknown keys are refused. `satisfies` below keeps this list honest: a field
 * the SDK does not have, or a type it would not take, fails the build.
 */
const generationOptionsShape = {
  temperature: z.number().min(0).max(2),
  topP: z.number().min(0).max(1),
  topK: z.number().int().positive(),
  seed: z.number().int(),
  /** Gemini's image models answer one candidate; more would be charged and thrown away. */
  candidateCount: z.literal(1),
  maxOutputTokens: z.number().int().positive(),
  presencePenalty: z.number().min(-2).max(2),
  frequencyPenalty: z.number().min(-2).max(2),
  stopSequences: z.array(z.string().max(200)).max(5),
  /** How finely reference images are read. */
  mediaResolution: z.enum(MediaResolution),
  /** Text beside the image may be dropped, but the answer must still carry an image. */
  responseModalities: z
    .array(z.enum([Modality.TEXT, Modality.IMAGE]))
    .min(1)
    .refine((modalities) => modalities.includes(Modality.IMAGE), 'must include IMAGE'),
  /** Gemini 3 Pro image thinks before drawing. */
  thinkingConfig: z
    .object({
      includeThoughts: z.boolean(),
      thinkingBudget: z.number().int().min(-1),
      thinkingLevel: z.enum(ThinkingLevel),
    })
    .partial()
    .strict(),
} satisfies { [K in keyof GenerationConfig]?: z.ZodType<GenerationConfig[K]> };

export const generationOptionsSchema = z.object(generationOptionsShape).partial().strict();

/** The caller's generation settings, ready to spread into the SDK's config. */
export type GenerationOptions = z.infer<typeof generationOptionsSchema>;

/** Fields `options` may set, for messages and documentation. */
export const GENERATION_OPTION_FIELDS = Object.keys(generationOptionsShape);
