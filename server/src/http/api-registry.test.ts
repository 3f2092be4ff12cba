import { createServer, type Server } from 'node:http';
import { Readable } from 'node:stream';
import Koa from 'koa';
import Router from '@koa/router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { Core } from '@dreamloom/core';
import {
  ApiRegistry,
  checkResponse,
  ResponseSchemaMismatch,
  type ResponseCheckMode,
} from './api-registry.js';
import type { AppContextExtras, AppState } from './context.js';
import { errorBoundary } from './middleware.js';

const answer = z.object({ code: z.literal(200), data: z.object({ id: z.string(), at: z.string() }) });
const route = { method: 'get' as const, path: '/api/v1/thing/:id', response: answer };

describe('checkResponse', () => {
  const log = () => ({ error: vi.fn() });

  it('accepts an answer as the client reads it (a Date is a string on the wire)', () => {
    const logger = log();
    const body = { code: 200, data: { id: 'a', at: new Date(0) } };
    expect(() => checkResponse('strict', route, body, logger)).not.toThrow();
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('strict: logs the mismatch with the route and the paths that differ, and throws', () => {
    const logger = log();
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    const body = { code: 200, data: { id: 7, at: 'x' } };
    let thrown: unknown;
    try {
      checkResponse('strict', route, body, logger);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ResponseSchemaMismatch);
    expect((thrown as ResponseSchemaMismatch).route).toBe('GET /api/v1/thing/:id');
    expect((thrown as ResponseSchemaMismatch).problems).toEqual([
      'response.data.id: Invalid input: expected string, received number',
    ]);
    expect(logger.error).toHaveBeenCalledWith(
      { route: 'GET /api/v1/thing/:id', problems: (thrown as ResponseSchemaMismatch).problems },
      'response does not match its declared schema',
    );
    expect(quiet).toHaveBeenCalledWith((thrown as Error).message);
    quiet.mockRestore();
  });

  it('log: logs the mismatch and lets the answer go out; off: looks at nothing', () => {
    const logger = log();
    expect(() => checkResponse('log', route, { code: 500 }, logger)).not.toThrow();
    expect(logger.error).toHaveBeenCalledOnce();
    const silent = log();
    expect(() => checkResponse('off', route, { code: 500 }, silent)).not.toThrow();
    expect(silent.error).not.toHaveBeenCalled();
  });

  it('leaves streams, buffers, strings and empty answers alone', () => {
    const logger = log();
    for (const body of [Readable.from(['x']), Buffer.from('x'), 'text', null, undefined])
      expect(() => checkResponse('strict', route, body, logger)).not.toThrow();
    expect(logger.error).not.toHaveBeenCalled();
  });
});

describe('ApiRegistry response checking', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  async function serve(mode: ResponseCheckMode, body: unknown) {
    const registry = new ApiRegistry();
    const router = new Router<AppState, AppContextExtras>();
    registry.add(router, {
      ...route,
      summary: 'A thing',
      tag: 'test',
      params: z.object({ id: z.string() }),
      handler: () => body,
    });
    const app = new Koa<AppState, AppContextExtras>();
    app.silent = true;
    app.context.core = { config: { RESPONSE_SCHEMA_CHECK: mode } } as unknown as Core;
    app.use(errorBoundary).use(router.routes());
    server = createServer(app.callback());
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const address = server.address() as { port: number };
    const response = await fetch(`http://127.0.0.1:${address.port}/api/v1/thing/a`);
    return { status: response.status, body: await response.json() };
  }

  it('strict: a matching answer goes out as the handler returned it', async () => {
    const body = { code: 200, data: { id: 'a', at: '2026-01-01T00:00:00.000Z' } };
    expect(await serve('strict', body)).toEqual({ status: 200, body });
  });

  it('strict: a mismatching answer becomes the family 500', async () => {
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    const answered = await serve('strict', { code: 200, data: { id: 'a' } });
    quiet.mockRestore();
    expect(answered.status).toBe(500);
    expect(answered.body).not.toHaveProperty('data.id');
  });

  it('off: a mismatching answer goes out unchecked', async () => {
    expect(await serve('off', { code: 200 })).toEqual({ status: 200, body: { code: 200 } });
  });
});

describe('ApiRegistry.openapi responses', () => {
  function documented(extra: object) {
    const registry = new ApiRegistry();
    registry.add(new Router<AppState, AppContextExtras>(), {
      method: 'post',
      path: '/api/v1/x',
      summary: 'x',
      tag: 't',
      handler: () => undefined,
      ...extra,
    });
    const document = registry.openapi({ title: 't', version: '1', serverUrl: 'http://x' });
    return (document.paths['/api/v1/x'].post as { responses: Record<string, unknown> }).responses;
  }

  it('documents the declared JSON body under its success status', () => {
    expect(documented({ response: z.object({ id: z.number() }), successStatus: 201 })).toEqual({
      201: {
        description: 'Success',
        content: {
          'application/json': {
            schema: expect.objectContaining({
              type: 'object',
              properties: { id: { type: 'number' } },
              required: ['id'],
            }),
          },
        },
      },
    });
  });

  it('documents raw answers by content type, beside JSON when they share a status', () => {
    expect(
      documented({
        response: z.object({ id: z.number() }),
        rawResponse: { contentType: 'text/event-stream', description: 'with stream: true, events' },
      }),
    ).toEqual({
      200: {
        description: 'Success; with stream: true, events',
        content: {
          'application/json': { schema: expect.objectContaining({ type: 'object' }) },
          'text/event-stream': {},
        },
      },
    });
    expect(documented({ rawResponse: { status: 204, description: 'Deleted, no body' } })).toEqual({
      204: { description: 'Deleted, no body' },
    });
    expect(documented({})).toEqual({ 200: { description: 'Success' } });
  });
});
