import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { z } from 'zod';
import {
  GENERATION_ACTIONS,
  actionStartedResponse,
  animeCreateTaskResponse,
  animeErrorResponse,
  animeHistoryResponse,
  animeQuoteResponse,
  creditsResponse,
  findGenerationsResponse,
  generationResult,
  generationStatusResponse,
  subscribeAck,
  taskCompletedEvent,
  taskFailedEvent,
  taskProgressEvent,
  videoCreateTaskResponse,
  videoModelsResponse,
  videoQuoteResponse,
  type GenerationActionName,
  type GenerationStatus,
} from '@dreamloom/contracts';
import { silentLogger, type Logger } from './logger.js';

export type Platform = 'discord' | 'telegram';

/** The community member a bot acts for; the server provisions a Dreamloom user on first contact. */
export interface PlatformUser {
  platform: Platform;
  /** The platform's stable user id (Discord snowflake, Telegram numeric id as a string). */
  id: string;
  /** Display name, used when the server provisions the user. */
  username?: string;
  /**
   * Story play: the place (Discord thread, Telegram `<chat>:<topic>`) the member acts in, sent as
   * X-Platform-Channel. The server counts the players of a bound place as its conversation's
   * participants; without it, only the conversation's own participants may play.
   */
  channel?: string;
}

export interface CreateAnimeTaskInput {
  prompt: string;
  /** Default `1:1`. */
  aspectRatio?: string;
  /** Number of images; default 1. */
  batchSize?: number;
  imageResolution?: string;
  modelUuid?: string;
}

/** Contract 001 video create-task; reference frames are public URLs (first frame, then last frame). */
export interface CreateVideoTaskInput {
  prompt: string;
  modelId: string;
  durationSeconds?: number;
  aspectRatio?: string;
  resolution?: string;
  /** Models with modes instead of resolutions (std / pro). */
  mode?: string;
  referenceImageUrls?: string[];
}

/** One video model of the server's catalogue (`GET /api/anime-video/models`): what it accepts. */
export interface VideoModelInfo {
  id: string;
  /** Display name ("Kling 2.5"). */
  name: string;
  ratios: string[];
  durations: number[];
  /** Empty: the model takes no resolution. */
  resolutions: string[];
  /** Empty: the model takes no mode. */
  modes: string[];
  maxReferenceImages: number;
}

export type TaskStatus = GenerationStatus;

/** Job card actions the server runs on a member's own finished generation. */
export type GenerationAction = GenerationActionName;

export interface GenerationActionRequest {
  action: GenerationAction;
  taskId: string;
  /** Variation and upscale: which output (0-based) to start from. */
  imageIndex?: number;
}

/** The generation a card action started. */
export interface StartedGeneration {
  taskId: string;
  status: TaskStatus;
  kind: 'image' | 'video';
  /** The member's prompt of the original generation, for the new card. */
  prompt: string;
  /** Charged at creation (videos). */
  creditsCost?: number;
}

export interface TaskOutput {
  url: string;
  width?: number;
  height?: number;
  mime?: string;
}

export interface TaskError {
  code: string;
  message: string;
}

/**
 * One observation of a task, from a socket event or from the status endpoint. Fields the
 * source did not carry are left undefined so the observer can merge observations.
 */
export interface TaskSnapshot {
  taskId: string;
  status: TaskStatus;
  /** 0–100. */
  progress?: number;
  message?: string;
  /** 1-based place in line (#1 runs next); the server's 0-based count is converted on reading. */
  queuePosition?: number;
  etaSeconds?: number;
  outputs?: TaskOutput[];
  error?: TaskError;
  creditsUsed?: number;
  /** Finished tasks (status reads): the card actions the server offers this member. */
  actions?: GenerationAction[];
}

export interface MediaFile {
  bytes: Uint8Array;
  contentType: string;
  filename: string;
}

