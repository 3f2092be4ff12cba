// English strings of the contract-002 (story chat) catalogs. Spread into the locale; the other file mirrors the keys.
const storyEn = {
  story: {
    importCard: 'Import card',
    imported: 'Imported {{name}}',
    yes: 'Yes',
    no: 'No',
    required: 'Required',
    invalidJson: 'Not valid JSON',
    // Labels of the catalogs' enum values (story-config's `labels`); unknown values show as they are.
    enums: {
      status: { active: 'Active', inactive: 'Inactive' },
      modelType: { chat: 'Chat', other: 'Other', t2i: 'Text → image', i2t: 'Image → text' },
      characterType: { character: 'Character', narrator: 'Narrator' },
    },
  },
  story_chat: {
    story_chat: 'Story chat',
    titles: {
      list: 'Story chat',
      create: 'New Story chat',
      edit: 'Edit Story chat',
      show: 'Story chat',
    },
    fields: {},
  },
  story_templates: {
    story_templates: 'Story templates',
    titles: {
      list: 'Story templates',
      create: 'New Story templates',
      edit: 'Edit Story templates',
      show: 'Story templates',
    },
    fields: {
      thumbnail: 'Thumbnail',
      id: 'ID',
      name: 'Name',
      maxCharacters: 'Max characters',
      status: 'Status',
      created_at: 'Created',
      introduction: 'Introduction',
      components: 'Components (JSON)',
      hiddenPrompt: 'Hidden prompt',
    },
  },
  prompt_templates: {
    prompt_templates: 'Story prompt templates',
    titles: {
      list: 'Story prompt templates',
      create: 'New story prompt template',
      edit: 'Edit story prompt template',
      show: 'Story prompt template',
    },
    fields: {
      type: 'Type',
      name: 'Name',
      content: 'Content',
      is_active: 'Active',
    },
  },
  story_characters: {
    story_characters: 'Characters',
    titles: {
      list: 'Characters',
      create: 'New Characters',
      edit: 'Edit Characters',
      show: 'Characters',
    },
    fields: {
      avatar: 'Avatar',
      name: 'Name',
      character_type: 'Kind',
      personality: 'Personality',
      llm_id: 'Model',
      talkativeness: 'Talkativeness',
      created_at: 'Created',
      icon_url: 'Icon URL',
      description: 'Description',
      background: 'Background',
      language: 'Language',
    },
  },
  stories: {
    stories: 'Stories',
    titles: {
      list: 'Stories',
      create: 'New Stories',
      edit: 'Edit Stories',
      show: 'Stories',
    },
    fields: {
      bg_image_url: 'Background',
      title: 'Title',
      is_published: 'Published',
      language: 'Language',
      created_at: 'Created',
      setting: 'Setting (JSON)',
    },
  },
  music: {
    music: 'Music',
    titles: {
      list: 'Music',
      create: 'New Music',
      edit: 'Edit Music',
      show: 'Music',
    },
    fields: {
      name: 'Name',
      type: 'Type',
      url: 'Player',
      created_at: 'Created',
    },
  },
  music_types: {
    music_types: 'Music types',
    titles: {
      list: 'Music types',
      create: 'New Music types',
      edit: 'Edit Music types',
      show: 'Music types',
    },
    fields: {
      name: 'Name',
      created_at: 'Created',
    },
  },
  art_styles: {
    art_styles: 'Art styles',
    titles: {
      list: 'Art styles',
      create: 'New Art styles',
      edit: 'Edit Art styles',
      show: 'Art styles',
    },
    fields: {
      thumbnail: 'Thumbnail',
      name: 'Name',
      keyword: 'Keywords',
      status: 'Status',
    },
  },
  languages: {
    languages: 'Languages',
    titles: {
      list: 'Languages',
      create: 'New Languages',
      edit: 'Edit Languages',
      show: 'Languages',
    },
    fields: {
      language: 'Language',
      created_at: 'Created',
    },
  },
  system_prompt_posts: {
    system_prompt_posts: 'System prompt posts',
    titles: {
      list: 'System prompt posts',
      create: 'New System prompt posts',
      edit: 'Edit System prompt posts',
      show: 'System prompt posts',
    },
    fields: {
      content: 'Content',
      created_at: 'Created',
    },
  },
  ai_models: {
    ai_models: 'AI models',
    titles: {
      list: 'AI models',
      create: 'New AI models',
      edit: 'Edit AI models',
      show: 'AI models',
    },
    fields: {
      llm_id: 'Model ID',
      name: 'Name',
      type: 'Type',
      provider_model: 'Upstream model',
      base_url: 'Base URL (empty: default)',
      api_key: 'API key (stored encrypted)',
      temperature: 'Temperature',
      max_tokens: 'Max tokens',
      is_active: 'Active',
      usage_count: 'Uses',
      last_used_at: 'Last used',
    },
  },
};

export default storyEn;
