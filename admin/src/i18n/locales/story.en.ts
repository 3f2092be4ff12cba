// English strings of the contract-002 (story chat) catalogs. Spread into the locale; the other file mirrors the keys.
const storyEn = {
  story: {
    importCard: 'Import card',
    imported: 'Imported {{name}}',
    yes: 'Yes',
    no: 'No',
    required: 'Required',
    invalidJson: 'Not valid JSON',
    // Notices after saving or deleting one record; {{name}} is its catalog's singular name.
    notices: {
      created: '{{name}} created',
      saved: '{{name}} saved',
      deleted: '{{name}} deleted',
      saveFailed: '{{name}} not saved',
      deleteFailed: '{{name}} not deleted',
    },
    // Pictures and music in catalog forms: a URL, or an uploaded picture, checked by loading it.
    media: {
      upload: 'Upload',
      uploaded: 'Uploaded {{name}}',
      uploadFailed: 'Upload failed: {{reason}}',
      preview: 'Preview',
      player: 'Player',
      notUrl: 'Enter a web address (https://…)',
      imageBroken: 'This image does not load: check the address, or upload the picture instead',
      audioBroken:
        'This audio does not load: check the address, or upload the track instead (mp3, ogg, wav or flac)',
    },
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
    singular: 'Story template',
    titles: {
      list: 'Story templates',
      create: 'New story template',
      edit: 'Edit story template',
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
    singular: 'Story prompt template',
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
    singular: 'Character',
    titles: {
      list: 'Characters',
      create: 'New character',
      edit: 'Edit character',
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
      icon_url: 'Icon',
      description: 'Description',
      background: 'Background',
      language: 'Language',
    },
  },
  stories: {
    stories: 'Stories',
    singular: 'Story',
    titles: {
      list: 'Stories',
      create: 'New story',
      edit: 'Edit story',
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
    singular: 'Music track',
    titles: {
      list: 'Music',
      create: 'New music track',
      edit: 'Edit music track',
      show: 'Music',
    },
    fields: {
      name: 'Name',
      type: 'Type',
      url: 'Audio',
      created_at: 'Created',
    },
  },
  music_types: {
    music_types: 'Music types',
    singular: 'Music type',
    titles: {
      list: 'Music types',
      create: 'New music type',
      edit: 'Edit music type',
      show: 'Music types',
    },
    fields: {
      name: 'Name',
      created_at: 'Created',
    },
  },
  art_styles: {
    art_styles: 'Art styles',
    singular: 'Art style',
    titles: {
      list: 'Art styles',
      create: 'New art style',
      edit: 'Edit art style',
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
    singular: 'Language',
    titles: {
      list: 'Languages',
      create: 'New language',
      edit: 'Edit language',
      show: 'Languages',
    },
    fields: {
      language: 'Language',
      created_at: 'Created',
    },
  },
  system_prompt_posts: {
    system_prompt_posts: 'System prompt posts',
    singular: 'System prompt post',
    titles: {
      list: 'System prompt posts',
      create: 'New system prompt post',
      edit: 'Edit system prompt post',
      show: 'System prompt posts',
    },
    fields: {
      content: 'Content',
      created_at: 'Created',
    },
  },
  ai_models: {
    ai_models: 'AI models',
    singular: 'AI model',
    titles: {
      list: 'AI models',
      create: 'New AI model',
      edit: 'Edit AI model',
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