/** `/balance`: credits, and the member's generations in flight against their limits (`null`: none applies). */
export interface BalanceView {
  balance: number;
  jobs?: {
    running: number;
    queued: number;
    limit: number | null;
    dailyUsed: number;
    dailyQuota: number | null;
  };
}

export interface VideoQuoteInput {
  modelId: string;
  durationSeconds?: number;
  resolution?: string;
  mode?: string;
  aspectRatio?: string;
}

export interface ImageQuoteInput {
  /** Default 1. */
  batchSize?: number;
  /** 1K, 2K or 4K; the server's default (2K) when left out. */
  imageResolution?: string;
  modelUuid?: string;
}

export interface VideoQuote {
  credits: number;
  explain: string;
}

export interface HistoryEntry {
  taskId: string;
  kind: string;
  status: TaskStatus;
  prompt: string;
  createdAt: string;
  outputs: string[];
}

/** One of the member's own generations whose id starts with the short id they typed. */
export interface GenerationMatch {
  taskId: string;
  kind: 'image' | 'video';
  status: TaskStatus;
  prompt: string;
  createdAt: string;
}

export interface HistoryPage {
  entries: HistoryEntry[];
  total: number;
}

export interface TaskWatch {
  /** Leaves the task's room and stops polling; idempotent. */
  close(): void;
}

/** What the bots need from the Dreamloom server. Platform code depends on this, never on HTTP details. */
export interface DreamloomClient {
  createAnimeTask(
    user: PlatformUser,
    input: CreateAnimeTaskInput,
  ): Promise<{ taskId: string; status: TaskStatus }>;
  /** Creates a video task; the server charges its quote at once (refunded if it fails). */
  createVideoTask(
    user: PlatformUser,
    input: CreateVideoTaskInput,
  ): Promise<{ taskId: string; status: TaskStatus; creditsCost?: number }>;
  getTaskStatus(user: PlatformUser, taskId: string): Promise<TaskSnapshot>;
  /**
   * Reroll, variation or upscale of the member's own generation: the server re-runs its stored
   * parameters (so it works after a bot restart and from any bot process) and charges as usual.
   */
  startGenerationAction(user: PlatformUser, request: GenerationActionRequest): Promise<StartedGeneration>;
  /** Cancels the member's own pending or processing task (the server refunds any charge). */
  cancelTask(user: PlatformUser, taskId: string): Promise<void>;
  /**
   * Reports the task's state as it changes: socket.io events from its room, plus a status
   * read after each (re)subscription and polling while the socket is down. Callbacks are
   * always asynchronous; snapshots may repeat or arrive out of order, so merge them.
   */
  watchTask(user: PlatformUser, taskId: string, onSnapshot: (snapshot: TaskSnapshot) => void): TaskWatch;
  downloadMedia(url: string): Promise<MediaFile>;
  /**
   * Stores an image on the Dreamloom server as the member (contract 002 upload) and returns its
   * public URL. Bots hand platform attachments over this way so no platform credential (such as
   * the Telegram bot token inside a Bot API file URL) ever reaches the server.
   */
  uploadImage(user: PlatformUser, file: MediaFile): Promise<{ url: string }>;
  /** The member's credits (MC) balance and, from servers that report it, their generations in flight. */
  getBalance(user: PlatformUser): Promise<BalanceView>;
  /** Price of a video generation (contract 001 quote); charges nothing. */
  quoteVideo(user: PlatformUser, input: VideoQuoteInput): Promise<VideoQuote>;
  /** The video models the server offers, with the ratios, durations, resolutions and modes each accepts. */
  listVideoModels(user: PlatformUser): Promise<VideoModelInfo[]>;
  /** Price of an image request (`POST /api/anime-generation/quote`); charges nothing. */
  quoteImage(user: PlatformUser, input: ImageQuoteInput): Promise<VideoQuote>;
  /**
   * The member's OWN generations whose id starts with `prefix` (6–36 characters; short ids are the
   * first 8), newest first, at most 10. Another member's generation is never found.
   */
  findGenerations(user: PlatformUser, prefix: string): Promise<GenerationMatch[]>;
  /** The member's latest generations (contract 000 history), newest first. */
  getHistory(user: PlatformUser, options?: { page?: number; limit?: number }): Promise<HistoryPage>;
  /** Closes every socket; in-flight watches stop reporting. */
  close(): Promise<void>;
}

