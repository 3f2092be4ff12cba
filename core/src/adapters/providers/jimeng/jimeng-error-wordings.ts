import type { ProviderFailureKind } from '../../../ports/image-provider.port.js';

/**
 * Every failure wording a jimeng-api gateway is documented to send (PROVIDERS.md §1; iptag/jimeng-api
 * `src/lib/error-handler.ts`, `src/api/consts/exceptions.ts`, `controllers/*.ts`) and what it means
 * for Dreamloom. The classifier (jimeng-errors.ts) reads only this file: to teach it a new wording,
 * add a row here. Each row names the sandbox fault kind that sends its example, and
 * tests/jimeng-error-wordings.test.ts sends every one of them through the real client.
 *
 * How the gateway builds its messages:
 * - upstream `ret` codes it knows become a bracketed tag under their own code:
 *   1015 → -2002 `[登录失效]: …`, 5000 → -2009 `[积分不足]: …`, 4001 → -2006 `[内容违规]: …`,
 *   4002 → -2000 `[参数错误]: …`, 5001 → -2007 `[生成失败]: …`, 5002 → -2008 `[视频生成失败]: …`;
 * - any other `ret` becomes -2001 `[请求失败]: <errmsg> (错误码: <ret>)` (1006 credits, 1019 anti-bot, 3018 …);
 * - transport trouble between gateway and Jimeng becomes -2001 with `[请求超时]`, `[网络错误]`,
 *   `[服务器错误]` or, for an upstream HTTP 429, `[请求频率限制]: 请求过于频繁，请稍后重试`;
 * - polling failures carry no tag: -2007/-2008 `…生成失败，状态码: N，错误码: <failCode>` and
 *   -2007 `生成超时且无结果…` (also for videos).
 */
export interface JimengErrorWording {
  /** Stable name; the provider sandbox's fault kind of the same name sends `example`. */
  name: string;
  /** Gateway codes this wording arrives under; empty: under any code. */
  codes: readonly number[];
  /** Matches the message text. */
  pattern: RegExp;
  kind: ProviderFailureKind;
  /** A body exactly as the gateway sends it. */
  example: { code: number; message: string };
}

