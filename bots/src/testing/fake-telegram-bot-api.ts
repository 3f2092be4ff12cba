import type { Message, Update, UserFromGetMe } from 'grammy/types';
import { listen, parseMultipart, readBody, sendJson } from './http.js';

export interface TelegramUpload {
  /** Where the file was referenced: `photo`, `media[0]`, `document`… */
  field: string;
  filename?: string;
  bytes: Buffer;
}

export interface TelegramApiCall {
  method: string;
  /** Bot token from the URL. */
  token: string;
  /** Parameters as sent (multipart fields JSON-decoded where they hold JSON). */
  params: Record<string, unknown>;
  /** Files uploaded with the call, resolved from their `attach://` references. */
  uploads: TelegramUpload[];
  /** `Date.now()` when the call arrived. */
  at: number;
  /** The HTTP status answered (200, or the error code: 400, 429…), once answered. */
  status?: number;
}

export interface TelegramApiFailure {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

interface StoredMessage {
  chatId: number;
  messageId: number;
  text?: string;
  caption?: string;
  replyMarkup?: string;
}

/**
 * An HTTP server that answers like the Telegram Bot API (`POST /bot<token>/<method>`, JSON or
 * multipart) for the methods Dreamloom uses, keeps the messages it has "sent" so edits behave
 * as on Telegram (including the 400 "message is not modified"), and records every call.
 */
export interface FakeTelegramBotApi {
  /** Pass as `client.apiRoot` to grammY. */
  apiRoot: string;
  /** The bot's own user, for the `botInfo` option (so grammY skips getMe). */
  botInfo: UserFromGetMe;
  calls: TelegramApiCall[];
  callsTo(method: string): TelegramApiCall[];
  /** Current text of a message the fake holds. */
  textOf(chatId: number, messageId: number): string | undefined;
  /** Makes the next call of `method` fail with this Bot API error. */
  failNext(method: string, failure: TelegramApiFailure): void;
  /**
   * Serves a file at `<apiRoot>/file/bot<token>/<filePath>`, as Telegram does after `getFile`
   * (whose `file_path` is `photos/<file_id>.jpg`). Unknown paths answer 404.
   */
  putFile(filePath: string, bytes: Uint8Array, contentType: string): void;
  /** File downloads made, with the token they used. */
  fileDownloads: Array<{ token: string; filePath: string }>;
  /** Makes the bot an administrator of a chat (what `getChatMember` answers for the bot there). */
  makeBotAdmin(chatId: number): void;
  /** Makes a user an administrator of a chat (what `getChatMember` answers for them there). */
  makeAdmin(chatId: number, userId: number): void;
  close(): Promise<void>;
}

/**
 * Telegram's flood control in groups: at most `messages` messages (sent or edited) per chat in any
 * `windowMs`; more are refused with 429 and the `retry_after` (whole seconds) until a slot frees.
 * Chat actions are not messages and are not counted.
 */
export interface TelegramGroupLimit {
  messages: number;
  windowMs: number;
}

/** Methods that put or change a message in a chat: what Telegram's per-group limit counts. */
const MESSAGE_METHODS = new Set([
  'sendMessage',
  'editMessageText',
  'editMessageCaption',
  'editMessageReplyMarkup',
  'sendPhoto',
  'sendVideo',
  'sendDocument',
  'sendMediaGroup',
]);

export async function startFakeTelegramBotApi(
  options: {
    botInfo?: Partial<UserFromGetMe>;
    /** Enforce Telegram's group limit (default: none; ~20 a minute on Telegram). */
    groupLimit?: TelegramGroupLimit;
  } = {},
): Promise<FakeTelegramBotApi> {
  const botInfo: UserFromGetMe = {
    id: 7000000001,
    is_bot: true,
    first_name: 'Dreamloom',
    username: 'dreamloom_test_bot',
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
    can_manage_bots: false,
    ...options.botInfo,
  } as UserFromGetMe;
  const calls: TelegramApiCall[] = [];
  /** Per group chat: when its counted messages went out (media groups count each item). */
  const groupSends = new Map<number, number[]>();
  const floodRefusal = (method: string, params: Record<string, unknown>): TelegramApiFailure | undefined => {
    const limit = options.groupLimit;
    const chatId = chatIdOf(params);
    if (!limit || !MESSAGE_METHODS.has(method) || !(chatId < 0)) return undefined;
    const now = Date.now();
    const recent = (groupSends.get(chatId) ?? []).filter((at) => at > now - limit.windowMs);
    const count = method === 'sendMediaGroup' && Array.isArray(params.media) ? params.media.length : 1;
    if (recent.length + count > limit.messages) {
      groupSends.set(chatId, recent);
      const freeAt = recent[recent.length + count - limit.messages - 1] + limit.windowMs;
      const retryAfter = Math.max(1, Math.ceil((freeAt - now) / 1000));
      return {
        error_code: 429,
        description: `Too Many Requests: retry after ${retryAfter}`,
        parameters: { retry_after: retryAfter },
      };
    }
    groupSends.set(chatId, [...recent, ...Array<number>(count).fill(now)]);
    return undefined;
  };
  const failures = new Map<string, TelegramApiFailure[]>();
  const messages = new Map<string, StoredMessage>();
  let nextMessageId = 1000;
  let nextFileId = 1;
  const key = (chatId: number, messageId: number) => `${chatId}:${messageId}`;
  const files = new Map<string, { bytes: Uint8Array; contentType: string }>();
  const fileDownloads: Array<{ token: string; filePath: string }> = [];
  /** `<chat>:<user>` of the chats' administrators. */
  const admins = new Set<string>();

  const toMessage = (stored: StoredMessage, extra: Record<string, unknown> = {}): Message =>
    ({
      message_id: stored.messageId,
      date: Math.floor(Date.now() / 1000),
      chat:
        stored.chatId < 0
          ? { id: stored.chatId, type: 'supergroup', title: 'Test group' }
          : { id: stored.chatId, type: 'private', first_name: 'Tester' },
      from: { id: botInfo.id, is_bot: true, first_name: botInfo.first_name, username: botInfo.username },
      ...(stored.text !== undefined ? { text: stored.text } : {}),
      ...(stored.caption !== undefined ? { caption: stored.caption } : {}),
      ...extra,
    }) as Message;

  const photoSizes = () => {
    const id = nextFileId++;
    return [
      { file_id: `photo-${id}-s`, file_unique_id: `u${id}s`, width: 90, height: 90, file_size: 1000 },
      { file_id: `photo-${id}-m`, file_unique_id: `u${id}m`, width: 512, height: 512, file_size: 20000 },
    ];
  };

  const send = (chatId: number, fields: Partial<StoredMessage>, extra?: Record<string, unknown>) => {
    const stored: StoredMessage = { chatId, messageId: nextMessageId++, ...fields };
    messages.set(key(chatId, stored.messageId), stored);
    return toMessage(stored, extra);
  };

  const methods: Record<string, (p: Record<string, unknown>) => { result: unknown } | TelegramApiFailure> = {
    getMe: () => ({ result: botInfo }),
    // Polling (bot.start()): no webhook to drop, and no updates; tests feed updates to handleUpdate.
    deleteWebhook: () => ({ result: true }),
    getUpdates: () => ({ result: [] }),
    setMyCommands: () => ({ result: true }),
    deleteMyCommands: () => ({ result: true }),
    sendChatAction: () => ({ result: true }),
    getChatMember: (p) => {
      const isBot = Number(p.user_id) === botInfo.id;
      const status = admins.has(`${chatIdOf(p)}:${Number(p.user_id)}`) ? 'administrator' : 'member';
      return { result: { status, user: { id: Number(p.user_id), is_bot: isBot, first_name: 'Member' } } };
    },
    sendMessage: (p) => {
      if (typeof p.text !== 'string' || p.text.trim() === '') {
        return { error_code: 400, description: 'Bad Request: message text is empty' };
      }
      return { result: send(chatIdOf(p), { text: p.text, replyMarkup: markupOf(p) }) };
    },
    editMessageText: (p) => {
      const stored = messages.get(key(chatIdOf(p), Number(p.message_id)));
      if (!stored) return { error_code: 400, description: 'Bad Request: message to edit not found' };
      if (typeof p.text !== 'string' || p.text.trim() === '') {
        return { error_code: 400, description: 'Bad Request: message text is empty' };
      }
      if (stored.text === p.text && stored.replyMarkup === markupOf(p)) {
        return {
          error_code: 400,
          description:
            'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
        };
      }
      stored.text = p.text;
      stored.replyMarkup = markupOf(p);
      return { result: toMessage(stored, { edit_date: Math.floor(Date.now() / 1000) }) };
    },
    deleteMessage: (p) => {
      const existed = messages.delete(key(chatIdOf(p), Number(p.message_id)));
      return existed
        ? { result: true }
        : { error_code: 400, description: 'Bad Request: message to delete not found' };
    },
    sendPhoto: (p) => {
      if (p.photo === undefined)
        return { error_code: 400, description: 'Bad Request: there is no photo in the request' };
      const caption = typeof p.caption === 'string' ? p.caption : undefined;
      return { result: send(chatIdOf(p), { caption }, { photo: photoSizes() }) };
    },
    sendDocument: (p) => {
      const caption = typeof p.caption === 'string' ? p.caption : undefined;
      return {
        result: send(
          chatIdOf(p),
          { caption },
          { document: { file_id: `doc-${nextFileId++}`, file_unique_id: 'd' } },
        ),
      };
    },
    answerCallbackQuery: () => ({ result: true }),
    sendVideo: (p) => {
      if (p.video === undefined)
        return { error_code: 400, description: 'Bad Request: there is no video in the request' };
      const caption = typeof p.caption === 'string' ? p.caption : undefined;
      const video = {
        file_id: `video-${nextFileId++}`,
        file_unique_id: 'v',
        width: 8,
        height: 8,
        duration: 5,
      };
      return { result: send(chatIdOf(p), { caption }, { video }) };
    },
    getFile: (p) => {
      const fileId = typeof p.file_id === 'string' ? p.file_id : '';
      if (!fileId) return { error_code: 400, description: 'Bad Request: file_id is empty' };
      return {
        result: { file_id: fileId, file_unique_id: `u-${fileId}`, file_path: `photos/${fileId}.jpg` },
      };
    },
    sendMediaGroup: (p) => {
      const media = p.media;
      if (!Array.isArray(media) || media.length < 2 || media.length > 10) {
        return { error_code: 400, description: 'Bad Request: wrong number of messages in the media group' };
      }
      const groupId = String(nextFileId++);
      const chatId = chatIdOf(p);
      return {
        result: media.map((item: { caption?: string }) =>
          send(chatId, { caption: item.caption }, { photo: photoSizes(), media_group_id: groupId }),
        ),
      };
    },
  };

  const http = await listen(async (req, res) => {
    const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (download) {
      const [, token, filePath] = download;
      fileDownloads.push({ token, filePath });
      const file = files.get(filePath);
      if (!file) return sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.bytes.length });
      res.end(Buffer.from(file.bytes));
      return;
    }
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (!match) return sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token, method] = match;
    const body = await readBody(req);
    const { params, uploads } = decode(body, req.headers['content-type'] ?? '');
    const call: TelegramApiCall = { method, token, params, uploads, at: Date.now() };
    calls.push(call);

