// Contract 002, playing a story: wallet login, conversations and their messages, speaker choice and
// replies (event streams), the AI routes (models, OpenAI-compatible completions, text-to-image,
// avatars and backgrounds), the bots' place bindings and image upload. Answers are bare JSON;
// errors `{detail}` (the OpenAI-compatible routes: `{error: {code, message}}`).
import { z } from 'zod';
import { castMemberCard, characterView } from './story-catalog.js';

/**
 * Contract 002's ids: snowflakes here, but its examples show 24-hex (Mongo) ids and story templates
 * take names like `free-creation`, so any 1-64 letters, digits, `_` or `-`.
 */
export const storyId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected an id (letters, digits, _ or -)');
/** A UUID (t2i tasks). */
export const storyUuid = z.uuid();

/** The error body of contract 002. */
export const storyErrorResponse = z.object({ detail: z.string() });

// ---- auth: POST /api/v1/auth/{nonce,login,link-wallet,logout} ----
const walletAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 0x-prefixed Ethereum address');
const walletSignature = z
  .string()
  .regex(/^0x[0-9a-fA-F]+$/)
  .max(2000);
export const walletNonceBody = z.object({ wallet_address: walletAddress });
export const walletNonceResponse = z.object({
  nonce: z.string(),
  message: z.string(),
  expires_at: z.string(),
});
export const walletLoginBody = z.object({ wallet_address: walletAddress, signature: walletSignature });
export const walletLoginResponse = z.object({
  access_token: z.string(),
  wallet_address: z.string(),
  expires_at: z.string(),
});
export type WalletLoginResponse = z.infer<typeof walletLoginResponse>;
export const linkWalletBody = walletLoginBody;
export const linkWalletResponse = z.object({ wallet_address: z.string(), linked: z.literal(true) });
export const logoutResponse = z.object({ message: z.string() });

// ---- conversations ----
/** A stored chat message as the API, the bots and the room events show it. */
export const chatMessage = z.object({
  id: z.string(),
  content: z.string(),
  character_id: z.string().nullable(),
  character_name: z.string().nullable(),
  is_opening: z.boolean(),
  sequence: z.number(),
  created_at: z.string(),
  role: z.enum(['user', 'assistant']),
  author_user_id: z.string().nullable(),
  author_name: z.string().nullable(),
  /** Earlier versions of a character's reply (regenerate keeps them). */
  swipes: z.array(z.string()),
});
export type ChatMessage = z.infer<typeof chatMessage>;

export const createConversationBody = z.object({
  story_id: storyId,
  messages: z
    .array(z.object({ content: z.string().max(20_000), character_id: storyId }))
    .max(50)
    .optional(),
});
export const createConversationResponse = z.object({
  id: z.string(),
  story_id: z.string(),
  status: z.string(),
  created_at: z.string(),
  last_message_id: z.string().nullable(),
});
export type CreateConversationResponse = z.infer<typeof createConversationResponse>;
export const storyIdParams = z.object({ story_id: storyId });
export const findConversationResponse = z.object({ conversation_id: z.string().nullable() });
export const conversationIdParams = z.object({ id: storyId });
export const endConversationResponse = z.object({ id: z.string(), status: z.literal('ended') });
export const inviteResponse = z.object({
  code: z.string(),
  conversation_id: z.string(),
  expires_at: z.string(),
});
export const joinConversationBody = z.object({ code: z.string().min(1).max(64) });
export const joinConversationResponse = z.object({
  conversation_id: z.string(),
  story_id: z.string(),
  status: z.string(),
});

// ---- history, speakers, replies ----
export const historyMessagesBody = z.object({
  conversation_id: storyId,
  last_message_time: z.iso.datetime({ offset: true }).optional(),
});
export const historyMessagesQuery = z.object({
  conversation_id: storyId,
  last_message_id: storyId.optional(),
});
/** Oldest first. */
export const historyMessagesResponse = z.array(chatMessage);