/** Rows are tried in order; the first whose codes and pattern match decides. */
export const JIMENG_ERROR_WORDINGS: readonly JimengErrorWording[] = [
  // Rate limits: cool the account down, retry the item elsewhere.
  {
    name: 'rate-limited',
    codes: [],
    pattern: /\[请求频率限制\]|请求过于频繁/,
    kind: 'rate_limited',
    example: { code: -2001, message: '[请求频率限制]: 请求过于频繁，请稍后重试' },
  },
  {
    // Upstream 1019: Jimeng's anti-bot check refused the session for now.
    name: 'anti-bot',
    codes: [-2001],
    pattern: /shark not pass|\b1019\b/i,
    kind: 'rate_limited',
    example: { code: -2001, message: '[请求失败]: shark not pass (错误码: 1019)' },
  },
  // The session: mark the account invalid, retry elsewhere.
  {
    name: 'session-expired',
    codes: [],
    pattern: /\[登录失效\]/,
    kind: 'session_expired',
    example: { code: -2002, message: '[登录失效]: login error。请重新获取refresh_token并更新配置' },
  },
  // Points: this generation type off until the quota reset, retry elsewhere.
  {
    name: 'insufficient-points',
    codes: [],
    pattern: /\[积分不足\]|积分不足|credit prededuct not enough|insufficient points/i,
    kind: 'out_of_credits',
    example: {
      code: -2009,
      message:
        '[积分不足]: credit prededuct not enough。建议：1)尝试使用1024x1024分辨率，2)检查是否需要购买积分，3)确认账户状态正常',
    },
  },
  {
    name: 'no-credits',
    codes: [-2001],
    pattern: /错误码: ?1006\)|\b1006\b|not enough credits/i,
    kind: 'out_of_credits',
    example: { code: -2001, message: '[请求失败]: Not enough credits left (错误码: 1006)' },
  },
  // Content: fail the item, never blame the account.
  {
    name: 'content-blocked',
    codes: [],
    pattern: /\[内容违规\]/,
    kind: 'content_blocked',
    example: { code: -2006, message: '[内容违规]: 内容由于合规问题已被阻止生成' },
  },
  {
    // failCode 2038 is a block of the finished result; the gateway reports it for videos as -2008.
    name: 'result-blocked',
    codes: [-2007, -2008],
    pattern: /错误码: ?2038\b/,
    kind: 'content_blocked',
    example: { code: -2007, message: '图像生成失败，状态码: 30，错误码: 2038' },
  },
  // Our parameters: fail the item.
  {
    name: 'invalid-params',
    codes: [],
    pattern: /\[参数错误\]/,
    kind: 'invalid_request',
    example: { code: -2000, message: '[参数错误]: invalid parameter' },
  },
  // Timeouts and transport trouble between gateway and Jimeng: retry elsewhere, bounded.
  {
    name: 'generation-timeout',
    codes: [-2007, -2008],
    pattern: /生成超时/,
    kind: 'timeout',
    example: { code: -2007, message: '生成超时且无结果，状态码: 20，历史ID: 4823904823904823' },
  },
  {
    name: 'request-timeout',
    codes: [],
    pattern: /\[请求超时\]/,
    kind: 'timeout',
    example: { code: -2001, message: '[请求超时]: 网络请求超时，请稍后重试' },
  },
  {
    name: 'network-error',
    codes: [],
    pattern: /\[网络错误\]/,
    kind: 'upstream_error',
    example: { code: -2001, message: '[网络错误]: 无法连接到即梦服务器，请检查网络连接' },
  },
  {
    name: 'server-error',
    codes: [],
    pattern: /\[服务器错误\]/,
    kind: 'upstream_error',
    example: { code: -2001, message: '[服务器错误]: 即梦服务器暂时不可用 (502)' },
  },
  {
    name: 'image-failed',
    codes: [],
    pattern: /\[生成失败\]/,
    kind: 'upstream_error',
    example: { code: -2007, message: '[生成失败]: generate failed' },
  },
  {
    name: 'video-failed',
    codes: [],
    pattern: /\[视频生成失败\]/,
    kind: 'upstream_error',
    example: { code: -2008, message: '[视频生成失败]: generate failed' },
  },
  {
    name: 'permission-denied',
    codes: [-2001],
    pattern: /错误码: ?3018\)/,
    kind: 'upstream_error',
    example: { code: -2001, message: '[请求失败]: permission denied (错误码: 3018)' },
  },
];

/** What a code means when no wording above matched (PROVIDERS.md §1's table). */
export const JIMENG_CODE_DEFAULTS: Readonly<Record<number, { kind: ProviderFailureKind; message: string }>> =
  {
    [-1000]: { kind: 'upstream_error', message: 'System error' },
    [-2000]: { kind: 'invalid_request', message: 'Invalid parameters' },
    [-2001]: { kind: 'upstream_error', message: 'Request failed' },
    [-2002]: { kind: 'session_expired', message: 'Session expired' },
    [-2003]: { kind: 'bad_input_file', message: 'Bad remote file' },
    [-2004]: { kind: 'bad_input_file', message: 'Remote file too large' },
    [-2006]: { kind: 'content_blocked', message: 'Content blocked' },
    [-2007]: { kind: 'upstream_error', message: 'Image generation failed' },
    [-2008]: { kind: 'upstream_error', message: 'Video generation failed' },
    [-2009]: { kind: 'out_of_credits', message: 'Insufficient points' },
  };

/**
 * HTTP statuses a gateway (or a proxy in front of it) may answer with instead of its usual
 * HTTP 200 error body. The iptag gateway itself never does; a rate-limiting proxy may.
 */
export const JIMENG_HTTP_STATUS_KINDS: Readonly<Record<number, ProviderFailureKind>> = {
  401: 'session_expired',
  403: 'session_expired',
  429: 'rate_limited',
};
