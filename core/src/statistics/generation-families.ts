import { PROVIDER_FAILURES } from '../generation/generation-failures.js';
import { NANOBANANA_SOURCE } from '../nanobanana/nanobanana.types.js';

/**
 * The generation families the overview reports, each the `source` its tasks are stored with in
 * generation_tasks (one table serves every contract, so one query counts them all):
 * Jimeng studio (003), anime images (000) and videos (001), NanoBanana (004), and the story
 * images of contract 002 (character avatars and scene backgrounds).
 */
export const GENERATION_FAMILIES = [
  { family: 'jimeng', source: 'jimeng' },
  { family: 'anime_image', source: 'anime' },
  { family: 'anime_video', source: 'anime-video' },
  { family: 'nanobanana', source: NANOBANANA_SOURCE },
  { family: 'story_image', source: 'story' },
] as const;

export type GenerationFamily = (typeof GENERATION_FAMILIES)[number]['family'] | 'other';

const FAMILY_BY_SOURCE = new Map<string, GenerationFamily>(
  GENERATION_FAMILIES.map(({ family, source }) => [source, family]),
);

/** A source no family claims (a future one) is still counted, as `other`. */
export const familyOfSource = (source: string): GenerationFamily => FAMILY_BY_SOURCE.get(source) ?? 'other';

const PROVIDER_KINDS = new Set(Object.keys(PROVIDER_FAILURES));

/**
 * The class of a stored task error code. The engine stores a provider failure as `PROVIDER_<KIND>`
 * (rate_limited, timeout, content_blocked, … the ProviderFailureKind table in
 * generation-failures.ts), which is its class; any other code is task-level (GENERATION_FAILED:
 * retries ran out, NO_ACCOUNT_AVAILABLE, PROVIDER_NOT_CONFIGURED, kie.ai's
 * PROVIDER_GENERATION_FAILED, …) and is its own class. A failure stored without a code is `unknown`.
 */
export function errorClassOf(code: string | null): string {
  if (!code) return 'unknown';
  const kind = code.startsWith('PROVIDER_') ? code.slice('PROVIDER_'.length).toLowerCase() : null;
  return kind && PROVIDER_KINDS.has(kind) ? kind : code.toLowerCase();
}
