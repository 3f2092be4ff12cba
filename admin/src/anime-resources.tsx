import {
  ApiOutlined,
  BulbOutlined,
  FileTextOutlined,
  PictureOutlined,
  StarOutlined,
  WalletOutlined,
} from '@ant-design/icons';
import type { ReactNode } from 'react';
import type { ResourceApi } from './providers/data-provider';

/**
 * Contracts 000/001 (anime images and videos) and the credits ledger; they use the `anime` data
 * provider (`{success, data}` envelope). The default provider never sees them; an empty api keeps
 * resourceApis total.
 */
const anime = (name: string, icon: ReactNode, routes: Record<string, string>, extra = {}) => ({
  name,
  ...routes,
  meta: { icon, dataProviderName: 'anime', parent: 'anime', api: {} satisfies ResourceApi, ...extra },
});

/** The menu group the anime resources sit under. */
export const animeMenuGroup = {
  name: 'anime',
  meta: { icon: <StarOutlined />, api: {} satisfies ResourceApi },
};

export const animeResources = [
  anime('anime_users', <WalletOutlined />, { list: '/anime-users', show: '/anime-users/show/:id' }),
  anime('anime_generations', <PictureOutlined />, { list: '/anime-generations' }),
  anime('anime_templates', <FileTextOutlined />, {
    list: '/anime-templates',
    create: '/anime-templates/create',
    edit: '/anime-templates/edit/:id',
  }),
  anime('anime_presets', <BulbOutlined />, {
    list: '/anime-presets',
    create: '/anime-presets/create',
    edit: '/anime-presets/edit/:id',
  }),
  anime('anime_models', <ApiOutlined />, { list: '/anime-models' }),
];
