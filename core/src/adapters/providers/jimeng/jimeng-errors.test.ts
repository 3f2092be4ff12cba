import { describe, expect, it } from 'vitest';
import { classifyJimengError } from './jimeng-errors.js';

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
  ])('%i %s → %s', (code, message, kind, retryElsewhere) => {
    const error = classifyJimengError(code, message);
    expect(error.kind).toBe(kind);
    expect(error.retryElsewhere).toBe(retryElsewhere);
    expect(error.upstreamCode).toBe(code);
  });
});
