import type { ResourceProps } from '@refinedev/core';
import {
  CloudServerOutlined,
  DashboardOutlined,
  FileImageOutlined,
  PartitionOutlined,
  SearchOutlined,
} from '@ant-design/icons';
import type { ResourceApi, ResourceApiMap } from './providers/data-provider';
import { storyMenuGroup, storyResources } from './story-resources';
import { nanobananaResources } from './nanobanana-resources';
import { animeMenuGroup, animeResources } from './anime-resources';

/**
 * Every admin resource, declared once: its routes and menu entry for Refine, and its endpoints for
 * the data provider (`meta.api`). Adding contract-003 records, batches or statistics is a new entry
 * here plus its pages; the data provider itself does not change.
 */
export const resources = [
  {
    // Home: statistics only, no CRUD (its data comes from useCustom on the dashboard page).
    name: 'dashboard',
    list: '/',
    meta: { icon: <DashboardOutlined />, api: {} satisfies ResourceApi },
  },
  {
    name: 'jimeng_accounts',
    list: '/jimeng-accounts',
    create: '/jimeng-accounts/create',
    edit: '/jimeng-accounts/edit/:id',
    meta: {
      icon: <CloudServerOutlined />,
      canDelete: true,
      api: {
        list: '/api/v1/jimeng/accounts/list',
        filters: ['account_status', 'site_type'],
        create: '/api/v1/jimeng/accounts/create',
        update: '/api/v1/jimeng/accounts/update',
        delete: '/api/v1/jimeng/accounts/delete',
        recordsKey: 'accounts',
        actions: {
          reset: '/api/v1/jimeng/accounts/reset-status',
          test: '/api/v1/jimeng/accounts/test',
        },
      } satisfies ResourceApi,
    },
  },
  {
    // Contract 003 §9–10 batches; rows are keyed by batch_id (there is no `id`).
    name: 'jimeng_batches',
    list: '/jimeng-batches',
    show: '/jimeng-batches/show/:id',
    meta: {
      icon: <PartitionOutlined />,
      api: {
        list: '/api/v1/jimeng/batch/list',
        filters: ['status', 'work_id'],
        detail: '/api/v1/jimeng/batch/:id/status',
        actions: {
          retry: '/api/v1/jimeng/batch/:batch_id/retry',
          cancel: '/api/v1/jimeng/batch/:batch_id/cancel',
        },
      } satisfies ResourceApi,
    },
  },
  {
    // Contract 003 §6 generation records: `type` (image|video) is a filter on the list and a meta
    // param for detail and delete; work_id is optional for staff.
    name: 'jimeng_records',
    list: '/jimeng-records',
    show: '/jimeng-records/show/:id',
    meta: {
      icon: <FileImageOutlined />,
      canDelete: true,
      api: {
        list: '/api/v1/jimeng/records/list',
        // The admin sends the time range as instants (`_iso`, a Dreamloom addition); the contract's
        // Asia/Shanghai start_time/end_time still pass through for links that carry them.
        filters: [
          'type',
          'work_id',
          'generation_status',
          'start_time',
          'end_time',
          'start_time_iso',
          'end_time_iso',
        ],
        detail: '/api/v1/jimeng/records/detail',
        delete: '/api/v1/jimeng/records/delete',
        metaParams: ['type'],
        actions: {
          regenerate_image: '/api/v1/jimeng/image/regenerate',
          regenerate_video: '/api/v1/jimeng/video/regenerate',
        },
      } satisfies ResourceApi,
    },
  },
  // Contract 002 (story chat) catalogs, on their own data provider.
  storyMenuGroup,
  ...storyResources,
  // Contract 004 (NanoBanana) gallery, on its own data provider.
  ...nanobananaResources,
  // Contracts 000/001 (anime images and videos) and credits, on their own data provider.
  animeMenuGroup,
  ...animeResources,
  {
    // Staff trace: one search box, no CRUD (the page calls GET /api/v1/admin/trace itself).
    name: 'trace',
    list: '/trace',
    meta: { icon: <SearchOutlined />, api: {} satisfies ResourceApi },
  },
] as const satisfies readonly ResourceProps[];

export type ResourceName = (typeof resources)[number]['name'];

export const resourceApis: ResourceApiMap = Object.fromEntries(
  resources.map((resource) => [resource.name, resource.meta.api as ResourceApi]),
);