/** An error answer from the Dreamloom server (or no usable answer at all). */
export class DreamloomApiError extends Error {
  override readonly name = 'DreamloomApiError';
  constructor(
    /** Stable code from the server's error envelope, or `HTTP_<status>` / `NETWORK_ERROR`. */
    readonly code: string,
    message: string,
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
  ) {
    super(message);
  }

  /** 4xx answers are about the request (bad prompt, no credits) and are safe to show the user. */
  get expose(): boolean {
    return this.status >= 400 && this.status < 500;
  }
}

export interface DreamloomClientOptions {
  /** Server base URL, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** The bot credential (BOT_API_TOKEN). */
  botToken: string;
  logger?: Logger;
  /** Status polling period while a task's socket subscription is down. Default 3000 ms. */
  pollIntervalMs?: number;
  /** Status re-read period while subscribed, a safety net for lost events. Default 30000 ms. */
  resyncIntervalMs?: number;
  /** Per-request timeout for HTTP calls. Default 30000 ms. */
  requestTimeoutMs?: number;
  /** How long to wait for the subscribe acknowledgement. Default 5000 ms. */
  subscribeTimeoutMs?: number;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Extra socket.io options (tests shorten reconnection delays). */
  socketOptions?: Partial<ManagerOptions & SocketOptions>;
}

/**
 * Answers are parsed with the server's own schemas (@dreamloom/contracts). The status read is the
 * one the bots poll against any server version: only the fields the contract documents (uuid,
 * status, results' image_url) must be there, and unknown action names are dropped rather than
 * failing the whole read.
 */
const statusAnswer = generationStatusResponse
  .partial()
  .required({ uuid: true, status: true })
  .extend({
    results: z.array(generationResult.partial().required({ image_url: true })).optional(),
    actions: z.array(z.string()).optional(),
  });
const GENERATION_ACTION_NAMES: readonly string[] = GENERATION_ACTIONS;

/** Builds the HTTP + socket.io client used by both bots. One per process, made in the composition root. */
export function createDreamloomClient(options: DreamloomClientOptions): DreamloomClient {
  return new HttpDreamloomClient(options);
}

type Listener = (snapshot: TaskSnapshot) => void;

/** One socket per platform user: the server authorises room joins by the identity given at handshake. */
interface UserSocket {
  socket: Socket;
  watches: Set<Watch>;
}

class HttpDreamloomClient implements DreamloomClient {
  private readonly baseUrl: string;
  private readonly logger: Logger;
  private readonly fetchImpl: typeof fetch;
  private readonly sockets = new Map<string, UserSocket>();

  constructor(private readonly options: DreamloomClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.logger = options.logger ?? silentLogger;
    this.fetchImpl = options.fetch ?? fetch;
  }

  async createAnimeTask(user: PlatformUser, input: CreateAnimeTaskInput) {
    const body = {
      gen_type: 'anime',
      prompt: input.prompt,
      aspect_ratio: input.aspectRatio ?? '1:1',
      batch_size: input.batchSize ?? 1,
      ...(input.imageResolution ? { image_resolution: input.imageResolution } : {}),
      ...(input.modelUuid ? { model_uuid: input.modelUuid } : {}),
    };
    const json = await this.request('POST', '/api/anime-generation/create-task', user, body);
    const parsed = animeCreateTaskResponse.safeParse(json);
    if (!parsed.success) throw malformed('create-task', parsed.error);
    return { taskId: parsed.data.data.generation_uuid, status: parsed.data.data.status };
  }

