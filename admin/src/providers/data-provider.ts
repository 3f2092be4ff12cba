import type {
  BaseKey,
  BaseRecord,
  CreateManyParams,
  CreateParams,
  CrudFilter,
  CustomParams,
  DataProvider,
  DeleteManyParams,
  DeleteOneParams,
  GetListParams,
  GetManyParams,
  GetOneParams,
  HttpError,
  MetaQuery,
  UpdateManyParams,
  UpdateParams,
} from '@refinedev/core';
import { API_URL, request, type QueryValue } from './api-client';

/**
 * How one resource maps onto a contract-003-style API (`{code, message, data}` envelope, paged
 * `{total, page, size, list}` lists, bulk create/update wrapped in an array, delete by `ids`).
 * Declared next to the resource in `resources.tsx`; adding records, batches or statistics means
 * declaring their endpoints there, not touching this file.
 */
export interface ResourceApi {
  /** GET endpoint answering `{total, page, size, list}`. */
  list?: string;
  /** Refine filter fields sent as query parameters (`eq`, or `in` with one value); others are ignored. */
  filters?: readonly string[];
  /**
   * GET endpoint answering one record for `?id=`, or with the id in the path where it says `:id`
   * (e.g. `/api/v1/jimeng/batch/:id/status`); without it getOne pages through `list`.
   */
  detail?: string;
  /** POST `{[recordsKey]: [...]}` answering `{success_count, failed_count}`. */
  create?: string;
  /** POST `{[recordsKey]: [{id, ...changes}]}` answering `{success_count, failed_count}`. */
  update?: string;
  /** POST `{ids}` answering `{success_count}`. */
  delete?: string;
  /** Key wrapping records in create/update bodies (contract 003 accounts use `accounts`). */
  recordsKey?: string;
  /**
   * `meta` keys copied into every list/detail query and delete body, for endpoints scoped by
   * something other than a filter (003 records need `type` and `work_id`).
   */
  metaParams?: readonly string[];
  /**
   * Named POST actions beyond CRUD (e.g. `reset`), called through `custom` with `resourceActionUrl`;
   * `:name` segments are filled from its `params` (e.g. `/api/v1/jimeng/batch/:batch_id/retry`).
   */
  actions?: Readonly<Record<string, string>>;
}

/** What bulk create/update endpoints report; kept on the Refine response for the UI to show. */
export interface BulkSummary {
  success_count: number;
  failed_count: number;
  [key: string]: unknown;
}

export type CreateManyResult<T> = { data: T[]; summary: BulkSummary };

interface PagedList<T> {
  total: number;
  page: number;
  size: number;
  list: T[];
}

export type ResourceApiMap = Readonly<Record<string, ResourceApi>>;

const SCAN_PAGE_SIZE = 100;
const SCAN_MAX_PAGES = 50;

function httpError(statusCode: number, message: string): HttpError {
  return { statusCode, message };
}

function endpoint(api: ResourceApi | undefined, resource: string, op: keyof ResourceApi): string {
  const path = api?.[op];
  if (typeof path !== 'string') {
    throw httpError(501, `Resource "${resource}" has no "${op}" endpoint`);
  }
  return path;
}

function metaParams(api: ResourceApi, meta?: MetaQuery): Record<string, QueryValue> {
  const out: Record<string, QueryValue> = {};
  for (const key of api.metaParams ?? []) {
    const value: unknown = meta?.[key];
    if (value !== undefined) out[key] = value as QueryValue;
  }
  return out;
}

function filterParams(api: ResourceApi, filters: CrudFilter[] | undefined): Record<string, QueryValue> {
  const out: Record<string, QueryValue> = {};
  for (const filter of filters ?? []) {
    if (!('field' in filter) || !api.filters?.includes(filter.field)) continue;
    if (filter.operator !== 'eq' && filter.operator !== 'in') continue;
    const raw: unknown = Array.isArray(filter.value) ? filter.value[0] : filter.value;
    if (raw === undefined || raw === null || raw === '') continue;
    out[filter.field] = String(raw);
  }
  return out;
}

