import type { BaseRecord, DataProvider, HttpError } from '@refinedev/core';
import { API_URL, requestBare, type QueryValue } from './api-client';

/**
 * Contract 002 (story chat) answers bare JSON — lists as arrays or `{total, items}`, errors as
 * `{detail}` — and uses plain REST verbs, unlike the enveloped contract-003 API of the default
 * data provider. Story resources name this provider (`meta.dataProviderName: 'story'`) and
 * declare their endpoints in `meta.storyApi`.
 */
export interface StoryResourceApi {
  /** GET list endpoint. */
  list: string;
  /** `array` (client-side paging) or `paged` (`{total, items}` with page/limit). */
  listShape: 'array' | 'paged';
  /** GET/PUT/DELETE endpoint of one record, with `:id`. */
  item?: string;
  /** POST endpoint. */
  create?: string;
  /** Query parameters copied from Refine filters (`eq`). */
  filters?: readonly string[];
}

export type StoryResourceApiMap = Readonly<Record<string, StoryResourceApi>>;

function httpError(statusCode: number, message: string): HttpError {
  return { statusCode, message };
}

const fill = (path: string, id: string | number) => path.replace(':id', encodeURIComponent(String(id)));

export function createStoryDataProvider(apis: StoryResourceApiMap): DataProvider {
  const apiFor = (resource: string): StoryResourceApi => {
    const api = apis[resource];
    if (!api) throw httpError(404, `Unknown story resource "${resource}"`);
    return api;
  };
  const itemPath = (resource: string) => {
    const path = apiFor(resource).item;
    if (!path) throw httpError(501, `Story resource "${resource}" has no item endpoint`);
    return path;
  };

  return {
    getApiUrl: () => API_URL,
    getList: async <TData extends BaseRecord = BaseRecord>({
      resource,
      pagination,
      filters,
    }: Parameters<DataProvider['getList']>[0]) => {
      const api = apiFor(resource);
      const page = pagination?.currentPage ?? 1;
      const size = pagination?.pageSize ?? 20;
      const query: Record<string, QueryValue> = {};
      for (const filter of filters ?? []) {
        if ('field' in filter && api.filters?.includes(filter.field) && filter.operator === 'eq') {
          if (filter.value !== undefined && filter.value !== '') query[filter.field] = String(filter.value);
        }
      }
      if (api.listShape === 'paged') {
        const data = await requestBare<{ total: number; items: TData[] }>(api.list, {
          query: { ...query, page, limit: Math.min(size, 100) },
        });
        return { data: data.items, total: data.total };
      }
      const rows = await requestBare<TData[]>(api.list, { query });
      // Unpaged (a select listing a whole catalog): every row.
      if (pagination?.mode === 'off') return { data: rows, total: rows.length };
      return { data: rows.slice((page - 1) * size, page * size), total: rows.length };
    },
    getOne: async <TData extends BaseRecord = BaseRecord>({
      resource,
      id,
    }: Parameters<DataProvider['getOne']>[0]) => ({
      data: await requestBare<TData>(fill(itemPath(resource), id)),
    }),
    create: async <TData extends BaseRecord = BaseRecord, TVariables = object>({
      resource,
      variables,
    }: Parameters<DataProvider['create']>[0] & { variables: TVariables }) => {
      const api = apiFor(resource);
      return { data: await requestBare<TData>(api.create ?? api.list, { method: 'POST', body: variables }) };
    },
    update: async <TData extends BaseRecord = BaseRecord, TVariables = object>({
      resource,
      id,
      variables,
    }: Parameters<DataProvider['update']>[0] & { variables: TVariables }) => ({
      data: await requestBare<TData>(fill(itemPath(resource), id), { method: 'PUT', body: variables }),
    }),
    deleteOne: async <TData extends BaseRecord = BaseRecord>({
      resource,
      id,
    }: Parameters<DataProvider['deleteOne']>[0]) => {
      await requestBare(fill(itemPath(resource), id), { method: 'DELETE' });
      return { data: { id } as TData };
    },
  };
}
