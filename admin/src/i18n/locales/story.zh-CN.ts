// Chinese strings of the contract-002 (story chat) catalogs. Spread into the locale; the other file mirrors the keys.
const storyZhCN = {
  story: {
    importCard: '导入角色卡',
    imported: '已导入 {{name}}',
    yes: '是',
    no: '否',
    required: '必填',
    invalidJson: '不是有效的 JSON',
    enums: {
      status: { active: '启用', inactive: '停用' },
      modelType: { chat: '对话', other: '其他', t2i: '文生图', i2t: '图生文' },
      characterType: { character: '角色', narrator: '旁白' },
    },
  },
  story_chat: {
    story_chat: '故事聊天',
    titles: {
      list: '故事聊天',
      create: '新建故事聊天',
      edit: '编辑故事聊天',
      show: '故事聊天',
    },
    fields: {},
  },
  story_templates: {
    story_templates: '故事模板',
    titles: {
      list: '故事模板',
      create: '新建故事模板',
      edit: '编辑故事模板',
      show: '故事模板',
    },
    fields: {
      thumbnail: '缩略图',
      id: 'ID',
      name: '名称',
      maxCharacters: '最多角色数',
      status: '状态',
      created_at: '创建时间',
      introduction: '介绍',
      components: '组件（JSON）',
      hiddenPrompt: '隐藏提示词',
    },
  },
  prompt_templates: {
    prompt_templates: '故事提示词模板',
    titles: {
      list: '故事提示词模板',
      create: '新建故事提示词模板',
      edit: '编辑故事提示词模板',
      show: '故事提示词模板',
    },
    fields: {
      type: '类型',
      name: '名称',
      content: '内容',
      is_active: '启用',
    },
  },
  story_characters: {
    story_characters: '角色',
    titles: {
      list: '角色',
      create: '新建角色',
      edit: '编辑角色',
      show: '角色',
    },
    fields: {
      avatar: '头像',
      name: '名称',
      character_type: '类型',
      personality: '性格',
      llm_id: '模型',
      talkativeness: '健谈度',
      created_at: '创建时间',
      icon_url: '图标URL',
      description: '描述',
      background: '背景',
      language: '语言',
    },
  },
  stories: {
    stories: '故事',
    titles: {
      list: '故事',
      create: '新建故事',
      edit: '编辑故事',
      show: '故事',
    },
    fields: {
      bg_image_url: '背景图',
      title: '标题',
      is_published: '已发布',
      language: '语言',
      created_at: '创建时间',
      setting: '设定（JSON）',
    },
  },
  music: {
    music: '音乐',
    titles: {
      list: '音乐',
      create: '新建音乐',
      edit: '编辑音乐',
      show: '音乐',
    },
    fields: {
      name: '名称',
      type: '类型',
      url: '播放',
      created_at: '创建时间',
    },
  },
  music_types: {
    music_types: '音乐类型',
    titles: {
      list: '音乐类型',
      create: '新建音乐类型',
      edit: '编辑音乐类型',
      show: '音乐类型',
    },
    fields: {
      name: '名称',
      created_at: '创建时间',
    },
  },
  art_styles: {
    art_styles: '艺术风格',
    titles: {
      list: '艺术风格',
      create: '新建艺术风格',
      edit: '编辑艺术风格',
      show: '艺术风格',
    },
    fields: {
      thumbnail: '缩略图',
      name: '名称',
      keyword: '关键词',
      status: '状态',
    },
  },
  languages: {
    languages: '语言',
    titles: {
      list: '语言',
      create: '新建语言',
      edit: '编辑语言',
      show: '语言',
    },
    fields: {
      language: '语言',
      created_at: '创建时间',
    },
  },
  system_prompt_posts: {
    system_prompt_posts: '系统提示词补充',
    titles: {
      list: '系统提示词补充',
      create: '新建系统提示词补充',
      edit: '编辑系统提示词补充',
      show: '系统提示词补充',
    },
    fields: {
      content: '内容',
      created_at: '创建时间',
    },
  },
  ai_models: {
    ai_models: 'AI 模型',
    titles: {
      list: 'AI 模型',
      create: '新建AI 模型',
      edit: '编辑AI 模型',
      show: 'AI 模型',
    },
    fields: {
      llm_id: '模型ID',
      name: '名称',
      type: '类型',
      provider_model: '上游模型',
      base_url: '接口地址（留空用默认）',
      api_key: 'API 密钥（加密保存）',
      temperature: '温度',
      max_tokens: '最大 token 数',
      is_active: '启用',
      usage_count: '使用次数',
      last_used_at: '最近使用',
    },
  },
};

export default storyZhCN;
