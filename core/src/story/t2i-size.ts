import { ValidationError } from '../errors.js';
import type { ImageTaskParams } from '../generation/generation.types.js';

/**
 * Contract 002's text-to-image sizes (`支持的图片尺寸：1024*1024, 720*1280, 1280*720`) in the
 * terms the image provider takes: Jimeng gateways refuse `size`/`width`/`height` and want a ratio
 * and a resolution tier (PROVIDERS.md §1). Each size maps to its exact ratio and the smallest
 * tier whose output is at least that large in both sides (1k 9:16 is only 576×1024, 2k is
 * 1440×2560), so a client never gets less detail than it asked for.
 */
const SIZES: Record<string, Pick<ImageTaskParams, 'ratio' | 'resolution'>> = {
  '1024*1024': { ratio: '1:1', resolution: '1k' },
  '720*1280': { ratio: '9:16', resolution: '2k' },
  '1280*720': { ratio: '16:9', resolution: '2k' },
};

export const T2I_SIZES = Object.keys(SIZES);
export const DEFAULT_T2I_SIZE = '1024*1024';

/**
 * The provider parameters of a contract size. `720x1280` (the OpenAI spelling) is read as
 * `720*1280`; any other size is a 400.
 */
export function t2iSizeParams(size: string | undefined): Pick<ImageTaskParams, 'ratio' | 'resolution'> {
  const normalized = (size ?? DEFAULT_T2I_SIZE).trim().replace(/\s*[xX×]\s*/, '*');
  const params = SIZES[normalized];
  if (!params) throw new ValidationError(`size must be one of ${T2I_SIZES.join(', ')}`);
  return { ...params };
}