/** A line of history a client sends along (not stored). */
export const historyMessage = z.object({
  role: z.string().max(16),
  content: z.string().max(50_000),
  character_name: z.string().max(128).optional(),
});
export const selectSpeakersBody = z.object({
  history_length: z.number().int().min(1).max(200).default(25),
  user_message: z.string().max(20_000),
  history_messages: z.array(historyMessage).max(500).default([]),
  character_names: z.array(z.string().min(1).max(128)).min(1).max(50),
});
export const selectSpeakersResponse = z.object({ speakers: z.array(z.string()) });

/** The body of `POST /api/v1/story_chat/generate-response` (also served by the server's fast path). */
export const generateResponseBody = z.object({
  history_length: z.number().int().min(1).max(200).optional(),
  character_id: storyId,
  user_message: z.string().max(20_000).optional(),
  history_messages: z.array(historyMessage).max(500).default([]),
  conversation_id: storyId.optional(),
  last_message_id: storyId.optional(),
  is_first_response: z.boolean().default(false),
});
export type GenerateResponseBody = z.infer<typeof generateResponseBody>;

/**
 * The event stream of generate-response, turn, regenerate and continue: `speakers`, `start`,
 * plain `data` deltas (`{message_id, content}`), `end` (the stored message), `error` (`{detail}`),
 * then `data: [DONE]`.
 */
export const CHAT_EVENT_STREAM = {
  contentType: 'text/event-stream',
  description:
    'Server-Sent Events: `speakers`, `start`, data deltas `{message_id, content}`, `end` (the stored message), `error` `{detail}`, then `data: [DONE]`',
} as const;

export const playTurnBody = z.object({
  conversation_id: storyId,
  content: z.string().min(1).max(20_000),
  author_name: z.string().max(128).optional(),
  speaker_ids: z.array(storyId).max(20).optional(),
});
export const conversationOperationBody = z.object({ conversation_id: storyId });
export const messageIdParams = z.object({ id: storyId });
export const editMessageBody = z.object({ content: z.string().min(1).max(50_000) });
export const swipeBody = z.object({ index: z.number().int().min(0).max(1000) });
export const chatMessageResponse = chatMessage;

// ---- AI: models, completions, text-to-image ----
export const MODEL_TYPE_NAMES = ['chat', 'other', 't2i', 'i2t'] as const;
export const aiModelsQuery = z.object({
  type: z.enum(MODEL_TYPE_NAMES).optional(),
  llm_id: z.string().max(128).optional(),
});
export const aiModelTypeParams = z.object({ type: z.enum(MODEL_TYPE_NAMES) });
export const aiModel = z.object({
  id: z.string(),
  llm_id: z.string(),
  name: z.string(),
  type: z.string(),
  provider_model: z.string(),
  base_url: z.string().nullable(),
  has_api_key: z.boolean(),
  temperature: z.number().nullable(),
  max_tokens: z.number().nullable(),
  is_active: z.boolean(),
  usage_count: z.number(),
  last_used_at: z.string().nullable(),
  created_at: z.string(),
});
export type AiModel = z.infer<typeof aiModel>;
export const aiModelsResponse = z.array(aiModel);
export const aiModelResponse = aiModel;

export const completionMessage = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.union([z.string().max(200_000), z.array(z.record(z.string(), z.unknown())).max(50)]),
  name: z.string().max(64).optional(),
});
/**
 * Accepts the contract's `model_id` and, for the official SDK, `model`. Other fields are ignored:
 * model parameters come from the database.
 */
export const chatCompletionBody = z
  .object({
    model_id: z.string().min(1).max(128).optional(),
    model: z.string().min(1).max(128).optional(),
    messages: z.array(completionMessage).min(1).max(500),
    stream: z.boolean().default(false),
  })
  .refine((body) => body.model_id || body.model, { message: 'model_id is required', path: ['model_id'] });
export const i2tCompletionBody = z.object({
  model_id: z.string().min(1).max(128),
  messages: z.array(completionMessage).min(1).max(50),
});
/** OpenAI's chat.completion object. */
export const chatCompletionResponse = z.object({
  id: z.string(),
  object: z.literal('chat.completion'),
  created: z.number(),
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.number(),
      message: z.object({ role: z.literal('assistant'), content: z.string() }),
      finish_reason: z.string().nullable(),
    }),
  ),
  usage: z
    .object({ prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number() })
    .optional(),
});
export type ChatCompletionResponse = z.infer<typeof chatCompletionResponse>;
export const COMPLETION_EVENT_STREAM = {
  contentType: 'text/event-stream',
  description: 'With stream: true, OpenAI chat.completion.chunk events, then `data: [DONE]`',
} as const;