function assertSomeSucceeded(summary: BulkSummary | undefined, message: string): BulkSummary {
  const result: BulkSummary = { success_count: 0, failed_count: 0, ...summary };
  if (result.success_count < 1) {
    const reason = typeof result.message === 'string' && result.message ? result.message : message;
    throw httpError(400, reason);
  }
  return result;
}

/** Fills `:name` path segments, URL-encoded; a missing parameter is a programming error. */
export function fillPath(path: string, params: Readonly<Record<string, string | number>> = {}): string {
  return path.replace(/:([A-Za-z_]\w*)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === '') throw new Error(`Missing path parameter "${name}" for ${path}`);
    return encodeURIComponent(String(value));
  });
}

/** Resolves a named action declared in `ResourceApi.actions` to its URL, for `useCustomMutation`. */
export function resourceActionUrl(
  apis: ResourceApiMap,
  resource: string,
  action: string,
  params?: Readonly<Record<string, string | number>>,
): string {
  const path = apis[resource]?.actions?.[action];
  if (!path) throw new Error(`Resource "${resource}" declares no "${action}" action`);
  return `${API_URL}${fillPath(path, params)}`;
}

export function createDataProvider(apis: ResourceApiMap): DataProvider {
  const apiFor = (resource: string): ResourceApi => {
    const api = apis[resource];
    if (!api) throw httpError(404, `Unknown resource "${resource}"`);
    return api;
  };

  async function fetchPage<T>(
    resource: string,
    page: number,
    size: number,
    filters: CrudFilter[] | undefined,
    meta: MetaQuery | undefined,
  ): Promise<PagedList<T>> {
    const api = apiFor(resource);
    const { data } = await request<PagedList<T>>(endpoint(api, resource, 'list'), {
      query: { ...metaParams(api, meta), page, size, ...filterParams(api, filters) },
    });
    return { total: Number(data?.total ?? 0), page, size, list: Array.isArray(data?.list) ? data.list : [] };
  }

  /** For APIs without a detail endpoint: walk the list until every wanted id is found. */
  async function scanForIds<T extends BaseRecord>(
    resource: string,
    ids: BaseKey[],
    meta: MetaQuery | undefined,
  ): Promise<T[]> {
    const wanted = new Set(ids.map(String));
    const found = new Map<string, T>();
    for (let page = 1; page <= SCAN_MAX_PAGES && found.size < wanted.size; page += 1) {
      const { list, total } = await fetchPage<T>(resource, page, SCAN_PAGE_SIZE, undefined, meta);
      for (const row of list) {
        if (wanted.has(String(row.id))) found.set(String(row.id), row);
      }
      if (page * SCAN_PAGE_SIZE >= total || list.length === 0) break;
    }
    return ids.map((id) => found.get(String(id))).filter((row): row is T => row !== undefined);
  }

  async function getOneRecord<T extends BaseRecord>(
    resource: string,
    id: BaseKey,
    meta: MetaQuery | undefined,
  ): Promise<T> {
    const api = apiFor(resource);
    if (api.detail) {
      const inPath = api.detail.includes(':id');
      const { data } = await request<T>(inPath ? fillPath(api.detail, { id: String(id) }) : api.detail, {
        query: { ...metaParams(api, meta), ...(inPath ? {} : { id }) },
      });
      return data;
    }
    const [row] = await scanForIds<T>(resource, [id], meta);
    if (!row) throw httpError(404, `${resource} ${String(id)} not found`);
    return row;
  }

  async function deleteIds(resource: string, ids: BaseKey[], meta: MetaQuery | undefined) {
    const api = apiFor(resource);
    await request<{ success_count: number }>(endpoint(api, resource, 'delete'), {
      method: 'POST',
      body: { ...metaParams(api, meta), ids },
    });
  }

  function wrapRecords(api: ResourceApi, records: unknown[]): Record<string, unknown> {
    return { [api.recordsKey ?? 'records']: records };
  }

  return {
    getApiUrl: () => API_URL,

    getList: async <TData extends BaseRecord = BaseRecord>({
      resource,
      pagination,
      filters,
      meta,
    }: GetListParams) => {
      const page = pagination?.currentPage ?? 1;
      const size = pagination?.pageSize ?? 20;
      const result = await fetchPage<TData>(resource, page, size, filters, meta);
      return { data: result.list, total: result.total };
    },

    getOne: async <TData extends BaseRecord = BaseRecord>({ resource, id, meta }: GetOneParams) => ({
      data: await getOneRecord<TData>(resource, id, meta),
    }),

    getMany: async <TData extends BaseRecord = BaseRecord>({ resource, ids, meta }: GetManyParams) => {
      const api = apiFor(resource);
      if (api.detail) {
        return { data: await Promise.all(ids.map((id) => getOneRecord<TData>(resource, id, meta))) };
      }
      return { data: await scanForIds<TData>(resource, ids, meta) };
    },

    create: async <TData extends BaseRecord = BaseRecord, TVariables = object>({
      resource,
      variables,
    }: CreateParams<TVariables>) => {
      const api = apiFor(resource);
      const { data, message } = await request<BulkSummary>(endpoint(api, resource, 'create'), {
        method: 'POST',
        body: wrapRecords(api, [variables]),
      });
      const summary = assertSomeSucceeded(data, message || 'Create failed');
      return { data: { ...(variables as object), ...summary } as unknown as TData };
    },

    createMany: async <TData extends BaseRecord = BaseRecord, TVariables = object>({
      resource,
      variables,
    }: CreateManyParams<TVariables>) => {
      const api = apiFor(resource);
      const { data } = await request<BulkSummary>(endpoint(api, resource, 'create'), {
        method: 'POST',
        body: wrapRecords(api, variables),
      });
      const result: CreateManyResult<TData> = {
        data: variables as unknown as TData[],
        summary: { success_count: 0, failed_count: 0, ...(data as Partial<BulkSummary> | undefined) },
      };
      return result;
    },

    update: async <TData extends BaseRecord = BaseRecord, TVariables = object>({
      resource,
      id,
      variables,
    }: UpdateParams<TVariables>) => {
      const api = apiFor(resource);
      const { data, message } = await request<BulkSummary>(endpoint(api, resource, 'update'), {
        method: 'POST',
        body: wrapRecords(api, [{ ...(variables as object), id }]),
      });
      const summary = assertSomeSucceeded(data, message || 'Update failed');
      return { data: { ...(variables as object), id, ...summary } as unknown as TData };
    },

    updateMany: async <TData extends BaseRecord = BaseRecord, TVariables = object>({
      resource,
      ids,
      variables,
    }: UpdateManyParams<TVariables>) => {
      const api = apiFor(resource);
      const records = ids.map((id) => ({ ...(variables as object), id }));
      const { data, message } = await request<BulkSummary>(endpoint(api, resource, 'update'), {
        method: 'POST',
        body: wrapRecords(api, records),
      });
      assertSomeSucceeded(data, message || 'Update failed');
      return { data: records as unknown as TData[] };
    },

    deleteOne: async <TData extends BaseRecord = BaseRecord>({
      resource,
      id,
      meta,
    }: DeleteOneParams<unknown>) => {
      await deleteIds(resource, [id], meta);
      return { data: { id } as TData };
    },

    deleteMany: async <TData extends BaseRecord = BaseRecord>({
      resource,
      ids,
      meta,
    }: DeleteManyParams<unknown>) => {
      await deleteIds(resource, ids, meta);
      return { data: ids.map((id) => ({ id })) as TData[] };
    },

    custom: async <TData extends BaseRecord = BaseRecord>({
      url,
      method,
      payload,
      query,
      headers,
    }: CustomParams) => {
      const path = API_URL && url.startsWith(API_URL) ? url.slice(API_URL.length) : url;
      const { data, message } = await request<TData>(path, {
        method: method.toUpperCase() as 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
        query: (query ?? undefined) as Record<string, QueryValue> | undefined,
        body: payload,
        headers: headers as Record<string, string> | undefined,
      });
      // Actions like reset-status answer `{code, message}` without data; keep the message for toasts.
      return { data: (data ?? { message }) as TData };
    },
  };
}