    // Telegram holds a poll open until an update or the timeout; a short hold keeps a polling
    // bot from spinning against the fake.
    if (method === 'getUpdates') await new Promise((resolve) => setTimeout(resolve, 100));
    const injected = failures.get(method)?.shift() ?? floodRefusal(method, params);
    const outcome = injected ??
      methods[method]?.(params) ?? {
        error_code: 404,
        description: 'Not Found: method not found',
      };
    call.status = 'result' in outcome ? 200 : outcome.error_code;
    if ('result' in outcome) return sendJson(res, 200, { ok: true, result: outcome.result });
    sendJson(res, outcome.error_code, { ok: false, ...outcome });
  });

  return {
    apiRoot: http.url,
    botInfo,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    textOf: (chatId, messageId) => messages.get(key(chatId, messageId))?.text,
    failNext: (method, failure) => {
      const list = failures.get(method) ?? [];
      list.push(failure);
      failures.set(method, list);
    },
    putFile: (filePath, bytes, contentType) => files.set(filePath, { bytes, contentType }),
    fileDownloads,
    makeBotAdmin: (chatId) => admins.add(`${chatId}:${botInfo.id}`),
    makeAdmin: (chatId, userId) => admins.add(`${chatId}:${userId}`),
    close: http.close,
  };
}

