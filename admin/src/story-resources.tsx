import {
  BookOutlined,
  CustomerServiceOutlined,
  FileTextOutlined,
  GlobalOutlined,
  HighlightOutlined,
  NotificationOutlined,
  RobotOutlined,
  SnippetsOutlined,
  TagsOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import type { ReactNode } from 'react';
import type { ResourceApi } from './providers/data-provider';
import type { StoryResourceApiMap } from './providers/story-data-provider';
import { storyResourceConfigs } from './pages/story/story-config';

const ICONS: Record<string, ReactNode> = {
  story_templates: <SnippetsOutlined />,
  prompt_templates: <FileTextOutlined />,
  story_characters: <TeamOutlined />,
  stories: <BookOutlined />,
  music: <CustomerServiceOutlined />,
  music_types: <TagsOutlined />,
  art_styles: <HighlightOutlined />,
  languages: <GlobalOutlined />,
  system_prompt_posts: <NotificationOutlined />,
  ai_models: <RobotOutlined />,
};

/** Contract 002 resources for Refine; they use the `story` data provider (bare JSON, REST verbs). */
export const storyResources = storyResourceConfigs.map((config) => ({
  name: config.name,
  list: config.route,
  ...(config.fields ? { create: `${config.route}/create` } : {}),
  ...(config.fields && config.canEdit !== false ? { edit: `${config.route}/edit/:id` } : {}),
  meta: {
    icon: ICONS[config.name],
    canDelete: config.canDelete !== false,
    dataProviderName: 'story',
    parent: 'story_chat',
    // The default (contract-003) provider never sees these; an empty api keeps resourceApis total.
    api: {} satisfies ResourceApi,
  },
}));

/** The menu group the story resources sit under. */
export const storyMenuGroup = {
  name: 'story_chat',
  meta: { icon: <BookOutlined />, api: {} satisfies ResourceApi },
};

export const storyResourceApis: StoryResourceApiMap = Object.fromEntries(
  storyResourceConfigs.map((config) => [config.name, config.api]),
);
