import type { ResourceProps } from '@refinedev/core';
import { CloudServerOutlined } from '@ant-design/icons';
import type { ResourceApi, ResourceApiMap } from './providers/data-provider';

/**
 * Every admin resource, declared once: its routes and menu entry for Refine, and its endpoints for
 * the data provider (`meta.api`). Adding contract-003 records, batches or statistics is a new entry
 * here plus its pages; the data provider itself does not change.
 */
export const resources = [
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
        actions: { reset: '/api/v1/jimeng/accounts/reset-status' },
      } satisfies ResourceApi,
    },
  },
  // Next from contract 003, for example:
  // { name: 'jimeng_records', list: '/jimeng-records', meta: { api: {
  //   list: '/api/v1/jimeng/records/list', detail: '/api/v1/jimeng/records/detail',
  //   delete: '/api/v1/jimeng/records/delete', metaParams: ['type', 'work_id'],
  //   filters: ['generation_status', 'start_time', 'end_time'] } } },
] as const satisfies readonly ResourceProps[];

export type ResourceName = (typeof resources)[number]['name'];

export const resourceApis: ResourceApiMap = Object.fromEntries(
  resources.map((resource) => [resource.name, resource.meta.api as ResourceApi]),
);
