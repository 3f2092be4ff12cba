/**
 * GET /api/v1/admin/overview as the dashboard reads it: the types are the contract's
 * (`@dreamloom/contracts`, staff.ts); only the dashboard's own constants live here.
 */
import type { GenerationFamily, OverviewRange } from '@dreamloom/contracts';

export type { FamilyFigures, GenerationFamily, OverviewRange, SystemOverview } from '@dreamloom/contracts';

/** The windows the dashboard offers (the contract's ranges; a value, so zod stays out of the bundle). */
export const OVERVIEW_RANGES = ['today', '7d', '30d'] as const satisfies readonly OverviewRange[];

/** One colour per family, the same in every chart and the table. */
export const FAMILY_COLORS: Record<GenerationFamily, string> = {
  jimeng: '#1677ff',
  anime_image: '#eb2f96',
  anime_video: '#722ed1',
  nanobanana: '#faad14',
  story_image: '#13c2c2',
  other: '#8c8c8c',
};
