import type { BaseRecord, CustomParams, DataProvider, HttpError } from '@refinedev/core';
import { API_URL, requestSuccess, type Method, type QueryValue } from './api-client';

/**
 * Contracts 000/001 (anime images and videos, credits) answer `{success: true, data}` or
 * `{success: false, error: {code, message}}`; a few endpoints (quote, status) answer bare JSON,
 * which passes through as it is. Anime resources name this provider (`dataProviderName: 'anime'`).
 */

export interface AnimeUser {
  id: string;
  user_id: string;
  username: string | null;
  display_name: string | null;
  role: string;
  identities: string[];
  balance: number;
  created_at: string;
}

export interface LedgerEntry {
  id: string;
  kind: 'grant' | 'charge' | 'refund' | string;
  amount: number;
  balance_after: number;
  task_id: string | null;
  note: string | null;
  created_at: string;
}

export interface AnimeUserCredits {
  id: string;
  user_id: string;
  balance: number;
  ledger: LedgerEntry[];
}

export interface TemplateVariable {
  name: string;
  type: 'string' | 'number' | 'boolean' | 'enum';
  required: boolean;
  options?: string[];
  description?: string;
}

export interface AnimeTemplate {
  id: string;
  template_key: string;
  name: string;
  template: string;
  variables: TemplateVariable[];
  llm_instructions: string | null;
  is_active: boolean;
}

export const PRESET_KINDS = ['style', 'scene', 'outfit', 'action'] as const;
export type PresetKind = (typeof PRESET_KINDS)[number];

export interface AnimePreset {
  /** `<kind>:<key>` (a preset key is unique per kind only). */
  id: string;
  kind: PresetKind;
  key: string;
  name: string;
  prompt: string;
  sort_order: number;
  is_active: boolean;
}

export interface AnimeMedia {
  id: string;
  image_url: string;
  thumbnail_url: string | null;
  width: number | null;
  height: number | null;
  mime: string;
}

export interface AnimeGeneration {
  id: string;
  generation_uuid: string;
  user_id: string;
  gen_type: 'anime' | 'action_figure' | 'video';
  status: 'pending' | 'processing' | 'completed' | 'failed';
  prompt: string;
  model: string;
  aspect_ratio: string;
  image_resolution: string | null;
  batch_size: number;
  credits_used: number;
  /** Stable English code and message, what the member sees. */
  error_code?: string | null;
  error_message: string | null;
  /** Staff only: the provider's own text behind the member's message. */
  error_detail?: string | null;
  visibility_level: string;
  created_at: string;
  images: AnimeMedia[];
  params: Record<string, unknown>;
}

/** A price rule: `flat` MC, or a table by key (images: 1K/2K/4K/*; videos: `<resolution|mode|*>:<seconds|*>`). */
export type PriceRule = { type: 'table'; table: Record<string, number> } | { type: 'flat'; credits: number };

/** Where a model's price comes from: the configured default, or a staff member's edit. */
export interface PriceSource {
  price_source: 'default' | 'custom';
  price_updated_by: string | null;
  price_updated_by_name: string | null;
  price_updated_at: string | null;
}

export interface ImageModel extends PriceSource {
  model_uuid: string;
  provider: string;
  is_default: boolean;
  /** MC per image (× batch size). */
  price: PriceRule;
  aspect_ratios: string[];
  resolutions: string[];
  max_batch_size: number;
  max_reference_images: number;
}

export interface VideoModel extends PriceSource {
  model_id: string;
  name: string;
  provider: string;
  upstream: { text_to_video: string; image_to_video: string };
  aspect_ratios: string[];
  durations: number[];
  resolutions: string[];
  modes: string[];
  max_reference_images: number;
  multi_shots: boolean;
  price: PriceRule;
  estimated_seconds: number;
}

export interface AnimeModels {
  image: ImageModel[];
  video: VideoModel[];
}

export const ANIME_PATHS = {
  users: '/api/generation/credits/users',
  credits: '/api/generation/credits',
  grant: '/api/generation/credits/grant',
  templates: '/api/anime-generation/admin/templates',
  presets: '/api/anime-generation/admin/presets',
  models: '/api/anime-generation/admin/models',
  priceChanges: '/api/anime-generation/admin/price-changes',
  generations: '/api/anime-generation/admin/generations',
  planChanges: '/api/anime-generation/admin/plan-changes',
} as const;