function chatIdOf(params: Record<string, unknown>): number {
  return Number(params.chat_id);
}

function markupOf(params: Record<string, unknown>): string | undefined {
  return params.reply_markup === undefined ? undefined : JSON.stringify(params.reply_markup);
}

function decode(
  body: Buffer,
  contentType: string,
): { params: Record<string, unknown>; uploads: TelegramUpload[] } {
  if (body.length === 0) return { params: {}, uploads: [] };
  if (contentType.startsWith('application/json')) {
    return { params: JSON.parse(body.toString('utf8')) as Record<string, unknown>, uploads: [] };
  }
  if (!contentType.startsWith('multipart/form-data'))
    throw new Error(`unexpected content type ${contentType}`);

  const params: Record<string, unknown> = {};
  const files = new Map<string, { filename?: string; bytes: Buffer }>();
  for (const part of parseMultipart(body, contentType)) {
    if (part.filename !== undefined) files.set(part.name, { filename: part.filename, bytes: part.data });
    else params[part.name] = parseField(part.data.toString('utf8'));
  }
  const uploads: TelegramUpload[] = [];
  const resolve = (field: string, value: unknown) => {
    if (typeof value !== 'string' || !value.startsWith('attach://')) return;
    const file = files.get(value.slice('attach://'.length));
    if (file) uploads.push({ field, ...file });
  };
  for (const [name, value] of Object.entries(params)) {
    resolve(name, value);
    if (Array.isArray(value)) {
      value.forEach((item: unknown, i) => {
        if (item && typeof item === 'object') resolve(`${name}[${i}]`, (item as { media?: unknown }).media);
      });
    }
  }
  return { params, uploads };
}

