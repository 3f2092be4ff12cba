import { listen, parseMultipart, readBody, sendJson } from './http.js';

export interface DiscordUpload {
  /** Multipart field, e.g. `files[0]`. */
  field: string;
  filename?: string;
  contentType?: string;
  bytes: Buffer;
}

export interface DiscordRestCall {
  method: string;
  /** Path below the versioned API root, e.g. `/webhooks/<app>/<token>/messages/@original`. */
  path: string;
  query: Record<string, string>;
  /** `Authorization` header, if any (interaction webhooks are called without one). */
  authorization?: string;
  /** JSON body, or the `payload_json` part of a multipart body. */
  body?: Record<string, unknown>;
  files: DiscordUpload[];
  at: number;
  /** Interaction webhooks: the message the call created or edited. */
  messageId?: string;
}

export interface FakeDiscordMessage {
  id: string;
  channel_id: string;
  content: string;
  embeds: unknown[];
  attachments: Array<{
    id: string;
    filename: string;
    size: number;
    url: string;
    proxy_url: string;
    content_type?: string;
  }>;
  flags: number;
  /** Bytes of the current attachments, by filename. */
  files: Map<string, Buffer>;
}

export interface FakeDiscordErrorAnswer {
  status: number;
  code: number;
  message: string;
}

/**
 * An HTTP server that answers like Discord's REST API for interaction responses, interaction
 * webhooks, channel messages and command registration. It keeps the messages it holds so
 * edits merge like Discord's, refuses edits before an acknowledgement and after a token
 * expires (50027), and records every call with its decoded body and uploaded files.
 */
export interface FakeDiscordRest {
  /** Pass as `rest.api` to discord.js (it appends `/v10`). */
  api: string;
  appId: string;
  calls: DiscordRestCall[];
  /** Calls matching `METHOD /path` where `:x` segments match anything, e.g. `PATCH /webhooks/:app/:token/messages/@original`. */
  callsTo(pattern: string): DiscordRestCall[];
  /** The `@original` response of an interaction, by interaction token. */
  original(token: string): FakeDiscordMessage | undefined;
  /** Follow-up messages of an interaction, by token. */
  followUps(token: string): FakeDiscordMessage[];
  /** The interaction's first message everyone sees (not ephemeral): its public job card. */
  publicMessage(token: string): FakeDiscordMessage | undefined;
  /** Every call that posted or edited {@link publicMessage}, in order. */
  publicMessageCalls(token: string): DiscordRestCall[];
  channelMessages(channelId: string): FakeDiscordMessage[];
  /** Tells the fake which channel an interaction came from, so its replies carry that channel id. */
  registerInteraction(token: string, channelId: string): void;
  /** From now on, webhook calls with this interaction token fail as after 15 minutes. */
  expireToken(token: string): void;
  /** Makes the next call matching the pattern (and `when`, if given) fail with this answer. */
  failNext(pattern: string, answer: FakeDiscordErrorAnswer, when?: (call: DiscordRestCall) => boolean): void;
  /** Channel webhooks created through `POST /channels/:id/webhooks`. */
  webhooks(): FakeChannelWebhook[];
  /** Deletes a channel webhook, as a moderator would; its next use answers 10015 Unknown Webhook. */
  deleteWebhook(id: string): void;
  /** Messages sent through channel webhooks, in the channel or thread they landed in. */
  webhookMessages(channelId: string): FakeWebhookMessage[];
  /** Threads created through `POST /channels/:id/threads`, with what `PATCH /channels/:id` set. */
  threads(): FakeThread[];
  close(): Promise<void>;
}

export interface FakeThread {
  id: string;
  parent_id: string;
  name: string;
  archived?: boolean;
  locked?: boolean;
}

export interface FakeChannelWebhook {
  id: string;
  token: string;
  channel_id: string;
  name: string;
}

/** A message executed through a channel webhook, with the name and avatar it was sent as. */
export interface FakeWebhookMessage extends FakeDiscordMessage {
  webhook_id: string;
  username?: string;
  avatar_url?: string;
  thread_id?: string;
  /** Every content this message had, first to last (sends and edits). */
  history: string[];
}

