import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api } from './support/clients.js';
import { readSse, walletLogin } from './support/story.js';

const PATH = '/api/v1/story_chat/generate-response';
const ORIGIN = 'https://pipeline.example';

/**
 * The request pipeline (server/src/http/pipeline/) is one list of stages that the Koa app mounts and
 * the generate-response fast path runs beside Koa. Seen from outside, every stage applies to both:
 * the same request through either transport leaves the same access log line and the same metrics
 * series, and gets the same request id, CORS and rate-limit headers. (A query string sends the request
 * through Koa; only Koa compresses, so its answers alone say `Vary: Accept-Encoding`.)
 */
describe('one request pipeline for the Koa stack and the generate-response fast path', () => {
  let system: RunningSystem;
  beforeAll(async () => {
    system = await startSystem({ db: 'sqlite', worker: false, env: { CORS_ORIGINS: ORIGIN } });
    system.sandbox.state.updateSettings({ chatFirstTokenMs: 5, chatChunkIntervalMs: 2 });
  });
  afterAll(async () => {
    await system?.stop();
  });

  /** Access log lines of the requests whose id starts with `pipeline-`, as the stage logged them. */
  function captureAccessLog() {
    const logger = system.core.logger;
    const lines: Array<Record<string, unknown>> = [];
    const child = logger.child.bind(logger);
    const spy = vi.spyOn(logger, 'child').mockImplementation((bindings, options) => {
      const log = child(bindings, options);
      const requestId = (bindings as { requestId?: unknown }).requestId;
      if (typeof requestId === 'string' && requestId.startsWith('pipeline-'))
        vi.spyOn(log, 'info').mockImplementation(((details: object, message: string) => {
          if (message === 'request') lines.push({ requestId, ...details });
        }) as never);
      return log;
    });
    const level = logger.level;
    logger.level = 'info';
    return {
      lines,
      restore() {
        logger.level = level;
        spy.mockRestore();
      },
    };
  }

  /** Requests counted for the generate-response series, by status class. */
  async function counted(statusClass: string): Promise<number> {
    const { values } = await system.core.metrics.http.duration.get();
    const sample = values.find(
      (value) =>
        value.metricName === 'dreamloom_http_request_duration_seconds_count' &&
        value.labels.route === PATH &&
        value.labels.method === 'POST' &&
        value.labels.status_class === statusClass,
    );
    return sample?.value ?? 0;
  }

  /** The same request through the fast path and through Koa, one after the other. */
  async function both(name: string, headers: Record<string, string>, body: unknown) {
    const answers = [];
    for (const via of ['fast', 'koa'] as const) {
      const requestId = `pipeline-${via}-${name}`;
      const response = await fetch(`${system.baseUrl}${PATH}${via === 'koa' ? '?via=koa' : ''}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          origin: ORIGIN,
          'x-request-id': requestId,
          ...headers,
        },
        body: JSON.stringify(body),
      });
      const type = response.headers.get('content-type') ?? '';
      answers.push({
        requestId,
        status: response.status,
        type,
        echoedId: response.headers.get('x-request-id'),
        allowOrigin: response.headers.get('access-control-allow-origin'),
        rateLimit: response.headers.get('x-ratelimit-limit'),
        vary: response.headers.get('vary') ?? '',
        body: type.startsWith('text/event-stream') ? await readSse(response) : await response.json(),
      });
    }
    return answers;
  }

  it('the same access log line, metrics series, request id, CORS and rate-limit headers from both', async () => {
    const player = await walletLogin(system);
    const stories = await api(system.baseUrl, 'GET', '/api/v1/story/published', { token: player.token });
    const story = stories.body.find((candidate: any) => candidate.title === 'The Lantern Inn');
    const created = await api(system.baseUrl, 'POST', '/api/v1/conversation', {
      token: player.token,
      body: { story_id: story.id },
    });
    expect(created.status).toBe(200);
    const refusedBefore = await counted('4xx');
    const repliedBefore = await counted('2xx');
    const log = captureAccessLog();
    let refused, replied;
    try {
      refused = await both('401', {}, { character_id: story.characterDetails[0].id });
      replied = await both(
        '200',
        { authorization: `Bearer ${player.token}` },
        { character_id: story.characterDetails[0].id, conversation_id: created.body.id },
      );
    } finally {
      log.restore();
    }

    for (const [fast, koa] of [refused, replied]) {
      // Two transports: only Koa's answer went through its compression middleware.
      expect(koa.vary).toMatch(/accept-encoding/i);
      expect(fast.vary).not.toMatch(/accept-encoding/i);
      // Request id stage, CORS stage.
      for (const answer of [fast, koa]) {
        expect(answer.echoedId).toBe(answer.requestId);
        expect(answer.allowOrigin).toBe(ORIGIN);
        expect(answer.vary).toMatch(/origin/i);
      }
      expect({ ...fast, requestId: '', echoedId: '', vary: '', body: '' }).toEqual({
        ...koa,
        requestId: '',
        echoedId: '',
        vary: '',
        body: '',
      });
      // Access log stage: exactly one line each, the same but for the id and the time taken.
      const [fastLine, ...moreFast] = log.lines.filter((line) => line.requestId === fast.requestId);
      const [koaLine, ...moreKoa] = log.lines.filter((line) => line.requestId === koa.requestId);
      expect(moreFast).toEqual([]);
      expect(moreKoa).toEqual([]);
      expect(fastLine).toMatchObject({ method: 'POST', path: PATH, status: fast.status });
      expect(typeof fastLine.ip).toBe('string');
      expect(typeof fastLine.ms).toBe('number');
      expect({ ...fastLine, requestId: '', ms: 0 }).toEqual({ ...koaLine, requestId: '', ms: 0 });
    }
    // Caller stage: no caller is the story family's 401 on both.
    expect(refused[0].status).toBe(401);
    expect(refused[0].body).toEqual({ detail: 'Not authenticated' });
    expect(refused[0].body).toEqual(refused[1].body);
    // Admission stage: both replies were counted by the rate limit (and streamed).
    expect(replied[0].status).toBe(200);
    expect(replied[0].type).toMatch(/^text\/event-stream/);
    expect(replied[0].rateLimit).toBe(String(system.config.STORY_RATE_LIMIT_PER_MIN));
    for (const answer of replied) expect(answer.body.at(-1)).toEqual({ event: 'message', data: '[DONE]' });
    // Metrics stage: one series for the endpoint, whichever transport served it.
    expect((await counted('4xx')) - refusedBefore).toBe(2);
    expect((await counted('2xx')) - repliedBefore).toBe(2);
  });
});
