import type Router from '@koa/router';
import { z, type ZodType } from 'zod';
import { ValidationError, type Actor, type Role } from '@dreamloom/core';
import type { AppRouterContext, AppState, AppContextExtras } from './context.js';
import { requireRole } from './middleware.js';

type Method = 'get' | 'post' | 'put' | 'delete' | 'patch';

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  actor: Actor | undefined;
}

/** One route: its schemas validate the request and also document it in the OpenAPI output. */
export interface RouteDefinition<P = unknown, Q = unknown, B = unknown> {
  method: Method;
  /** Koa path, e.g. `/api/generation/status/:uuid`. */
  path: string;
  summary: string;
  tag: string;
  /** Minimum role; omitted means anonymous callers are allowed. */
  role?: Role;
  params?: ZodType<P>;
  /**
   * Thrown instead of the 400 when the path parameters do not match `params` (a family whose
   * contract documents only 404 for ids, e.g. 004's `任务不存在`).
   */
  malformedParams?: () => Error;
  query?: ZodType<Q>;
  body?: ZodType<B>;
  /** Documents a body the handler parses itself (multipart, or contract-worded messages). */
  docBody?: { schema: ZodType; contentType: 'application/json' | 'multipart/form-data' };
  /**
   * The JSON body a success answers (in the family's envelope, as the client reads it off the wire):
   * documented in `/api/docs`, and checked against what the handler returns when
   * `RESPONSE_SCHEMA_CHECK` is `log` or `strict` (the test suite runs `strict`).
   */
  response?: ZodType;
  /**
   * A success that is not a JSON body (an event stream, a file, 204 with nothing), documented by its
   * status and content type only.
   */
  rawResponse?: RawResponse;
  /** Status of a success answer in the docs (default 200; e.g. 201 for a create). */
  successStatus?: number;
  /** Returns the response body (already in the family's envelope); `undefined` leaves ctx.body alone. */
  handler: (ctx: AppRouterContext, input: RouteInput<P, Q, B>) => unknown | Promise<unknown>;
}

/** A success answer that is not JSON: `contentType` omitted means no body (e.g. 204). */
export interface RawResponse {
  status?: number;
  contentType?: string;
  description: string;
}

export type ResponseCheckMode = 'off' | 'log' | 'strict';

/** Thrown in `strict` mode when a handler's answer does not match the route's `response` schema. */
export class ResponseSchemaMismatch extends Error {
  constructor(
    readonly route: string,
    readonly problems: string[],
  ) {
    super(`Response of ${route} does not match its declared schema: ${problems.join('; ')}`);
    this.name = 'ResponseSchemaMismatch';
  }
}

/**
 * Checks a handler's answer against the route's declared response schema, as the client will read
 * it (after JSON serialisation: dates become strings, undefined fields disappear). `off` skips it;
 * `log` logs a mismatch as an error and lets the answer go out; `strict` also throws, so the request
 * fails with a 500 and the test that made it fails loudly.
 */
export function checkResponse(
  mode: ResponseCheckMode,
  route: Pick<RouteDefinition, 'method' | 'path' | 'response'>,
  body: unknown,
  log: { error(details: object, message: string): void } | undefined,
): void {
  if (mode === 'off' || !route.response || !isJsonBody(body)) return;
  const wire: unknown = JSON.parse(JSON.stringify(body));
  const result = route.response.safeParse(wire);
  if (result.success) return;
  const where = `${route.method.toUpperCase()} ${route.path}`;
  const problems = result.error.issues.map(
    (issue) => `${['response', ...issue.path].join('.')}: ${issue.message}`,
  );
  log?.error({ route: where, problems }, 'response does not match its declared schema');
  if (mode !== 'strict') return;
  const mismatch = new ResponseSchemaMismatch(where, problems);
  // Tests run with silent logs: say it where the test runner shows it.
  console.error(mismatch.message);
  throw mismatch;
}

/** Plain JSON answers only: streams, buffers, strings and empty bodies are not checked. */
function isJsonBody(body: unknown): body is object {
  if (body === null || typeof body !== 'object') return false;
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) return false;
  return typeof (body as { pipe?: unknown }).pipe !== 'function';
}

