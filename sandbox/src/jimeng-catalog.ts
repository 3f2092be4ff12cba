import type { PixelSize } from './image-render.service.js';
import type { JimengAccount } from './jimeng-account.store.js';

/**
 * Models, sizes and duration rules as iptag/jimeng-api applies them (src/api/consts/common.ts,
 * builders/payload-builder.ts, routes/videos.ts). Errors raised here are the gateway's plain
 * `Error`s, which it reports as -1000.
 */
export class GatewayError extends Error {}

export const DEFAULT_IMAGE_MODEL = 'jimeng-4.5';
export const DEFAULT_VIDEO_MODEL = 'jimeng-video-3.5-pro';

const IMAGE_MODELS_CN = [
  'jimeng-5.0',
  'jimeng-4.6',
  'jimeng-4.5',
  'jimeng-4.1',
  'jimeng-4.0',
  'jimeng-3.1',
  'jimeng-3.0',
];
const IMAGE_MODELS_US = [
  'jimeng-4.5',
  'jimeng-4.1',
  'jimeng-4.0',
  'jimeng-3.0',
  'nanobanana',
  'nanobananapro',
];
const IMAGE_MODELS_ASIA = [
  'jimeng-5.0',
  'jimeng-4.6',
  'jimeng-4.5',
  'jimeng-4.1',
  'jimeng-4.0',
  'jimeng-3.0',
  'nanobanana',
  'nanobananapro',
];

const VIDEO_MODELS_CN = [
  'jimeng-video-seedance-2.0',
  'jimeng-video-seedance-2.0-fast',
  'jimeng-video-3.5-pro',
  'jimeng-video-3.0-pro',
  'jimeng-video-3.0',
  'jimeng-video-3.0-fast',
  'jimeng-video-2.0',
  'jimeng-video-2.0-pro',
];
const VIDEO_MODELS_US = ['jimeng-video-3.5-pro', 'jimeng-video-3.0'];
const VIDEO_MODELS_ASIA = [
  'jimeng-video-veo3',
  'jimeng-video-veo3.1',
  'jimeng-video-sora2',
  'jimeng-video-3.5-pro',
  'jimeng-video-3.0-pro',
  'jimeng-video-3.0',
  'jimeng-video-3.0-fast',
  'jimeng-video-2.0',
  'jimeng-video-2.0-pro',
];

/**
 * Output sizes per resolution and ratio. Taken from the gateway's table, except that its 1k
 * 4:3 and 3:4 rows are swapped there (4:3 = 768x1024); here 4:3 is landscape at every size.
 */
const SIZES: Record<string, Record<string, [number, number]>> = {
  '1k': {
    '1:1': [1024, 1024],
    '4:3': [1024, 768],
    '3:4': [768, 1024],
    '16:9': [1024, 576],
    '9:16': [576, 1024],
    '3:2': [1024, 682],
    '2:3': [682, 1024],
    '21:9': [1195, 512],
  },
  '2k': {
    '1:1': [2048, 2048],
    '4:3': [2304, 1728],
    '3:4': [1728, 2304],
    '16:9': [2560, 1440],
    '9:16': [1440, 2560],
    '3:2': [2496, 1664],
    '2:3': [1664, 2496],
    '21:9': [3024, 1296],
  },
  '4k': {
    '1:1': [4096, 4096],
    '4:3': [4608, 3456],
    '3:4': [3456, 4608],
    '16:9': [5120, 2880],
    '9:16': [2880, 5120],
    '3:2': [4992, 3328],
    '2:3': [3328, 4992],
    '21:9': [6048, 2592],
  },
};

/** The model the gateway will actually use for this account's site. */
export function resolveImageModel(model: string | undefined, account: JimengAccount): string {
  const requested = model ?? DEFAULT_IMAGE_MODEL;
  const models =
    account.region === 'cn' ? IMAGE_MODELS_CN : account.region === 'us' ? IMAGE_MODELS_US : IMAGE_MODELS_ASIA;
  if (models.includes(requested)) return requested;
  // China falls back to the default silently; international sites refuse unknown models.
  if (account.region === 'cn' || requested === DEFAULT_IMAGE_MODEL) return DEFAULT_IMAGE_MODEL;
  throw new GatewayError(`国际版不支持模型 "${requested}"。支持的模型: ${models.join(', ')}`);
}

export function imageSize(
  model: string,
  account: JimengAccount,
  resolution = '2k',
  ratio = '1:1',
): PixelSize {
  // nanobanana is pinned by the international sites whatever was asked for.
  if (model === 'nanobanana' && account.region === 'us') return { width: 1024, height: 1024 };
  const effective = model === 'nanobanana' ? '1k' : resolution;
  const group = SIZES[effective];
  if (!group) {
    throw new GatewayError(`不支持的分辨率 "${resolution}"。支持的分辨率: ${Object.keys(SIZES).join(', ')}`);
  }
  const size = group[ratio];
  if (!size) {
    throw new GatewayError(
      `在 "${effective}" 分辨率下，不支持的比例 "${ratio}"。支持的比例: ${Object.keys(group).join(', ')}`,
    );
  }
  return { width: size[0], height: size[1] };
}

/** Unknown video models silently become the default, as in the gateway. */
export function resolveVideoModel(model: string | undefined, account: JimengAccount): string {
  const models =
    account.region === 'cn' ? VIDEO_MODELS_CN : account.region === 'us' ? VIDEO_MODELS_US : VIDEO_MODELS_ASIA;
  const requested = model ?? DEFAULT_VIDEO_MODEL;
  return models.includes(requested) ? requested : DEFAULT_VIDEO_MODEL;
}

/** The gateway's per-model duration check (on the model name as sent). */
export function checkVideoDuration(model: string | undefined, duration: number): void {
  const name = model ?? DEFAULT_VIDEO_MODEL;
  if (!Number.isInteger(duration)) throw new GatewayError(`duration 必须是整数，当前值: ${duration}`);
  let valid: number[];
  let message: string;
  if (name.includes('veo3')) [valid, message] = [[8], 'veo3 模型仅支持 8 秒时长'];
  else if (name.includes('sora2')) [valid, message] = [[4, 8, 12], 'sora2 模型仅支持 4、8、12 秒时长'];
  else if (name.includes('3.5-pro') || name.includes('3.5_pro')) {
    [valid, message] = [[5, 10, 12], '3.5-pro 模型仅支持 5、10、12 秒时长'];
  } else if (name.includes('seedance-2.0')) {
    if (duration < 4 || duration > 15) {
      throw new GatewayError(`seedance 2.0/2.0-fast 模型支持 4~15 秒时长，当前值: ${duration}`);
    }
    return;
  } else [valid, message] = [[5, 10], '该模型仅支持 5、10 秒时长'];
  if (!valid.includes(duration)) throw new GatewayError(`${message}，当前值: ${duration}`);
}

/** Points a call costs in the sandbox (the real prices are not public). */
export function imageCost(resolution: string | undefined): number {
  return resolution === '4k' ? 2 : 1;
}

export function videoCost(duration: number): number {
  return Math.max(1, duration);
}
