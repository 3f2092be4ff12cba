import type { BaseRecord, DataProvider, HttpError } from '@refinedev/core';
import type { NanobananaTask } from '@dreamloom/contracts';
import { API_URL, download, request } from './api-client';

/** Contract 004 shapes (GenerationTask / GeneratedImage). */
export type { NanobananaImage, NanobananaTask } from '@dreamloom/contracts';

interface Page {
  list: NanobananaTask[];
  total: number;
}

const notSupported = (what: string): HttpError => ({
  statusCode: 405,
  message: `NanoBanana tasks cannot be ${what} here`,
});

/**
 * Contract 004 (`{code: 0, message, data}`): history (or search when a `keyword` filter is set),
 * one task, delete one or many. Tasks are created by the contract's clients, not by staff.
 */
export function createNanobananaDataProvider(): DataProvider {
  return {
    getApiUrl: () => API_URL,
    getList: async <TData extends BaseRecord = BaseRecord>({
      pagination,
      filters,
    }: Parameters<DataProvider['getList']>[0]) => {
      const page = pagination?.currentPage ?? 1;
      const pageSize = pagination?.pageSize ?? 10;
      const keywordFilter = filters?.find((filter) => 'field' in filter && filter.field === 'keyword');
      const keyword = typeof keywordFilter?.value === 'string' ? keywordFilter.value.trim() : '';
      const { data } = keyword
        ? await request<Page>('/api/v1/history/search', { query: { keyword, page, pageSize } })
        : await request<Page>('/api/v1/history', { query: { page, pageSize } });
      return { data: data.list as unknown as TData[], total: data.total };
    },
    getOne: async <TData extends BaseRecord = BaseRecord>({ id }: Parameters<DataProvider['getOne']>[0]) => {
      const { data } = await request<NanobananaTask>(`/api/v1/history/${encodeURIComponent(String(id))}`);
      return { data: data as unknown as TData };
    },
    deleteOne: async <TData extends BaseRecord = BaseRecord>({
      id,
    }: Parameters<DataProvider['deleteOne']>[0]) => {
      await request<null>(`/api/v1/history/${encodeURIComponent(String(id))}`, { method: 'DELETE' });
      return { data: { id } as unknown as TData };
    },
    deleteMany: async <TData extends BaseRecord = BaseRecord>({
      ids,
    }: Parameters<NonNullable<DataProvider['deleteMany']>>[0]) => {
      await request<null>('/api/v1/history/batch', { method: 'DELETE', body: { ids: ids.map(String) } });
      return { data: ids.map((id) => ({ id })) as unknown as TData[] };
    },
    create: async () => {
      throw notSupported('created');
    },
    update: async () => {
      throw notSupported('edited');
    },
  };
}

/** DELETE /api/v1/images/:id. */
export async function deleteNanobananaImage(imageId: string): Promise<void> {
  await request<null>(`/api/v1/images/${encodeURIComponent(imageId)}`, { method: 'DELETE' });
}

/**
 * POST /api/v1/images/export and save the streamed ZIP. Errors after the ZIP headers arrive as
 * text/plain (contract 004), so failures are read as text.
 */
export async function exportNanobananaImages(imageIds: string[]): Promise<void> {
  const zip = await download('/api/v1/images/export', { method: 'POST', body: { imageIds } });
  const url = URL.createObjectURL(zip);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = 'images.zip';
  anchor.click();
  URL.revokeObjectURL(url);
}

/** Media paths of contract 004 are server-relative (`/media/...`). */
export const mediaUrl = (path: string) => (path ? `${API_URL}${path}` : '');
