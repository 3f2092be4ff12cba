import { z, type ZodType } from 'zod';
import { catalogPage, catalogViews } from '@dreamloom/contracts';
import type { AnyCatalogDescriptor, CatalogOperation } from '@dreamloom/core';
import type { ApiRegistry } from '../http/api-registry.js';
import type { AppContext } from '../http/context.js';
import { actorOf, idParam, noContent, pageQuery, type storyRouter } from './story-shared.js';

/**
 * Turns a catalog descriptor (core/src/catalog/catalogs/) into its routes and their OpenAPI
 * entries: list, get, create (201), update and delete (204) on `path` and `path/:id`, in the
 * order the descriptor lists them. Reads need a signed-in caller (staff for staff catalogs); the
 * use cases refuse writes to non-staff with 403 `Staff only`. Responses come from the catalog's view
 * in `@dreamloom/contracts` (`catalogViews`, by path): the view for get, create and update, a list
 * of views (`{ total, items }` when paged) for list, 204 with no body for delete.
 */
export function addCatalogRoutes(
  registry: ApiRegistry,
  router: ReturnType<typeof storyRouter>,
  catalog: AnyCatalogDescriptor,
  tag: string,
) {
  const { path, summaries, operations } = catalog.api;
  const itemPath = catalog.api.itemPath ?? `${path}/:id`;
  const role = catalog.readers === 'staff' ? 'staff' : 'user';
  const useCases = (ctx: AppContext) => ctx.core.story.catalogs.of(catalog);
  const { paged, filter } = catalog.list;
  const listQuery = paged ? pageQuery : filter ? z.object({ [filter.column]: filter.values }) : undefined;
  const view: ZodType | undefined = catalogViews[path];
  if (!view) throw new Error(`Catalog ${path}: no view in @dreamloom/contracts (catalogViews)`);
  const listResponse = paged ? catalogPage(view) : z.array(view);

  const summaryOf = (operation: CatalogOperation) => {
    const summary = summaries[operation];
    if (!summary) throw new Error(`Catalog ${path}: no summary for ${operation}`);
    return summary;
  };

  for (const operation of operations) {
    const summary = summaryOf(operation);
    if (operation === 'list')
      registry.add(router, {
        method: 'get',
        path,
        tag,
        summary,
        role,
        ...(listQuery ? { query: listQuery as z.ZodType<Record<string, unknown>> } : {}),
        response: listResponse,
        handler: (ctx, { actor, query }) => useCases(ctx).list(actorOf(actor), query ?? {}),
      });
    else if (operation === 'get')
      registry.add(router, {
        method: 'get',
        path: itemPath,
        tag,
        summary,
        role,
        params: idParam,
        response: view,
        handler: (ctx, { actor, params }) => useCases(ctx).get(actorOf(actor), params.id),
      });
    else if (operation === 'create')
      registry.add(router, {
        method: 'post',
        path,
        tag,
        summary,
        role,
        body: catalog.create,
        response: view,
        successStatus: 201,
        handler: async (ctx, { actor, body }) => {
          const view = await useCases(ctx).create(actorOf(actor), body);
          ctx.status = 201;
          return view;
        },
      });
    else if (operation === 'update')
      registry.add(router, {
        method: 'put',
        path: itemPath,
        tag,
        summary,
        role,
        params: idParam,
        body: catalog.update,
        response: view,
        handler: (ctx, { actor, params, body }) => useCases(ctx).update(actorOf(actor), params.id, body),
      });
    else
      registry.add(router, {
        method: 'delete',
        path: itemPath,
        tag,
        summary,
        role,
        params: idParam,
        rawResponse: { status: 204, description: 'Deleted' },
        handler: async (ctx, { actor, params }) => {
          await useCases(ctx).remove(actorOf(actor), params.id);
          return noContent(ctx);
        },
      });
  }
}