export const t2iSubmitBody = z.object({
  model_id: z.string().min(1).max(128),
  prompt: z.string().min(1).max(4000),
  size: z.string().max(32).optional(),
});
export const t2iTaskParams = z.object({ task_id: storyUuid });
/** A text-to-image task (also avatars and backgrounds). */
export const t2iTask = z.object({
  task_id: z.string(),
  status: z.string(),
  progress: z.number(),
  image_prompt: z.string().optional(),
  image_url: z.string().nullable(),
  icon_url: z.string().nullable(),
  images: z.array(z.object({ id: z.string(), url: z.string(), thumbnail_url: z.string().nullable() })),
  error: z.string().nullable(),
});
export type T2iTask = z.infer<typeof t2iTask>;

export const promptTemplateTypeParams = z.object({ type: z.string().min(1).max(64) });
export const promptTemplateOfTypeResponse = z.object({
  id: z.string(),
  type: z.string(),
  name: z.string(),
  content: z.string(),
  is_active: z.boolean(),
  created_at: z.string().nullable(),
  updated_at: z.string().nullable(),
});

export const avatarGenerateBody = z.object({
  llm_id_for_prompt: z.string().max(128).optional(),
  llm_id_for_t2i: z.string().max(128).optional(),
  art_style_keyword: z.string().max(500).optional(),
  character_description: z.string().min(1).max(4000),
  personality: z.string().max(2000).optional(),
  reference_image_description: z.string().max(4000).optional(),
});
export const avatarCreateBody = z.object({
  llm_id: z.string().max(128).optional(),
  character_name: z.string().min(1).max(128),
  character_description: z.string().max(20_000).default(''),
  personality: z.string().max(20_000).default(''),
  language: z.string().max(32).optional(),
  image_prompt: z.string().max(4000).optional(),
  image_url: z.string().max(1024).optional(),
  icon_url: z.string().max(1024).optional(),
});
/** The character `character-avatar/create` made (the catalog's character view). */
export const avatarCreateResponse = characterView;
export const backgroundImageBody = z.object({
  style_keyword: z.string().max(500).optional(),
  background_description: z.string().min(1).max(4000),
  llm_id: z.string().max(128).optional(),
});

// ---- bindings (bots): which story a platform place plays ----
const placeChannel = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9:_-]+$/, 'letters, digits, ":", "_" or "-"');
export const bindingQuery = z.object({ channel: placeChannel });
export const bindBody = z.object({
  channel: placeChannel,
  story_id: z.string().min(1).max(64),
  parent_channel: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "_" or "-"')
    .optional(),
});
export const endBindingBody = z.object({ channel: placeChannel, moderator: z.boolean().optional() });
/** The story a place plays, as the bots show it (same fields as the published list's items). */
export const boundStory = z.object({
  id: z.string(),
  title: z.string(),
  intro: z.string(),
  characterDetails: z.array(castMemberCard),
});
export const storyBinding = z.object({
  id: z.string(),
  platform: z.string(),
  channel: z.string(),
  parent_channel: z.string().nullable(),
  conversation_id: z.string(),
  story_id: z.string(),
  /** The user id of who started it. */
  started_by: z.string(),
  status: z.enum(['active', 'ended']),
  created_at: z.string(),
  ended_at: z.string().nullable(),
  story: boundStory,
});
export type StoryBinding = z.infer<typeof storyBinding>;
export const findBindingResponse = z.object({ binding: storyBinding.nullable() });
export const bindResponse = z.object({ binding: storyBinding, openings: z.array(chatMessage) });
export const endBindingResponse = z.object({ binding: storyBinding });

// ---- images ----
export const imageUploadDocBody = z.object({ file: z.string().describe('binary') });
export const imageUploadResponse = z.object({ url: z.string(), filename: z.string() });
export type ImageUploadResponse = z.infer<typeof imageUploadResponse>;
export const imageParams = z.object({ idOrFilename: z.string().min(1).max(128) });