/** `PUT` here with `{plan}` sets a member's plan (staff; 409 PLAN_NOT_APPLICABLE for staff accounts). */
export const userPlanPath = (userId: string) =>
  `/api/anime-generation/admin/users/${encodeURIComponent(userId)}/plan`;

/** One audited plan change (newest first from ANIME_PATHS.planChanges). */
export interface PlanChange {
  id: string;
  user_id: string;
  old_plan: string;
  new_plan: string;
  changed_by: string;
  changed_by_name: string | null;
  created_at: string;
}

/** One request with the staff token; unwraps `{success, data}` and turns failures into HttpErrors. */
export const requestAnime = requestSuccess;

const notSupported = (resource: string, what: string): HttpError => ({
  statusCode: 405,
  message: `${resource} cannot be ${what} here`,
});

const eqFilters = (filters: Parameters<DataProvider['getList']>[0]['filters']) => {
  const values: Record<string, string> = {};
  for (const filter of filters ?? []) {
    if ('field' in filter && filter.operator === 'eq' && filter.value !== undefined && filter.value !== '')
      values[filter.field] = String(filter.value);
  }
  return values;
};

interface Paged<T> {
  records: T[];
  pagination: { total: number };
}

const presetId = (kind: string, key: string) => `${kind}:${key}`;
const splitPresetId = (id: string) => {
  const at = id.indexOf(':');
  return { kind: id.slice(0, at), key: id.slice(at + 1) };
};

async function listTemplates(): Promise<AnimeTemplate[]> {
  const rows = await requestAnime<Omit<AnimeTemplate, 'id'>[]>(ANIME_PATHS.templates);
  return rows.map((row) => ({ ...row, id: row.template_key }));
}

async function listPresets(kind?: string): Promise<AnimePreset[]> {
  const rows = await requestAnime<Omit<AnimePreset, 'id'>[]>(ANIME_PATHS.presets, { query: { kind } });
  return rows.map((row) => ({ ...row, id: presetId(row.kind, row.key) }));
}

/** Template/preset bodies as the server's PUT takes them (the key lives in the path). */
function templateBody(values: Partial<AnimeTemplate>) {
  return {
    name: values.name,
    template: values.template,
    variables: (values.variables ?? []).map((variable) => ({
      name: variable.name,
      type: variable.type ?? 'string',
      required: Boolean(variable.required),
      ...(variable.type === 'enum' ? { options: variable.options ?? [] } : {}),
      ...(variable.description ? { description: variable.description } : {}),
    })),
    llm_instructions: values.llm_instructions || null,
    is_active: values.is_active ?? true,
  };
}

function presetBody(values: Partial<AnimePreset>) {
  return {
    name: values.name,
    prompt: values.prompt,
    sort_order: values.sort_order ?? 0,
    is_active: values.is_active ?? true,
  };
}