  async createVideoTask(user: PlatformUser, input: CreateVideoTaskInput) {
    const frames = input.referenceImageUrls ?? [];
    const body = {
      prompt: input.prompt,
      model_id: input.modelId,
      task_subtype: frames.length ? 'image_to_video' : 'text_to_video',
      ...(input.durationSeconds !== undefined ? { duration_seconds: input.durationSeconds } : {}),
      ...(input.aspectRatio ? { aspect_ratio: input.aspectRatio } : {}),
      ...(input.resolution ? { resolution: input.resolution } : {}),
      ...(input.mode ? { mode: input.mode } : {}),
      ...(frames.length ? { reference_image_urls: frames } : {}),
    };
    const json = await this.request('POST', '/api/anime-video/create-task', user, body);
    const parsed = videoCreateTaskResponse.safeParse(json);
    if (!parsed.success) throw malformed('video create-task', parsed.error);
    const { generation_uuid, status, credits_cost } = parsed.data.data;
    return { taskId: generation_uuid, status, creditsCost: credits_cost };
  }

  async getBalance(user: PlatformUser): Promise<BalanceView> {
    const parsed = creditsResponse.safeParse(
      await this.request('GET', '/api/generation/credits?limit=1', user),
    );
    if (!parsed.success) throw malformed('credits', parsed.error);
    const { balance, jobs } = parsed.data.data;
    return {
      balance,
      ...(jobs
        ? {
            jobs: {
              running: jobs.running,
              queued: jobs.queued,
              limit: jobs.limit,
              dailyUsed: jobs.daily_used,
              dailyQuota: jobs.daily_quota,
            },
          }
        : {}),
    };
  }

  async findGenerations(user: PlatformUser, prefix: string): Promise<GenerationMatch[]> {
    const parsed = findGenerationsResponse.safeParse(
      await this.request('GET', `/api/generation/find?prefix=${encodeURIComponent(prefix)}`, user),
    );
    if (!parsed.success) throw malformed('find generations', parsed.error);
    return parsed.data.data.generations.map((g) => ({
      taskId: g.generation_uuid,
      kind: g.kind,
      status: g.status,
      prompt: g.prompt,
      createdAt: g.created_at,
    }));
  }

  async getHistory(
    user: PlatformUser,
    options: { page?: number; limit?: number } = {},
  ): Promise<HistoryPage> {
    const query = `page=${options.page ?? 1}&limit=${options.limit ?? 5}`;
    const parsed = animeHistoryResponse.safeParse(
      await this.request('GET', `/api/anime-generation/history?${query}`, user),
    );
    if (!parsed.success) throw malformed('history', parsed.error);
    return {
      total: parsed.data.data.pagination.total,
      entries: parsed.data.data.records.map((record) => ({
        taskId: record.generation_uuid,
        kind: record.gen_type,
        status: record.status,
        prompt: record.prompt,
        createdAt: record.created_at,
        outputs: record.images.map((image) => image.image_url),
      })),
    };
  }

  async quoteVideo(user: PlatformUser, input: VideoQuoteInput): Promise<VideoQuote> {
    const body = {
      model_id: input.modelId,
      ...(input.durationSeconds !== undefined ? { duration_seconds: input.durationSeconds } : {}),
      ...(input.resolution ? { resolution: input.resolution } : {}),
      ...(input.mode ? { mode: input.mode } : {}),
      ...(input.aspectRatio ? { aspect_ratio: input.aspectRatio } : {}),
    };
    const parsed = videoQuoteResponse.safeParse(
      await this.request('POST', '/api/anime-video/quote', user, body),
    );
    if (!parsed.success) throw malformed('video quote', parsed.error);
    return { credits: parsed.data.estimated_credits, explain: parsed.data.explain };
  }

