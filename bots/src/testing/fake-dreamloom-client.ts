import {
  DreamloomApiError,
  type BalanceView,
  type CreateAnimeTaskInput,
  type CreateVideoTaskInput,
  type DreamloomClient,
  type GenerationAction,
  type GenerationActionRequest,
  type MediaFile,
  type StartedGeneration,
  type PlatformUser,
  type TaskSnapshot,
  type TaskStatus,
  type TaskWatch,
  type HistoryPage,
  type GenerationMatch,
  type VideoQuote,
  type VideoQuoteInput,
  type ImageQuoteInput,
  type VideoModelInfo,
} from '../shared/dreamloom-client.js';

/** The server's default video catalogue (core's DEFAULT_VIDEO_MODELS), as `listVideoModels` reports it. */
export const FAKE_VIDEO_MODELS: VideoModelInfo[] = [
  {
    id: 'wan/2.5',
    name: 'Wan 2.5',
    ratios: ['1:1', '9:16', '16:9'],
    durations: [5, 10],
    resolutions: ['720p', '1080p'],
    modes: [],
    maxReferenceImages: 1,
  },
  {
    id: 'kling/video-v2.5',
    name: 'Kling 2.5',
    ratios: ['1:1', '9:16', '16:9'],
    durations: [5, 10],
    resolutions: ['720p', '1080p'],
    modes: [],
    maxReferenceImages: 1,
  },
  {
    id: 'kling-3.0/video',
    name: 'Kling 3.0',
    ratios: ['1:1', '9:16', '16:9'],
    durations: [5, 10],
    resolutions: [],
    modes: ['std', 'pro'],
    maxReferenceImages: 2,
  },
  {
    id: 'sora-2',
    name: 'Sora-2',
    ratios: ['16:9', '9:16'],
    durations: [10, 15],
    resolutions: [],
    modes: [],
    maxReferenceImages: 4,
  },
  {
    id: 'sora-2-pro',
    name: 'Sora-2 Pro',
    ratios: ['16:9', '9:16'],
    durations: [10, 15],
    resolutions: [],
    modes: ['std', 'pro'],
    maxReferenceImages: 4,
  },
];

/** A snapshot without its task id; the fake fills in the id of the task being watched. */
export type ScriptedSnapshot = Omit<TaskSnapshot, 'taskId'>;

export interface FakeDreamloomClientOptions {
  /** Played to each watcher, one step per `stepDelayMs`, starting right after `watchTask`. */
  script?: ScriptedSnapshot[];
  /** Delay between scripted steps. Default 0 (next macrotask). */
  stepDelayMs?: number;
  /** What `getTaskStatus` answers; default: the last scripted snapshot so far, else pending. */
  status?: ScriptedSnapshot;
  /** Makes `createAnimeTask` and `createVideoTask` throw. */
  createError?: DreamloomApiError;
  /** Files served by `downloadMedia`, by URL. */
  media?: Record<string, MediaFile>;
  /** What `getBalance` answers (default 0). */
  balance?: number;
  /** The generations in flight `getBalance` reports (default: none reported, as older servers). */
  jobs?: BalanceView['jobs'];
  /** What `getHistory` answers (default: nothing yet). */
  history?: HistoryPage;
  /** What `createVideoTask` reports as charged (default 0). */
  videoCost?: number;
  /** Makes `cancelTask` throw. */
  cancelError?: DreamloomApiError;
  /** What `quoteVideo` answers, or the error it throws. */
  quote?: VideoQuote | DreamloomApiError;
  /** What `listVideoModels` answers (default {@link FAKE_VIDEO_MODELS}), or the error it throws. */
  videoModels?: VideoModelInfo[] | DreamloomApiError;
  /** What `quoteImage` answers (default: 0 MC, as the server's default image price). */
  imageQuote?: VideoQuote;
  /**
   * Card actions `getTaskStatus` reports for finished tasks (default: reroll and variation for
   * images, reroll for videos), as the server does for the task's owner.
   */
  imageActions?: GenerationAction[];
}

/** A generation the fake "server" remembers, as the real one keeps the task's parameters. */
export interface FakeGeneration {
  taskId: string;
  owner: PlatformUser;
  kind: 'image' | 'video';
  prompt: string;
  /** The create input; for card actions, the original's input. */
  input: CreateAnimeTaskInput | CreateVideoTaskInput;
  /** Set when the generation was started by a card action. */
  from?: GenerationActionRequest;
}

