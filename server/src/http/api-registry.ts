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
  response?: ZodType;
  /** Returns the response body (already in the family's envelope); `undefined` leaves ctx.body alone. */
  handler: (ctx: AppRouterContext, input: RouteInput<P, Q, B>) => unknown | Promise<unknown>;
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
        responses: {
          200: {
            description: 'Success',
            ...(route.response
              ? { content: { 'application/json': { schema: toSchema(route.response) } } }
              : {}),
          },
        },
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