export function createAnimeDataProvider(): DataProvider {
  return {
    getApiUrl: () => API_URL,
    getList: async <TData extends BaseRecord = BaseRecord>({
      resource,
      pagination,
      filters,
    }: Parameters<DataProvider['getList']>[0]) => {
      const page = pagination?.currentPage ?? 1;
      const size = pagination?.pageSize ?? 20;
      const query = eqFilters(filters);
      const clientPaged = <T>(rows: T[]) => ({
        data: rows.slice((page - 1) * size, page * size) as unknown as TData[],
        total: rows.length,
      });
      switch (resource) {
        case 'anime_users': {
          const data = await requestAnime<Paged<Omit<AnimeUser, 'id'>>>(ANIME_PATHS.users, {
            query: { page, limit: Math.min(size, 100), q: query.q },
          });
          return {
            data: data.records.map((row) => ({ ...row, id: row.user_id })) as unknown as TData[],
            total: data.pagination.total,
          };
        }
        case 'anime_generations': {
          const data = await requestAnime<Paged<Omit<AnimeGeneration, 'id'>>>(ANIME_PATHS.generations, {
            query: {
              page,
              limit: Math.min(size, 100),
              status: query.status,
              kind: query.kind,
              user_id: query.user_id,
            },
          });
          return {
            data: data.records.map((row) => ({ ...row, id: row.generation_uuid })) as unknown as TData[],
            total: data.pagination.total,
          };
        }
        case 'anime_templates':
          return clientPaged(await listTemplates());
        case 'anime_presets':
          return clientPaged(await listPresets(query.kind));
        default:
          throw notSupported(resource, 'listed');
      }
    },
    getOne: async <TData extends BaseRecord = BaseRecord>({
      resource,
      id,
    }: Parameters<DataProvider['getOne']>[0]) => {
      const key = String(id);
      let found: BaseRecord | undefined;
      if (resource === 'anime_users') {
        const data = await requestAnime<Omit<AnimeUserCredits, 'id'>>(ANIME_PATHS.credits, {
          query: { user_id: key, limit: 200 },
        });
        found = { ...data, id: data.user_id };
      } else if (resource === 'anime_templates') {
        found = (await listTemplates()).find((row) => row.id === key);
      } else if (resource === 'anime_presets') {
        found = (await listPresets(splitPresetId(key).kind)).find((row) => row.id === key);
      } else {
        throw notSupported(resource, 'shown');
      }
      if (!found) throw { statusCode: 404, message: `${key} not found` } as HttpError;
      return { data: found as TData };
    },
    create: async <TData extends BaseRecord = BaseRecord, TVariables = object>({
      resource,
      variables,
    }: Parameters<DataProvider['create']>[0] & { variables: TVariables }) => {
      const values = variables as Record<string, unknown>;
      if (resource === 'anime_templates') {
        const key = String(values.template_key ?? '');
        const saved = await requestAnime<Omit<AnimeTemplate, 'id'>>(
          `${ANIME_PATHS.templates}/${encodeURIComponent(key)}`,
          { method: 'PUT', body: templateBody(values as Partial<AnimeTemplate>) },
        );
        return { data: { ...saved, id: saved.template_key } as unknown as TData };
      }
      if (resource === 'anime_presets') {
        const kind = String(values.kind ?? '');
        const key = String(values.key ?? '');
        const saved = await requestAnime<Omit<AnimePreset, 'id'>>(
          `${ANIME_PATHS.presets}/${encodeURIComponent(kind)}/${encodeURIComponent(key)}`,
          { method: 'PUT', body: presetBody(values as Partial<AnimePreset>) },
        );
        return { data: { ...saved, id: presetId(saved.kind, saved.key) } as unknown as TData };
      }
      throw notSupported(resource, 'created');
    },
    update: async <TData extends BaseRecord = BaseRecord, TVariables = object>({
      resource,
      id,
      variables,
    }: Parameters<DataProvider['update']>[0] & { variables: TVariables }) => {
      const values = variables as Record<string, unknown>;
      if (resource === 'anime_templates') {
        const saved = await requestAnime<Omit<AnimeTemplate, 'id'>>(
          `${ANIME_PATHS.templates}/${encodeURIComponent(String(id))}`,
          { method: 'PUT', body: templateBody(values as Partial<AnimeTemplate>) },
        );
        return { data: { ...saved, id: saved.template_key } as unknown as TData };
      }
      if (resource === 'anime_presets') {
        const { kind, key } = splitPresetId(String(id));
        const saved = await requestAnime<Omit<AnimePreset, 'id'>>(
          `${ANIME_PATHS.presets}/${encodeURIComponent(kind)}/${encodeURIComponent(key)}`,
          { method: 'PUT', body: presetBody(values as Partial<AnimePreset>) },
        );
        return { data: { ...saved, id: presetId(saved.kind, saved.key) } as unknown as TData };
      }
      throw notSupported(resource, 'edited');
    },
    deleteOne: async ({ resource }) => {
      throw notSupported(resource, 'deleted');
    },
    custom: async <TData extends BaseRecord = BaseRecord>({ url, method, payload, query }: CustomParams) => {
      const path = API_URL && url.startsWith(API_URL) ? url.slice(API_URL.length) : url;
      return {
        data: await requestAnime<TData>(path, {
          method: method.toUpperCase() as Method,
          query: (query ?? undefined) as Record<string, QueryValue> | undefined,
          body: payload,
        }),
      };
    },
  };
}
