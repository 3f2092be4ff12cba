import { describe, expect, it } from 'vitest';
import { JIMENG_ERROR_WORDINGS } from './jimeng-error-wordings.js';
import { classifyJimengError, classifyJimengHttpStatus, matchJimengWording } from './jimeng-errors.js';

describe('classifyJimengError (PROVIDERS.md §1 table)', () => {
  it.each([
    [-2000, 'invalid parameters', 'invalid_request', false],
    [-2001, '请求失败: [1006] Not enough credits', 'out_of_credits', true],
    [-2001, 'shark not pass [1019]', 'rate_limited', true],
    [-2001, '3018 permission denied', 'upstream_error', true],
    [-2002, 'login invalid', 'session_expired', true],
    [-2003, 'bad file', 'bad_input_file', false],
    [-2004, 'file too large', 'bad_input_file', false],
    [-2006, 'content blocked', 'content_blocked', false],
    [-2007, '图片生成失败，错误码: 2038', 'content_blocked', false],
    [-2007, '生成超时', 'timeout', true],
    [-2008, 'video failed', 'upstream_error', true],
    [-2008, '积分不足且无法自动收取今日积分', 'out_of_credits', true],
    [-2009, 'credit prededuct not enough', 'out_of_credits', true],
    [-2009, 'insufficient points', 'out_of_credits', true],
    [-1000, 'system error', 'upstream_error', true],
    // The gateway's own rate-limit reply (upstream HTTP 429, error-handler.ts) and its other tags.
    [-2001, '[请求频率限制]: 请求过于频繁，请稍后重试', 'rate_limited', true],
    [-2001, '[请求超时]: 网络请求超时，请稍后重试', 'timeout', true],
    [-2001, '[网络错误]: 无法连接到即梦服务器，请检查网络连接', 'upstream_error', true],
    [-2001, '[服务器错误]: 即梦服务器暂时不可用 (503)', 'upstream_error', true],
    [-2008, '视频生成失败，状态码: 30，错误码: 2038', 'content_blocked', false],
    [-2007, '图像生成失败，状态码: 30，错误码: 1019', 'upstream_error', true],
    [-2001, '[请求失败]: something else (错误码: 4006)', 'upstream_error', true],
  ])('%i %s → %s', (code, message, kind, retryElsewhere) => {
    const error = classifyJimengError(code, message);
    expect(error.kind).toBe(kind);
    expect(error.retryElsewhere).toBe(retryElsewhere);
    expect(error.upstreamCode).toBe(code);
  });

  it.each(JIMENG_ERROR_WORDINGS.map((row) => [row.name, row] as const))(
    'documented wording %s is classified by its own row',
    (_name, row) => {
      expect(matchJimengWording(row.example.code, row.example.message)).toBe(row);
      expect(classifyJimengError(row.example.code, row.example.message).kind).toBe(row.kind);
    },
  );

  it('gives every wording a distinct name (the sandbox fault kind that sends it)', () => {
    const names = JIMENG_ERROR_WORDINGS.map((row) => row.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('classifies HTTP statuses a proxy in front of the gateway may send', () => {
    expect(classifyJimengHttpStatus(429, 'Too Many Requests').kind).toBe('rate_limited');
    expect(classifyJimengHttpStatus(401, '').kind).toBe('session_expired');
    expect(classifyJimengHttpStatus(502, 'Bad Gateway')).toMatchObject({
      kind: 'upstream_error',
      message: 'HTTP 502 from gateway: Bad Gateway',
    });
  });
});
