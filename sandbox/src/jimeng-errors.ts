import type { FaultSpec } from './sandbox.types.js';

/** The body a jimeng-api gateway sends (with HTTP 200) for every failure. */
export interface JimengErrorBody {
  code: number;
  message: string;
  data: null;
}

/** What the failure is about; a few messages differ between image and video calls. */
export type JimengJob = 'image' | 'video' | 'token';

const historyId = () => String(Math.floor(1e15 + Math.random() * 9e15));

/**
 * Messages as iptag/jimeng-api formats them (src/lib/error-handler.ts, controllers/*.ts):
 * upstream `ret` codes surface inside -2001 messages as `(错误码: N)`.
 */
const KINDS: Record<string, (job: JimengJob) => JimengErrorBody> = {
  'system-error': () => body(-1000, '系统异常'),
  'invalid-params': () => body(-2000, '[参数错误]: invalid parameter'),
  'request-failed': () => body(-2001, '[服务器错误]: 即梦服务器暂时不可用 (502)'),
  'no-credits': () => body(-2001, '[请求失败]: Not enough credits left (错误码: 1006)'),
  'anti-bot': () => body(-2001, '[请求失败]: shark not pass (错误码: 1019)'),
  'permission-denied': () => body(-2001, '[请求失败]: permission denied (错误码: 3018)'),
  // Transport trouble between the gateway and Jimeng (error-handler.ts handleNetworkError), all -2001:
  // an upstream HTTP 429, a timeout (ECONNABORTED), an unknown host (ENOTFOUND), an upstream 5xx.
  'rate-limited': () => body(-2001, '[请求频率限制]: 请求过于频繁，请稍后重试'),
  'request-timeout': () => body(-2001, '[请求超时]: 网络请求超时，请稍后重试'),
  'network-error': () => body(-2001, '[网络错误]: 无法连接到即梦服务器，请检查网络连接'),
  'server-error': () => body(-2001, '[服务器错误]: 即梦服务器暂时不可用 (502)'),
  'session-expired': () => body(-2002, '[登录失效]: login error。请重新获取refresh_token并更新配置'),
  'bad-file': () => body(-2003, 'File https://example.invalid/input.png is not valid: [404] Not Found'),
  'file-too-large': () => body(-2004, 'File https://example.invalid/input.png is not valid'),
  'content-blocked': () => body(-2006, '[内容违规]: 内容由于合规问题已被阻止生成'),
  'result-blocked': (job) =>
    job === 'video'
      ? body(-2008, '视频生成失败，状态码: 30，错误码: 2038')
      : body(-2007, '图像生成失败，状态码: 30，错误码: 2038'),
  // The gateway reports every polling timeout as an image failure, even for videos.
  'generation-timeout': () => body(-2007, `生成超时且无结果，状态码: 20，历史ID: ${historyId()}`),
  'image-failed': () => body(-2007, '[生成失败]: generate failed'),
  'video-failed': () => body(-2008, '[视频生成失败]: generate failed'),
  'insufficient-points': () =>
    body(
      -2009,
      '[积分不足]: credit prededuct not enough。建议：1)尝试使用1024x1024分辨率，2)检查是否需要购买积分，3)确认账户状态正常',
    ),
};

/** The kind a bare `code` fault stands for. */
const CODE_DEFAULTS: Record<number, string> = {
  [-1000]: 'system-error',
  [-2000]: 'invalid-params',
  [-2001]: 'request-failed',
  [-2002]: 'session-expired',
  [-2003]: 'bad-file',
  [-2004]: 'file-too-large',
  [-2006]: 'content-blocked',
  [-2007]: 'image-failed',
  [-2008]: 'video-failed',
  [-2009]: 'insufficient-points',
};

const ALIASES: Record<string, string> = {
  blocked: 'content-blocked',
  timeout: 'generation-timeout',
  '1006': 'no-credits',
};

/** Behaviour kinds that are not error bodies. */
export const JIMENG_BEHAVIOUR_KINDS = ['slow'] as const;

export const JIMENG_FAULT_KINDS = [...Object.keys(KINDS), ...JIMENG_BEHAVIOUR_KINDS];

export function body(code: number, message: string): JimengErrorBody {
  return { code, message, data: null };
}

function kindOf(fault: Pick<FaultSpec, 'code' | 'kind'>): string | undefined {
  if (fault.kind !== undefined) return ALIASES[fault.kind] ?? fault.kind;
  return fault.code !== undefined ? CODE_DEFAULTS[fault.code] : undefined;
}

export function validateJimengFault(fault: FaultSpec): string | undefined {
  const kind = kindOf(fault);
  if (kind === undefined) {
    return `jimeng fault code must be one of ${Object.keys(CODE_DEFAULTS).join(', ')}`;
  }
  if (!JIMENG_FAULT_KINDS.includes(kind))
    return `jimeng fault kind must be one of ${JIMENG_FAULT_KINDS.join(', ')}`;
  return undefined;
}

/** Turns a fault (or a prompt marker) into the error body; undefined for behaviour-only kinds. */
export function jimengFaultBody(
  fault: Pick<FaultSpec, 'code' | 'kind' | 'message'>,
  job: JimengJob,
): JimengErrorBody | undefined {
  const kind = kindOf(fault);
  const make = kind ? KINDS[kind] : undefined;
  if (!make) return undefined;
  const made = make(job);
  // A bare code keeps that exact code even when its default kind would say otherwise.
  const code = fault.kind === undefined && fault.code !== undefined ? fault.code : made.code;
  return body(code, fault.message ?? made.message);
}

/** Reads a prompt marker such as `content-blocked` or `-2009` as a fault. */
export function jimengMarkerFault(marker: string): Pick<FaultSpec, 'code' | 'kind'> | undefined {
  const fault = /^-\d+$/.test(marker) ? { code: Number(marker) } : { kind: marker };
  return validateJimengFault({ provider: 'jimeng', ...fault }) ? undefined : fault;
}