/** In-memory {@link DreamloomClient} for unit and platform tests; records every call. */
export class FakeDreamloomClient implements DreamloomClient {
  readonly created: Array<{ user: PlatformUser; input: CreateAnimeTaskInput; taskId: string }> = [];
  readonly createdVideos: Array<{ user: PlatformUser; input: CreateVideoTaskInput; taskId: string }> = [];
  readonly statusReads: string[] = [];
  readonly cancelled: Array<{ user: PlatformUser; taskId: string }> = [];
  readonly downloads: string[] = [];
  readonly watched: string[] = [];
  /** Every generation by task id, kept like server state: a new bot on the same fake sees them. */
  readonly generations = new Map<string, FakeGeneration>();
  /** Generations started by card actions, in order. */
  readonly actions: FakeGeneration[] = [];
  private readonly listeners = new Map<string, Set<(s: TaskSnapshot) => void>>();
  private readonly played = new Map<string, ScriptedSnapshot>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private counter = 0;

  constructor(readonly options: FakeDreamloomClientOptions = {}) {}

  async createAnimeTask(user: PlatformUser, input: CreateAnimeTaskInput) {
    if (this.options.createError) throw this.options.createError;
    const taskId = `00000000-0000-4000-8000-${String(++this.counter).padStart(12, '0')}`;
    this.created.push({ user, input, taskId });
    this.generations.set(taskId, { taskId, owner: user, kind: 'image', prompt: input.prompt, input });
    return { taskId, status: 'pending' as TaskStatus };
  }

  async createVideoTask(user: PlatformUser, input: CreateVideoTaskInput) {
    if (this.options.createError) throw this.options.createError;
    const taskId = `00000000-0000-4000-9000-${String(++this.counter).padStart(12, '0')}`;
    this.createdVideos.push({ user, input, taskId });
    this.generations.set(taskId, { taskId, owner: user, kind: 'video', prompt: input.prompt, input });
    return { taskId, status: 'pending' as TaskStatus, creditsCost: this.options.videoCost ?? 0 };
  }

  /** Like the server: only the owner's generations; images get variation/upscale, videos reroll only. */
  async startGenerationAction(
    user: PlatformUser,
    request: GenerationActionRequest,
  ): Promise<StartedGeneration> {
    if (this.options.createError) throw this.options.createError;
    const original = this.generations.get(request.taskId);
    if (!original || original.owner.platform !== user.platform || original.owner.id !== user.id)
      throw new DreamloomApiError('GENERATION_NOT_FOUND', 'Generation not found', 404);
    if (original.kind === 'video' && request.action !== 'reroll')
      throw new DreamloomApiError('GENERATION_NOT_FOUND', 'Generation not found', 404);
    const series = original.kind === 'video' ? '9000' : '8000';
    const taskId = `00000000-0000-4000-${series}-${String(++this.counter).padStart(12, '0')}`;
    const generation: FakeGeneration = { ...original, taskId, owner: user, from: request };
    this.generations.set(taskId, generation);
    this.actions.push(generation);
    return {
      taskId,
      status: 'pending',
      kind: original.kind,
      prompt: original.prompt,
      creditsCost: original.kind === 'video' ? (this.options.videoCost ?? 0) : undefined,
    };
  }

  /** Records the cancel and, unless told to fail, tells the task's watchers it failed as cancelled. */
  async cancelTask(user: PlatformUser, taskId: string): Promise<void> {
    if (this.options.cancelError) throw this.options.cancelError;
    this.cancelled.push({ user, taskId });
    // As the server: the task fails with CANCELLED, and the refund sets its credits to 0.
    const played = this.played.get(taskId);
    if (played) this.played.set(taskId, { ...played, creditsUsed: 0 });
    this.emit(taskId, { status: 'failed', error: { code: 'CANCELLED', message: 'Cancelled' } });
  }

  async getTaskStatus(_user: PlatformUser, taskId: string): Promise<TaskSnapshot> {
    this.statusReads.push(taskId);
    const snapshot = this.options.status ?? this.played.get(taskId) ?? { status: 'pending' as const };
    const finished = snapshot.status === 'completed' || snapshot.status === 'failed';
    const kind = this.generations.get(taskId)?.kind;
    const actions: GenerationAction[] | undefined = !finished
      ? undefined
      : kind === 'video' || snapshot.status === 'failed'
        ? ['reroll']
        : (this.options.imageActions ?? ['reroll', 'variation']);
    return { ...snapshot, taskId, ...(snapshot.actions || !actions ? {} : { actions }) };
  }