function parseField(text: string): unknown {
  if (/^[[{]/.test(text) || /^-?\d+$/.test(text) || text === 'true' || text === 'false') {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** Builds a private-chat text message update as Telegram would deliver it, with command entities. */
export function textMessageUpdate(options: {
  updateId: number;
  text: string;
  chatId?: number;
  from?: { id: number; first_name: string; username?: string };
  messageId?: number;
}): Update {
  const from = options.from ?? { id: 424242, first_name: 'Mika', username: 'mika' };
  const chatId = options.chatId ?? from.id;
  const command = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(options.text);
  return {
    update_id: options.updateId,
    message: {
      message_id: options.messageId ?? options.updateId,
      date: Math.floor(Date.now() / 1000),
      chat:
        chatId < 0
          ? { id: chatId, type: 'supergroup', title: 'Test group' }
          : { id: chatId, type: 'private', first_name: from.first_name },
      from: { ...from, is_bot: false },
      text: options.text,
      ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] } : {}),
    },
  } as Update;
}

/** A photo message with a caption (commands in captions arrive as `caption_entities`). */
export function photoMessageUpdate(options: {
  updateId: number;
  caption: string;
  fileId?: string;
  chatId?: number;
  from?: { id: number; first_name: string; username?: string };
}): Update {
  const from = options.from ?? { id: 424242, first_name: 'Mika', username: 'mika' };
  const chatId = options.chatId ?? from.id;
  const command = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(options.caption);
  const fileId = options.fileId ?? 'photo-in';
  return {
    update_id: options.updateId,
    message: {
      message_id: options.updateId,
      date: Math.floor(Date.now() / 1000),
      chat:
        chatId < 0
          ? { id: chatId, type: 'supergroup', title: 'Test group' }
          : { id: chatId, type: 'private', first_name: from.first_name },
      from: { ...from, is_bot: false },
      photo: [
        { file_id: `${fileId}-s`, file_unique_id: `${fileId}s`, width: 90, height: 90 },
        { file_id: `${fileId}-l`, file_unique_id: `${fileId}l`, width: 1280, height: 720 },
      ],
      caption: options.caption,
      ...(command
        ? { caption_entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] }
        : {}),
    },
  } as Update;
}

/** A press of an inline button under a bot message. */
export function callbackQueryUpdate(options: {
  updateId: number;
  data: string;
  messageId: number;
  chatId?: number;
  from?: { id: number; first_name: string; username?: string };
}): Update {
  const from = options.from ?? { id: 424242, first_name: 'Mika', username: 'mika' };
  const chatId = options.chatId ?? from.id;
  return {
    update_id: options.updateId,
    callback_query: {
      id: `cb-${options.updateId}`,
      from: { ...from, is_bot: false },
      chat_instance: `ci-${chatId}`,
      data: options.data,
      message: {
        message_id: options.messageId,
        date: Math.floor(Date.now() / 1000),
        chat:
          chatId < 0
            ? { id: chatId, type: 'supergroup', title: 'Test group' }
            : { id: chatId, type: 'private', first_name: from.first_name },
        from: { id: 1, is_bot: true, first_name: 'Dreamloom' },
        text: 'card',
      },
    },
  } as Update;
}