  async listVideoModels(user: PlatformUser): Promise<VideoModelInfo[]> {
    const parsed = videoModelsResponse.safeParse(await this.request('GET', '/api/anime-video/models', user));
    if (!parsed.success) throw malformed('video models', parsed.error);
    return parsed.data.data.map((model) => ({
      id: model.model_id,
      name: model.name,
      ratios: model.aspect_ratios,
      durations: model.durations,
      resolutions: model.resolutions,
      modes: model.modes,
      maxReferenceImages: model.max_reference_images,
    }));
  }

  async quoteImage(user: PlatformUser, input: ImageQuoteInput): Promise<VideoQuote> {
    const body = {
      batch_size: input.batchSize ?? 1,
      ...(input.imageResolution ? { image_resolution: input.imageResolution } : {}),
      ...(input.modelUuid ? { model_uuid: input.modelUuid } : {}),
    };
    const parsed = animeQuoteResponse.safeParse(
      await this.request('POST', '/api/anime-generation/quote', user, body),
    );
    if (!parsed.success) throw malformed('image quote', parsed.error);
    return { credits: parsed.data.data.estimated_credits, explain: parsed.data.data.explain };
  }

  async startGenerationAction(
    user: PlatformUser,
    request: GenerationActionRequest,
  ): Promise<StartedGeneration> {
    const id = encodeURIComponent(request.taskId);
    const json =
      request.action === 'reroll'
        ? await this.request('POST', `/api/generation/reroll/${id}`, user)
        : await this.request('POST', `/api/anime-generation/${request.action}/${id}`, user, {
            image_index: request.imageIndex ?? 0,
          });
    const parsed = actionStartedResponse.safeParse(json);
    if (!parsed.success) throw malformed(request.action, parsed.error);
    const data = parsed.data.data;
    return {
      taskId: data.generation_uuid,
      status: data.status,
      kind: data.kind,
      prompt: data.prompt,
      creditsCost: data.credits_cost ?? undefined,
    };
  }

  async cancelTask(user: PlatformUser, taskId: string): Promise<void> {
    await this.request('POST', `/api/generation/cancel/${encodeURIComponent(taskId)}`, user);
  }

  async getTaskStatus(user: PlatformUser, taskId: string): Promise<TaskSnapshot> {
    const json = await this.request('GET', `/api/generation/status/${encodeURIComponent(taskId)}`, user);
    const parsed = statusAnswer.safeParse(json);
    if (!parsed.success) throw malformed('generation status', parsed.error);
    const s = parsed.data;
    return {
      taskId: s.uuid,
      status: s.status,
      progress: s.progress ?? (s.status === 'completed' ? 100 : undefined),
      queuePosition: memberQueuePosition(s.queue_position),
      outputs: s.results?.map((r) => ({
        url: r.image_url,
        width: r.width ?? undefined,
        height: r.height ?? undefined,
        mime: r.mime ?? undefined,
      })),
      error:
        s.status === 'failed'
          ? { code: s.error_code ?? 'GENERATION_FAILED', message: s.error_message ?? 'Generation failed' }
          : undefined,
      creditsUsed: s.credits_used ?? undefined,
      actions: s.actions
        ? (s.actions.filter((a) => GENERATION_ACTION_NAMES.includes(a)) as GenerationAction[])
        : undefined,
    };
  }

  watchTask(user: PlatformUser, taskId: string, onSnapshot: Listener): TaskWatch {
    const key = `${user.platform}:${user.id}`;
    let entry = this.sockets.get(key);
    if (!entry) {
      entry = this.openSocket(user);
      this.sockets.set(key, entry);
    }
    const watch = new Watch(taskId, user, entry, onSnapshot, this, () => {
      entry.watches.delete(watch);
      if (entry.watches.size === 0) {
        entry.socket.disconnect();
        this.sockets.delete(key);
      } else if (entry.socket.connected && ![...entry.watches].some((w) => w.taskId === taskId)) {
        // The socket stays for the user's other jobs; stop receiving this one's events.
        entry.socket.emit('unsubscribe', { room: `task:${taskId}` });
      }
    });
    entry.watches.add(watch);
    watch.start();
    return watch;
  }

