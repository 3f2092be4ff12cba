import type { Core } from '@dreamloom/core';

/** Demo AI models: upstream names the sandbox (and most OpenAI-compatible services) accept. */
const DEMO_MODELS = [
  { llm_id: 'sandbox-chat', type: 'chat', provider_model: 'sandbox-chat', temperature: 0.9 },
  { llm_id: 'gpt-4o-mini', type: 'chat', provider_model: 'gpt-4o-mini', temperature: 0.8 },
  { llm_id: 'prompt-writer', type: 'other', provider_model: 'gpt-4.1-mini', temperature: 0.7 },
  { llm_id: 'vision-1', type: 'i2t', provider_model: 'gpt-4o', temperature: null },
  { llm_id: 'jimeng-4.5', type: 't2i', provider_model: 'jimeng-4.5', temperature: null },
] as const;

const DEMO_CAST = [
  {
    name: 'Mira',
    description: 'The innkeeper of the Lantern Inn, who knows every traveller by their boots.',
    personality: 'Warm, teasing, quick to notice lies.',
    talkativeness: 0.8,
  },
  {
    name: 'Tobin',
    description: 'A retired knight who drinks tea instead of ale and tells long stories.',
    personality: 'Gruff, honourable, secretly sentimental.',
    talkativeness: 0.5,
  },
  {
    name: 'Wren',
    description: 'A young cartographer mapping roads that do not exist yet.',
    personality: 'Curious, restless, talks in questions.',
    talkativeness: 0.6,
  },
];

/**
 * Contract 002 demo data for the embedded quickstart: AI models that run on the sandbox, the
 * narrator, three characters and one published story, languages, art styles and a prompt
 * template. Runs only on an empty model catalog, so restarting never duplicates it.
 */
export async function seedStoryDemo(core: Core, ownerId: string): Promise<{ storyId: string | null }> {
  const { models } = core.story;
  if ((await models.AiModel.count()) > 0) return { storyId: null };
  const now = new Date();
  for (const model of DEMO_MODELS) {
    await models.AiModel.create({
      id: core.ids.snowflake(),
      llm_id: model.llm_id,
      name: model.llm_id,
      type: model.type,
      provider_model: model.provider_model,
      base_url: null,
      api_key_enc: null,
      temperature: model.temperature,
      max_tokens: null,
      created_at: now,
      updated_at: now,
    });
  }
  for (const language of ['English', '中文']) {
    await models.Language.create({ id: core.ids.snowflake(), language, created_at: now });
  }
  for (const [name, keyword] of [
    ['Anime', 'anime, cel shading, vibrant'],
    ['Watercolor', 'watercolor, soft edges, paper texture'],
  ]) {
    await models.ArtStyle.create({
      id: core.ids.snowflake(),
      name,
      keyword,
      thumbnail: null,
      status: 'active',
      created_at: now,
    });
  }
  await models.PromptTemplate.create({
    id: core.ids.snowflake(),
    type: 't2i_character',
    name: 'Character avatar',
    content:
      'Write one English prompt for an anime character portrait from the facts below: appearance, clothing, expression, art style. Reply with the prompt only, under 80 words.',
    is_active: true,
    created_at: now,
    updated_at: now,
  });
  const narrator = await core.story.catalog.narrator();
  const owner = { id: ownerId, role: 'admin' as const, username: null, displayName: null };
  const cast = [];
  for (const member of DEMO_CAST) {
    cast.push(await core.story.catalog.createCharacter(owner, { ...member, language: 'English' }));
  }
  const story = await core.story.catalog.publishStory(owner, {
    story_name: 'The Lantern Inn',
    template_content:
      'A stormy night at a roadside inn; strangers arrive, and one of them carries a sealed map.',
    characters: [...cast.map((member) => member.id), narrator.id],
    opening_messages: [
      { content: 'Mira wipes the counter. "Storm’s bringing us company tonight."', character: cast[0].id },
    ],
    settings: { config: { model: 'sandbox-chat', history_length: 25, summary_length: 200 } },
    language: 'English',
  });
  return { storyId: story.id };
}