export function parse<T>(schema: ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${[where, ...issue.path].join('.')}: ${issue.message}`,
  );
  throw new ValidationError(problems.join('; '), result.error.issues);
}

function parseParams<P>(route: Pick<RouteDefinition<P>, 'params' | 'malformedParams'>, params: unknown): P {
  try {
    return parse(route.params, params, 'params');
  } catch (error) {
    throw route.malformedParams && error instanceof ValidationError ? route.malformedParams() : error;
  }
}

/** Collects routes so the same zod schemas serve validation and `/api/docs`. */
export class ApiRegistry {
  private readonly routes: RouteDefinition[] = [];

  add<P, Q, B>(router: Router<AppState, AppContextExtras>, route: RouteDefinition<P, Q, B>): void {
    this.routes.push(route as RouteDefinition);
    const guards = route.role ? [requireRole(route.role)] : [];
    router[route.method](route.path, ...(guards as never[]), async (ctx: AppRouterContext) => {
      const input: RouteInput<P, Q, B> = {
        params: parseParams(route, ctx.params),
        query: parse(route.query, ctx.query, 'query'),
        body: parse(route.body, ctx.request.body, 'body'),
        actor: ctx.state.actor,
      };
      const result = await route.handler(ctx, input);
      if (result !== undefined) ctx.body = result;
      if (route.response)
        checkResponse(ctx.core.config.RESPONSE_SCHEMA_CHECK, route, ctx.body, ctx.state.log);
    });
  }

  openapi(info: { title: string; version: string; serverUrl: string }) {
    const paths: Record<string, Record<string, unknown>> = {};
    const toSchema = (schema: ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
    for (const route of this.routes) {
      const openapiPath = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const parameters: unknown[] = [];
      for (const [location, schema] of [
        ['path', route.params],
        ['query', route.query],
      ] as const) {
        if (!schema) continue;
        const json = toSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
        for (const [name, property] of Object.entries(json.properties ?? {})) {
          parameters.push({
            name,
            in: location,
            required: location === 'path' || !!json.required?.includes(name),
            schema: property,
          });
        }
      }
      paths[openapiPath] ??= {};
      paths[openapiPath][route.method] = {
        summary: route.summary,
        tags: [route.tag],
        ...(route.role ? { security: [{ bearer: [] }, { bot: [] }] } : {}),
        ...(parameters.length ? { parameters } : {}),
        ...(route.body
          ? {
              requestBody: {
                required: true,
                content: { 'application/json': { schema: toSchema(route.body) } },
              },
            }
          : route.docBody
            ? {
                requestBody: {
                  required: true,
                  content: { [route.docBody.contentType]: { schema: toSchema(route.docBody.schema) } },
                },
              }
            : {}),
        responses: responsesOf(route, toSchema),
      };
    }
    return {
      openapi: '3.1.0',
      info: { title: info.title, version: info.version },
      servers: [{ url: info.serverUrl }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Access token from a login endpoint' },
          bot: {
            type: 'apiKey',
            in: 'header',
            name: 'Authorization',
            description: '`Bot <BOT_API_TOKEN>` plus X-Platform and X-Platform-User-Id headers',
          },
        },
      },
      paths,
    };
  }
}

/**
 * The success answers of a route in OpenAPI form: its JSON schema and/or its raw content type (one
 * status may carry both, e.g. a reply as JSON or as an event stream), or a bare 200.
 */
function responsesOf(route: RouteDefinition, toSchema: (schema: ZodType) => unknown) {
  type Answer = { description: string; content?: Record<string, unknown> };
  const responses: Record<number, Answer> = {};
  const status = route.successStatus ?? 200;
  if (route.response)
    responses[status] = {
      description: 'Success',
      content: { 'application/json': { schema: toSchema(route.response) } },
    };
  const raw = route.rawResponse;
  if (raw) {
    const answer = (responses[raw.status ?? status] ??= { description: raw.description });
    if (answer.description !== raw.description) answer.description += `; ${raw.description}`;
    if (raw.contentType) answer.content = { ...answer.content, [raw.contentType]: {} };
  }
  if (!route.response && !raw) responses[status] = { description: 'Success' };
  return responses;
}