  async downloadMedia(url: string): Promise<MediaFile> {
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 30_000),
      });
    } catch (err) {
      throw new DreamloomApiError('NETWORK_ERROR', `Could not download ${url}: ${describe(err)}`, 0);
    }
    if (!res.ok) throw new DreamloomApiError(`HTTP_${res.status}`, `Downloading ${url} failed`, res.status);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const contentType = res.headers.get('content-type')?.split(';')[0]?.trim() || 'application/octet-stream';
    return { bytes, contentType, filename: filenameFor(url, contentType) };
  }

  async uploadImage(user: PlatformUser, file: MediaFile): Promise<{ url: string }> {
    const form = new FormData();
    form.append('file', new Blob([file.bytes], { type: file.contentType }), file.filename);
    const headers: Record<string, string> = {
      authorization: `Bot ${this.options.botToken}`,
      'x-platform': user.platform,
      'x-platform-user-id': user.id,
      accept: 'application/json',
    };
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.baseUrl}/api/v1/images/upload`, {
        method: 'POST',
        headers,
        body: form,
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 30_000),
      });
    } catch (err) {
      throw new DreamloomApiError('NETWORK_ERROR', `Dreamloom server unreachable: ${describe(err)}`, 0);
    }
    const json = (await res.json().catch(() => null)) as { url?: unknown; detail?: unknown } | null;
    if (!res.ok || typeof json?.url !== 'string') {
      const detail = typeof json?.detail === 'string' ? json.detail : `HTTP ${res.status}`;
      throw new DreamloomApiError('UPLOAD_FAILED', `The image could not be stored: ${detail}`, res.status);
    }
    return { url: json.url };
  }

  async close(): Promise<void> {
    for (const entry of this.sockets.values()) {
      for (const watch of [...entry.watches]) watch.close();
      entry.socket.disconnect();
    }
    this.sockets.clear();
  }

  /** @internal used by {@link Watch}. */
  get timing() {
    return {
      pollIntervalMs: this.options.pollIntervalMs ?? 3000,
      resyncIntervalMs: this.options.resyncIntervalMs ?? 30_000,
      subscribeTimeoutMs: this.options.subscribeTimeoutMs ?? 5000,
    };
  }

  /** @internal used by {@link Watch}. */
  get log(): Logger {
    return this.logger;
  }

  private openSocket(user: PlatformUser): UserSocket {
    const socket = io(this.baseUrl, {
      auth: { botToken: this.options.botToken, platform: user.platform, platformUserId: user.id },
      // WebSocket only: long-polling needs sticky sessions once several server nodes run.
      transports: ['websocket'],
      ...this.options.socketOptions,
    });
    const entry: UserSocket = { socket, watches: new Set() };
    const byTask = (taskId: string) => [...entry.watches].filter((w) => w.taskId === taskId);

    // Rooms do not survive a reconnect, so every (re)connect re-subscribes.
    socket.on('connect', () => {
      for (const watch of entry.watches) void watch.subscribe();
    });
    socket.on('disconnect', (reason) => {
      for (const watch of entry.watches) watch.subscribed = false;
      if (reason === 'io client disconnect') return;
      this.logger.warn('Dreamloom socket disconnected; polling task status until it is back', { reason });
      // socket.io only reconnects by itself after transport failures; a server-side
      // disconnect (node shutting down, sockets dropped) needs an explicit connect.
      if (reason === 'io server disconnect') {
        const retry = setTimeout(() => {
          if (entry.watches.size > 0 && !socket.connected) socket.connect();
        }, this.options.socketOptions?.reconnectionDelay ?? 1000);
        retry.unref?.();
      }
    });
    socket.on('connect_error', (err) => {
      // socket.active is false when the server refused us (bad bot token): no automatic retry.
      if (!socket.active)
        this.logger.error('Dreamloom socket refused; relying on status polling', { error: err });
    });
    socket.on('task.progress', (payload: unknown) => {
      const p = taskProgressEvent.safeParse(payload);
      if (!p.success) return this.logger.warn('Ignoring malformed task.progress event', { payload });
      const snapshot: TaskSnapshot = {
        taskId: p.data.taskId,
        status: p.data.status,
        progress: p.data.progress ?? undefined,
        message: p.data.message ?? undefined,
        queuePosition: memberQueuePosition(p.data.queuePosition),
        etaSeconds: p.data.etaSeconds ?? undefined,
      };
      for (const watch of byTask(snapshot.taskId)) watch.relay(snapshot);
    });
    socket.on('task.completed', (payload: unknown) => {
      const p = taskCompletedEvent.safeParse(payload);
      if (!p.success) return this.logger.warn('Ignoring malformed task.completed event', { payload });
      const snapshot: TaskSnapshot = {
        taskId: p.data.taskId,
        status: 'completed',
        progress: 100,
        outputs: p.data.outputs.map((o) => ({
          url: o.url,
          width: o.width ?? undefined,
          height: o.height ?? undefined,
          mime: o.mime ?? undefined,
        })),
      };
      for (const watch of byTask(snapshot.taskId)) watch.relay(snapshot);
    });
    socket.on('task.failed', (payload: unknown) => {
      const p = taskFailedEvent.safeParse(payload);
      if (!p.success) return this.logger.warn('Ignoring malformed task.failed event', { payload });
      // A cancel is reported with its own status; the card tells it apart by the error code.
      const error = p.data.status === 'cancelled' ? { ...p.data.error, code: 'CANCELLED' } : p.data.error;
      for (const watch of byTask(p.data.taskId)) {
        watch.relay({ taskId: p.data.taskId, status: 'failed', error });
      }
    });
    return entry;
  }

  private async request(method: 'GET' | 'POST', path: string, user: PlatformUser, body?: unknown) {
    const headers: Record<string, string> = {
      authorization: `Bot ${this.options.botToken}`,
      'x-platform': user.platform,
      'x-platform-user-id': user.id,
      accept: 'application/json',
    };
    // Header values must be Latin-1; display names are often not (CJK, emoji), so they travel
    // percent-encoded and the server decodes them with decodeURIComponent.
    if (user.username) headers['x-platform-username'] = encodeURIComponent(user.username);
    if (body !== undefined) headers['content-type'] = 'application/json';

    let res: Response;
    try {
      res = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 30_000),
      });
    } catch (err) {
      throw new DreamloomApiError('NETWORK_ERROR', `Dreamloom server unreachable: ${describe(err)}`, 0);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    const asError = animeErrorResponse.safeParse(json);
    if (asError.success)
      throw new DreamloomApiError(asError.data.error.code, asError.data.error.message, res.status);
    if (!res.ok) {
      const detail = (json as { detail?: unknown; message?: unknown } | undefined) ?? {};
      const message =
        typeof detail.message === 'string'
          ? detail.message
          : typeof detail.detail === 'string'
            ? detail.detail
            : res.statusText;
      throw new DreamloomApiError(`HTTP_${res.status}`, message || `HTTP ${res.status}`, res.status);
    }
    return json;
  }
}

/** Tracks one task for one observer: subscription state, polling and delivery. */
class Watch implements TaskWatch {
  subscribed = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private lastRead = Date.now();
  private reading = false;
  /** Room events relayed so far: a status read that one overtook answers an older state. */
  private events = 0;
  /** Once completed or failed, a job stays so: a late read of an earlier state never moves it back. */
  private finished = false;

  constructor(
    readonly taskId: string,
    private readonly user: PlatformUser,
    private readonly entry: UserSocket,
    private readonly listener: Listener,
    private readonly client: HttpDreamloomClient,
    private readonly onClose: () => void,
  ) {}

  start(): void {
    if (this.entry.socket.connected) void this.subscribe();
    const { pollIntervalMs, resyncIntervalMs } = this.client.timing;
    this.timer = setInterval(() => {
      if (!this.subscribed || Date.now() - this.lastRead >= resyncIntervalMs) void this.read();
    }, pollIntervalMs);
    this.timer.unref?.();
  }

  async subscribe(): Promise<void> {
    if (this.closed) return;
    try {
      const ack = await this.entry.socket
        .timeout(this.client.timing.subscribeTimeoutMs)
        .emitWithAck('subscribe', { room: `task:${this.taskId}` });
      const parsed = subscribeAck.safeParse(ack);
      if (parsed.success && parsed.data.ok) {
        this.subscribed = true;
      } else {
        const error = parsed.success && !parsed.data.ok ? parsed.data.error : undefined;
        this.client.log.warn('Task room subscription refused; polling its status', {
          taskId: this.taskId,
          error,
        });
      }
    } catch (err) {
      this.client.log.warn('Task room subscription timed out; polling its status', {
        taskId: this.taskId,
        err,
      });
    }
    // Events published between create-task and the join are gone; read the state once.
    await this.read();
  }

  /** A snapshot from a room event. */
  relay(snapshot: TaskSnapshot): void {
    this.events += 1;
    this.report(snapshot);
  }

  private report(snapshot: TaskSnapshot): void {
    if (this.closed) return;
    const finished = snapshot.status === 'completed' || snapshot.status === 'failed';
    if (this.finished && !finished) return;
    this.finished ||= finished;
    // Always asynchronous, so observers never see a callback before watchTask returns.
    queueMicrotask(() => {
      if (!this.closed) this.listener(snapshot);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.onClose();
  }

  private async read(): Promise<void> {
    if (this.closed || this.reading) return;
    this.reading = true;
    try {
      const eventsBefore = this.events;
      const snapshot = await this.client.getTaskStatus(this.user, this.taskId);
      this.lastRead = Date.now();
      // An event that arrived while the read was in flight is at least as new as its answer
      // (unless that answer is final, which no later event can undo).
      const overtaken = this.events !== eventsBefore;
      if (overtaken && snapshot.status !== 'completed' && snapshot.status !== 'failed') return;
      this.report(snapshot);
    } catch (err) {
      this.client.log.warn('Reading task status failed; will retry', { taskId: this.taskId, err });
    } finally {
      this.reading = false;
    }
  }
}

/**
 * The server counts the jobs ahead of this one (0: it runs next); members count places in line,
 * so the job that runs next is #1.
 */
export function memberQueuePosition(jobsAhead: number | null | undefined): number | undefined {
  return jobsAhead === null || jobsAhead === undefined ? undefined : jobsAhead + 1;
}

function malformed(what: string, error: z.ZodError): DreamloomApiError {
  return new DreamloomApiError('BAD_RESPONSE', `Unexpected ${what} response: ${z.prettifyError(error)}`, 502);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const extensionByType: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'video/mp4': 'mp4',
};

/** A safe attachment name: platforms reject odd characters and use the extension to pick a preview. */
function filenameFor(url: string, contentType: string): string {
  let base = 'dreamloom';
  try {
    const last = new URL(url).pathname.split('/').filter(Boolean).pop();
    if (last) base = decodeURIComponent(last);
  } catch {
    // keep the default name
  }
  base = base.replace(/[^\w.-]+/g, '_').slice(-80) || 'dreamloom';
  const ext = extensionByType[contentType];
  if (ext && !base.toLowerCase().endsWith(`.${ext}`) && !(ext === 'jpg' && /\.jpe?g$/i.test(base))) {
    base = `${base.replace(/\.[a-z0-9]{1,5}$/i, '')}.${ext}`;
  }
  return base;
}