interface InteractionState {
  channelId?: string;
  acknowledged: boolean;
  expired: boolean;
  original?: FakeDiscordMessage;
  followUps: FakeDiscordMessage[];
}

export async function startFakeDiscordRest(options: { appId?: string } = {}): Promise<FakeDiscordRest> {
  const appId = options.appId ?? '1100000000000000001';
  const calls: DiscordRestCall[] = [];
  const interactions = new Map<string, InteractionState>();
  const channels = new Map<string, FakeDiscordMessage[]>();
  const failures: Array<{
    pattern: string;
    answer: FakeDiscordErrorAnswer;
    when?: (call: DiscordRestCall) => boolean;
  }> = [];
  const channelWebhooks = new Map<string, FakeChannelWebhook>();
  const webhookMessages: FakeWebhookMessage[] = [];
  const threads: FakeThread[] = [];
  let snowflake = 1200000000000000000n;
  const nextId = () => String(++snowflake);
  let baseUrl = '';

  const interaction = (token: string) => {
    let state = interactions.get(token);
    if (!state) interactions.set(token, (state = { acknowledged: false, expired: false, followUps: [] }));
    return state;
  };

  const newMessage = (channelId: string, flags = 0): FakeDiscordMessage => ({
    id: nextId(),
    channel_id: channelId,
    content: '',
    embeds: [],
    attachments: [],
    flags,
    files: new Map(),
  });

  /** Applies a create/edit body the way Discord does: given fields replace, files become attachments. */
  const applyBody = (
    message: FakeDiscordMessage,
    body: Record<string, unknown> = {},
    files: DiscordUpload[],
  ) => {
    if (typeof body.content === 'string') message.content = body.content;
    if (Array.isArray(body.embeds)) message.embeds = body.embeds;
    if (typeof body.flags === 'number') message.flags = body.flags;
    const keep = Array.isArray(body.attachments)
      ? (body.attachments as Array<{ id: string | number; filename?: string }>)
      : undefined;
    if (keep || files.length > 0) {
      const next: FakeDiscordMessage['attachments'] = [];
      const nextFiles = new Map<string, Buffer>();
      for (const existing of message.attachments) {
        if (keep?.some((k) => String(k.id) === existing.id)) {
          next.push(existing);
          nextFiles.set(existing.filename, message.files.get(existing.filename) as Buffer);
        }
      }
      files.forEach((file, index) => {
        const filename =
          keep?.find((k) => String(k.id) === String(index))?.filename ?? file.filename ?? `file${index}`;
        const id = nextId();
        const url = `${baseUrl}/attachments/${message.channel_id}/${id}/${filename}`;
        next.push({
          id,
          filename,
          size: file.bytes.length,
          url,
          proxy_url: url,
          content_type: file.contentType,
        });
        nextFiles.set(filename, file.bytes);
      });
      message.attachments = next;
      message.files = nextFiles;
    }
  };

  const toApi = (message: FakeDiscordMessage, webhook: boolean) => ({
    id: message.id,
    type: 0,
    channel_id: message.channel_id,
    content: message.content,
    embeds: message.embeds,
    attachments: message.attachments,
    flags: message.flags,
    author: {
      id: appId,
      username: 'Dreamloom',
      discriminator: '0000',
      global_name: null,
      avatar: null,
      bot: true,
    },
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    pinned: false,
    components: [],
    ...(webhook ? { webhook_id: appId, application_id: appId } : {}),
  });

  const publicMessage = (token: string) => {
    const state = interactions.get(token);
    if (!state) return undefined;
    return [state.original, ...state.followUps].find((m) => m && (m.flags & 64) === 0);
  };

  const http = await listen(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const raw = await readBody(req);
    const contentType = req.headers['content-type'] ?? '';
    let body: Record<string, unknown> | undefined;
    const files: DiscordUpload[] = [];
    if (contentType.startsWith('multipart/form-data')) {
      for (const part of parseMultipart(raw, contentType)) {
        if (part.name === 'payload_json')
          body = JSON.parse(part.data.toString('utf8')) as Record<string, unknown>;
        else
          files.push({
            field: part.name,
            filename: part.filename,
            contentType: part.contentType,
            bytes: part.data,
          });
      }
    } else if (raw.length > 0) {
      body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    }
    // discord.js percent-encodes segments (`%40original`); match on the decoded form.
    const path = url.pathname
      .replace(/^\/api\/v\d+/, '')
      .split('/')
      .map((segment) => decodeURIComponent(segment))
      .join('/');
    const method = req.method ?? 'GET';
    const call: DiscordRestCall = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization,
      body,
      files,
      at: Date.now(),
    };
    calls.push(call);

    const failureIndex = failures.findIndex((f) => matches(f.pattern, call) && (f.when?.(call) ?? true));
    if (failureIndex !== -1) {
      const [{ answer }] = failures.splice(failureIndex, 1);
      return sendJson(res, answer.status, { code: answer.code, message: answer.message });
    }
    const notFound = () => sendJson(res, 404, { code: 0, message: '404: Not Found' });
    const seg = path.split('/').filter(Boolean);

    // POST /interactions/:id/:token/callback
    if (method === 'POST' && seg[0] === 'interactions' && seg.length === 4 && seg[3] === 'callback') {
      const state = interaction(seg[2]);
      if (state.acknowledged) {
        return sendJson(res, 400, { code: 40060, message: 'Interaction has already been acknowledged.' });
      }
      state.acknowledged = true;
      const type = body?.type;
      const data = (body?.data ?? {}) as Record<string, unknown>;
      if (type === 4 || type === 5) {
        // A deferred response shows as a "thinking…" message (flag 128 LOADING).
        state.original = newMessage(
          state.channelId ?? '0',
          (Number(data.flags) || 0) | (type === 5 ? 128 : 0),
        );
        if (type === 4) applyBody(state.original, data, files);
      }
      res.writeHead(204).end();
      return;
    }

    // Channel webhooks (characters speaking with their own name and avatar):
    // POST /webhooks/:id/:token[?thread_id&wait], PATCH /webhooks/:id/:token/messages/:id[?thread_id]
    const hook = seg[0] === 'webhooks' ? channelWebhooks.get(seg[1]) : undefined;
    if (hook) {
      if (seg[2] !== hook.token) return sendJson(res, 401, { code: 50027, message: 'Invalid Webhook Token' });
      const threadId = url.searchParams.get('thread_id') ?? undefined;
      if (seg.length === 3 && method === 'POST') {
        const message: FakeWebhookMessage = {
          ...newMessage(threadId ?? hook.channel_id),
          webhook_id: hook.id,
          username: typeof body?.username === 'string' ? body.username : undefined,
          avatar_url: typeof body?.avatar_url === 'string' ? body.avatar_url : undefined,
          thread_id: threadId,
          history: [],
        };
        applyBody(message, body, files);
        message.history.push(message.content);
        webhookMessages.push(message);
        return url.searchParams.get('wait') === 'true'
          ? sendJson(res, 200, { ...toApi(message, true), webhook_id: hook.id })
          : void res.writeHead(204).end();
      }
      if (seg.length === 5 && seg[3] === 'messages') {
        const target = webhookMessages.find((m) => m.id === seg[4] && m.webhook_id === hook.id);
        if (!target || (target.thread_id ?? undefined) !== threadId)
          return sendJson(res, 404, { code: 10008, message: 'Unknown Message' });
        if (method === 'PATCH') {
          applyBody(target, body, files);
          target.history.push(target.content);
          return sendJson(res, 200, { ...toApi(target, true), webhook_id: hook.id });
        }
      }
      return notFound();
    }

    // /webhooks/:appId/:token[/messages/:id]
    if (seg[0] === 'webhooks' && seg.length >= 3) {
      if (seg[1] !== appId) return sendJson(res, 404, { code: 10015, message: 'Unknown Webhook' });
      const state = interactions.get(seg[2]);
      if (!state?.acknowledged) return sendJson(res, 404, { code: 10015, message: 'Unknown Webhook' });
      if (state.expired) return sendJson(res, 401, { code: 50027, message: 'Invalid Webhook Token' });
      if (seg.length === 3 && method === 'POST') {
        // As on Discord: a follow-up sent while the deferred "thinking…" still shows takes its
        // place and keeps its flags (an ephemeral deferral makes that follow-up ephemeral too).
        if (state.original && state.original.flags & 128) {
          const { flags } = state.original;
          applyBody(state.original, { ...body, flags }, files);
          state.original.flags &= ~128;
          call.messageId = state.original.id;
          return sendJson(res, 200, toApi(state.original, true));
        }
        const message = newMessage(state.channelId ?? '0');
        applyBody(message, body, files);
        state.followUps.push(message);
        call.messageId = message.id;
        return sendJson(res, 200, toApi(message, true));
      }
      if (seg.length === 5 && seg[3] === 'messages') {
        const target = seg[4] === '@original' ? state.original : state.followUps.find((m) => m.id === seg[4]);
        if (!target) return sendJson(res, 404, { code: 10008, message: 'Unknown Message' });
        if (method === 'GET') return sendJson(res, 200, toApi(target, true));
        if (method === 'PATCH') {
          applyBody(target, body, files);
          call.messageId = target.id;
          target.flags &= ~128; // the first edit replaces the "thinking…" state
          return sendJson(res, 200, toApi(target, true));
        }
        if (method === 'DELETE') {
          if (seg[4] === '@original') state.original = undefined;
          else state.followUps = state.followUps.filter((m) => m !== target);
          res.writeHead(204).end();
          return;
        }
      }
      return notFound();
    }

    const botAuthorized = /^Bot .+/.test(req.headers.authorization ?? '');

    // POST /channels/:id/typing ("… is typing" for about 10 s)
    if (seg[0] === 'channels' && seg[2] === 'typing' && seg.length === 3 && method === 'POST') {
      if (!botAuthorized) return sendJson(res, 401, { code: 0, message: '401: Unauthorized' });
      res.writeHead(204).end();
      return;
    }
    // POST /channels/:id/threads (a thread without a starter message)
    if (seg[0] === 'channels' && seg[2] === 'threads' && seg.length === 3 && method === 'POST') {
      if (!botAuthorized) return sendJson(res, 401, { code: 0, message: '401: Unauthorized' });
      const thread: FakeThread = { id: nextId(), parent_id: seg[1], name: String(body?.name ?? 'thread') };
      threads.push(thread);
      return sendJson(res, 201, { ...thread, type: Number(body?.type ?? 11), guild_id: '0' });
    }
    // GET/POST /channels/:id/webhooks
    if (seg[0] === 'channels' && seg[2] === 'webhooks' && seg.length === 3) {
      if (!botAuthorized) return sendJson(res, 401, { code: 0, message: '401: Unauthorized' });
      if (method === 'GET') {
        return sendJson(
          res,
          200,
          [...channelWebhooks.values()]
            .filter((w) => w.channel_id === seg[1])
            .map((w) => ({ ...w, type: 1, application_id: appId })),
        );
      }
      if (method === 'POST') {
        const created: FakeChannelWebhook = {
          id: nextId(),
          token: `whtok-${nextId()}`,
          channel_id: seg[1],
          name: String(body?.name ?? 'webhook'),
        };
        channelWebhooks.set(created.id, created);
        return sendJson(res, 200, { ...created, type: 1, application_id: appId });
      }
    }

    // /channels/:id/messages[/:messageId]
    if (seg[0] === 'channels' && seg[2] === 'messages') {
      if (!botAuthorized) return sendJson(res, 401, { code: 0, message: '401: Unauthorized' });
      const list = channels.get(seg[1]) ?? [];
      channels.set(seg[1], list);
      if (seg.length === 3 && method === 'POST') {
        const message = newMessage(seg[1]);
        applyBody(message, body, files);
        list.push(message);
        return sendJson(res, 200, toApi(message, false));
      }
      const target = list.find((m) => m.id === seg[3]);
      if (seg.length === 4 && method === 'PATCH') {
        if (!target) return sendJson(res, 404, { code: 10008, message: 'Unknown Message' });
        applyBody(target, body, files);
        return sendJson(res, 200, toApi(target, false));
      }
      if (seg.length === 4 && method === 'DELETE') {
        // Any message of the channel, webhook messages included (the bot holds Manage Messages).
        const hooked = webhookMessages.findIndex((m) => m.id === seg[3] && m.channel_id === seg[1]);
        if (!target && hooked === -1) return sendJson(res, 404, { code: 10008, message: 'Unknown Message' });
        if (target) list.splice(list.indexOf(target), 1);
        if (hooked !== -1) webhookMessages.splice(hooked, 1);
        res.writeHead(204).end();
        return;
      }
      return notFound();
    }

    // PATCH /channels/:id (threads: archived, locked, name)
    if (seg[0] === 'channels' && seg.length === 2 && method === 'PATCH') {
      if (!botAuthorized) return sendJson(res, 401, { code: 0, message: '401: Unauthorized' });
      const thread = threads.find((t) => t.id === seg[1]);
      if (!thread) return sendJson(res, 404, { code: 10003, message: 'Unknown Channel' });
      if (typeof body?.archived === 'boolean') thread.archived = body.archived;
      if (typeof body?.locked === 'boolean') thread.locked = body.locked;
      if (typeof body?.name === 'string') thread.name = body.name;
      return sendJson(res, 200, {
        id: thread.id,
        parent_id: thread.parent_id,
        name: thread.name,
        type: 11,
        guild_id: '0',
        thread_metadata: { archived: !!thread.archived, locked: !!thread.locked },
      });
    }

    // PUT /applications/:appId/commands and /applications/:appId/guilds/:guildId/commands
    if (method === 'PUT' && seg[0] === 'applications' && seg.at(-1) === 'commands') {
      if (!botAuthorized) return sendJson(res, 401, { code: 0, message: '401: Unauthorized' });
      const defs = Array.isArray(body) ? (body as Array<Record<string, unknown>>) : [];
      return sendJson(
        res,
        200,
        defs.map((d) => ({
          ...d,
          id: nextId(),
          application_id: seg[1],
          version: nextId(),
          type: d.type ?? 1,
        })),
      );
    }
    notFound();
  });
  baseUrl = http.url;

  return {
    api: `${http.url}/api`,
    appId,
    calls,
    callsTo: (pattern) => calls.filter((c) => matches(pattern, c)),
    original: (token) => interactions.get(token)?.original,
    followUps: (token) => interactions.get(token)?.followUps ?? [],
    publicMessage: (token) => publicMessage(token),
    publicMessageCalls: (token) => {
      const id = publicMessage(token)?.id;
      return id === undefined
        ? []
        : calls.filter((c) => c.messageId === id && c.path.split('/')[3] === token);
    },
    channelMessages: (channelId) => channels.get(channelId) ?? [],
    registerInteraction: (token, channelId) => {
      interaction(token).channelId = channelId;
    },
    expireToken: (token) => {
      interaction(token).expired = true;
    },
    failNext: (pattern, answer, when) => void failures.push({ pattern, answer, when }),
    webhooks: () => [...channelWebhooks.values()],
    deleteWebhook: (id) => void channelWebhooks.delete(id),
    webhookMessages: (channelId) => webhookMessages.filter((m) => m.channel_id === channelId),
    threads: () => threads.map((thread) => ({ ...thread })),
    close: http.close,
  };
}

function matches(pattern: string, call: DiscordRestCall): boolean {
  const [method, path] = pattern.split(' ');
  if (method !== call.method) return false;
  const want = path.split('/').filter(Boolean);
  const have = call.path.split('/').filter(Boolean);
  return want.length === have.length && want.every((w, i) => w.startsWith(':') || w === have[i]);
}
