import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../../ports/image-provider.port.js';
import { KieClient, kieFailureKind, kiePollDelay, parseKieRecord } from './kie.client.js';

const fakeFetch =
  (body: unknown, status = 200): typeof fetch =>
  async () =>
    new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });

describe('kie client', () => {
  it('parses recordInfo with string-encoded param and resultJson, and either task id name', () => {
    const record = parseKieRecord({
      task_id: 't-1',
      model: 'kling-3.0/video',
      state: 'success',
      param: '{"model":"kling-3.0/video","input":{"duration":"5"}}',
      resultJson: '{"resultUrls":["https://cdn.example/v.mp4","javascript:x"]}',
      failCode: '',
      failMsg: '',
    });
    expect(record).toMatchObject({
      taskId: 't-1',
      state: 'success',
      resultUrls: ['https://cdn.example/v.mp4'],
      failCode: null,
      failMsg: null,
      param: { input: { duration: '5' } },
    });
    expect(parseKieRecord({ taskId: 't-2', resultJson: 'not json' }, 501).state).toBe('fail');
    expect(parseKieRecord({ taskId: 't-3', resultJson: '' }).state).toBe('waiting');
  });

  it('maps body codes to failure kinds and backs off polls up to the cap', () => {
    expect(kieFailureKind(401)).toBe('session_expired');
    expect(kieFailureKind(402)).toBe('out_of_credits');
    expect(kieFailureKind(422)).toBe('invalid_request');
    expect(kieFailureKind(429)).toBe('rate_limited');
    expect(kieFailureKind(455)).toBe('upstream_error');
    expect(kieFailureKind(501)).toBe('upstream_error');
    expect(kieFailureKind(505)).toBe('invalid_request');
    expect([0, 1, 2, 10].map((polls) => kiePollDelay(polls, 2000, 20_000))).toEqual([
      2000, 3000, 4500, 20_000,
    ]);
  });

  it('trusts the body code over the HTTP status and reads msg or message', async () => {
    const refused = new KieClient({
      baseUrl: 'http://kie.test',
      timeoutMs: 1000,
      fetch: fakeFetch({ code: 402, msg: 'no credits' }),
    });
    const error = await refused.createTask('k', { model: 'm', input: {} }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('out_of_credits');
    expect((error as ProviderError).message).toBe('no credits');
    const gateway = new KieClient({
      baseUrl: 'http://kie.test',
      timeoutMs: 1000,
      fetch: fakeFetch({ code: 429, message: 'slow down' }),
    });
    await expect(gateway.recordInfo('k', 't')).rejects.toThrow('slow down');
    const html = new KieClient({
      baseUrl: 'http://kie.test',
      timeoutMs: 1000,
      fetch: fakeFetch('<html>bad gateway</html>', 502),
    });
    await expect(html.createTask('k', { model: 'm', input: {} })).rejects.toMatchObject({
      kind: 'upstream_error',
    });
    const ok = new KieClient({
      baseUrl: 'http://kie.test',
      timeoutMs: 1000,
      fetch: fakeFetch({ code: 200, msg: 'success', data: { taskId: 'abc' } }),
    });
    expect(await ok.createTask('k', { model: 'm', input: {} })).toBe('abc');
  });
});