  watchTask(_user: PlatformUser, taskId: string, onSnapshot: (s: TaskSnapshot) => void): TaskWatch {
    this.watched.push(taskId);
    let set = this.listeners.get(taskId);
    if (!set) this.listeners.set(taskId, (set = new Set()));
    set.add(onSnapshot);
    const script = this.options.script ?? [];
    const step = (index: number) => {
      if (index >= script.length || !set.has(onSnapshot)) return;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.played.set(taskId, script[index]);
        if (set.has(onSnapshot)) onSnapshot({ ...script[index], taskId });
        step(index + 1);
      }, this.options.stepDelayMs ?? 0);
      this.timers.add(timer);
    };
    step(0);
    return { close: () => set.delete(onSnapshot) };
  }

  /** Sends a snapshot to every current watcher of the task, as a socket event would. */
  emit(taskId: string, snapshot: ScriptedSnapshot): void {
    for (const listener of this.listeners.get(taskId) ?? []) listener({ ...snapshot, taskId });
  }

  /** Number of watches still open for the task. */
  openWatches(taskId: string): number {
    return this.listeners.get(taskId)?.size ?? 0;
  }

  async downloadMedia(url: string): Promise<MediaFile> {
    this.downloads.push(url);
    const file = this.options.media?.[url];
    if (!file) throw new DreamloomApiError('HTTP_404', `Downloading ${url} failed`, 404);
    return file;
  }

  readonly quotes: VideoQuoteInput[] = [];
  readonly imageQuotes: ImageQuoteInput[] = [];
  readonly uploads: Array<{ user: PlatformUser; file: MediaFile; url: string }> = [];

  async uploadImage(user: PlatformUser, file: MediaFile): Promise<{ url: string }> {
    const url = `https://dreamloom.test/api/v1/images/upload-${this.uploads.length + 1}.jpg`;
    this.uploads.push({ user, file, url });
    return { url };
  }

  async getBalance(_user: PlatformUser): Promise<BalanceView> {
    return { balance: this.options.balance ?? 0, ...(this.options.jobs ? { jobs: this.options.jobs } : {}) };
  }

  readonly finds: string[] = [];

  /** Like the server: the caller's own generations only, newest first, at most 10. */
  async findGenerations(user: PlatformUser, prefix: string): Promise<GenerationMatch[]> {
    this.finds.push(prefix);
    const wanted = prefix.trim().toLowerCase();
    if (!/^[0-9a-f-]{6,36}$/.test(wanted))
      throw new DreamloomApiError(
        'VALIDATION_ERROR',
        'query.prefix: prefix must be 6 to 36 characters of a generation id (hex digits and "-")',
        400,
      );
    return [...this.generations.values()]
      .filter(
        (g) => g.owner.platform === user.platform && g.owner.id === user.id && g.taskId.startsWith(wanted),
      )
      .reverse()
      .slice(0, 10)
      .map((g) => ({
        taskId: g.taskId,
        kind: g.kind,
        status: (this.played.get(g.taskId)?.status ?? this.options.status?.status ?? 'pending') as TaskStatus,
        prompt: g.prompt,
        createdAt: new Date(0).toISOString(),
      }));
  }

  async getHistory(_user: PlatformUser): Promise<HistoryPage> {
    return this.options.history ?? { entries: [], total: 0 };
  }

  /** How often `listVideoModels` was asked (the catalogue is cached by its users). */
  videoModelReads = 0;

  async listVideoModels(_user: PlatformUser): Promise<VideoModelInfo[]> {
    this.videoModelReads++;
    const models = this.options.videoModels ?? FAKE_VIDEO_MODELS;
    if (models instanceof DreamloomApiError) throw models;
    return models;
  }

  async quoteImage(_user: PlatformUser, input: ImageQuoteInput): Promise<VideoQuote> {
    this.imageQuotes.push(input);
    return this.options.imageQuote ?? { credits: 0, explain: 'jimeng-4.0, 2K: 0 MC × 1 image = 0 MC' };
  }

  async quoteVideo(_user: PlatformUser, input: VideoQuoteInput): Promise<VideoQuote> {
    this.quotes.push(input);
    const quote = this.options.quote ?? { credits: 0, explain: '' };
    if (quote instanceof DreamloomApiError) throw quote;
    return quote;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.listeners.clear();
  }
}
