import type { IncomingMessage, ServerResponse } from 'node:http';
import { ForbiddenError, UnauthorizedError, hasRole, type Core, type Logger } from '@dreamloom/core';
import { parse } from './api-registry.js';
import { mapError, toAppError } from './envelopes.js';
import { requestIdOf, resolveCaller } from './middleware.js';
import { createSseStream, type SseStream } from './sse.js';
import { assertCleanBody } from './hostile-input.js';
import { setCorsHeaders } from './cors.js';
import { clientIp } from './client-ip.js';
import { admitStoryRequest } from '../routes/story-shared.js';
import {
  GENERATE_RESPONSE_PATH,
  generateResponse,
  generateResponseBody,
} from '../routes/story-chat.routes.js';

/** The JSON body limit of the Koa stack's body parser (a larger body is left to it: 413). */
const BODY_LIMIT = 2 * 1024 * 1024;

/**
 * `POST /api/v1/story_chat/generate-response` served beside Koa rather than through it.
 *
 * Time to first token is this product's latency figure, and when many members talk at once the
 * replies arrive together: each waits for the CPU the server spends on the requests ahead of it
 * before its own upstream call leaves. Measured by `npm run bench:chat`, the general stack (ten
 * middleware, sixteen routers matched in turn, the body parser's streams) was most of that cost
 * per request. This path does the same steps with the same pieces (caller resolution, the rate
 * limit, the zod schema, the error envelope, the event stream) and nothing else. It takes only a
 * plain JSON POST to the exact path; anything else (a query string, another content type, a
 * body over the limit) goes to the Koa route, which stays registered and documented.
 *
 * Returns false when the request is not for this path.
 */
export function generateResponseFastPath(core: Core) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'POST' || req.url !== GENERATE_RESPONSE_PATH) return false;
    if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) return false;
    if (Number(req.headers['content-length'] ?? 0) > BODY_LIMIT) return false;
    void serve(core, req, res);
    return true;
  };
}

function header(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

async function serve(core: Core, req: IncomingMessage, res: ServerResponse) {
  const requestId = requestIdOf(header(req, 'x-request-id'));
  res.setHeader('X-Request-Id', requestId);
  // Preflights (OPTIONS) go through Koa's CORS; the actual request needs the same headers here.
  setCorsHeaders(core.config, GENERATE_RESPONSE_PATH, header(req, 'origin'), res);
  let log: Logger | undefined;
  const logger = () => (log ??= core.logger.child({ requestId }));
  const started = performance.now();
  let stream: SseStream | undefined;
  // The caller is resolved while the body arrives (both are usually ready in this turn).
  const caller = resolveCaller(core, (name) => header(req, name));
  caller.catch(() => undefined);
  try {
    const body = await readJson(req);
    // The Koa stack's rejectHostileBody: NUL, unpaired surrogates, nesting past the limit.
    assertCleanBody(body);
    const { actor } = await caller;
    const admission = actor
      ? admitStoryRequest(core, actor.id, true, (name, value) => res.setHeader(name, value))
      : null;
    if (admission && !admission.deferred) await admission.verdict;
    if (!actor) throw new UnauthorizedError('Not authenticated');
    if (!hasRole(actor, 'user')) throw new ForbiddenError();
    const input = parse(generateResponseBody, body, 'body');
    await generateResponse(
      core,
      actor,
      input,
      () => (stream = createSseStream(req, res, () => undefined, core.metrics.connections.sseOpened)),
      logger,
    );
    if (admission?.deferred) await admission.verdict;
    stream?.commit();
  } catch (thrown) {
    const error = toAppError(thrown);
    // An event stream opened before the failure is dropped unsent; the error is the answer.
    stream?.cancel(error);
    if (error.status >= 500) logger().error({ err: error.cause ?? error }, 'request failed');
    const mapped = mapError('story', error.expose ? error : toAppError(new Error('hidden')));
    if (!res.headersSent) {
      res.statusCode = mapped.status;
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.end(JSON.stringify(mapped.body));
    }
  } finally {
    // The Koa route's template: one series for this endpoint, whichever path served it.
    const seconds = (performance.now() - started) / 1000;
    core.metrics.http.observe(GENERATE_RESPONSE_PATH, 'POST', res.statusCode, seconds);
    if (core.logger.isLevelEnabled('info')) {
      const ms = Math.round(performance.now() - started);
      const ip = clientIp(core.config, req);
      logger().info(
        { method: 'POST', path: GENERATE_RESPONSE_PATH, ip, status: res.statusCode, ms },
        'request',
      );
    }
  }
}

/** The request body as JSON ({} when empty); malformed JSON is a 400, an oversized body a 413. */
function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= BODY_LIMIT) return void chunks.push(chunk);
      // The rest is read and dropped, so the 413 can still be answered on this connection.
      req.off('data', onData);
      req.resume();
      reject(Object.assign(new Error('request entity too large'), { status: 413 }));
    };
    req.on('data', onData);
    req.on('error', reject);
    req.on('end', () => {
      const text = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
      if (!text.trim()) return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(Object.assign(new Error('Malformed request body'), { status: 400 }));
      }
    });
  });
}
