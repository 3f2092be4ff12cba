import { PictureOutlined } from '@ant-design/icons';
import type { ResourceApi } from './providers/data-provider';

/** Contract 004 (NanoBanana) gallery; it uses the `nanobanana` data provider (`{code: 0}` envelope). */
export const nanobananaResources = [
  {
    name: 'nanobanana_tasks',
    list: '/nanobanana',
    show: '/nanobanana/show/:id',
    meta: {
      icon: <PictureOutlined />,
      canDelete: true,
      dataProviderName: 'nanobanana',
      // The default provider never sees this resource; an empty api keeps resourceApis total.
      api: {} satisfies ResourceApi,
    },
  },
];
