import type { ChatActivity } from './chat-activity.js';
import { durationKind, JobTiming } from './job-timing.js';
import { PlaceEditBudget } from './place-edit-budget.js';
import type { RecentJobDurations } from './recent-job-durations.js';
import {
  DreamloomApiError,
  type DreamloomClient,
  type PlatformUser,
  type TaskError,
  type TaskSnapshot,
} from './dreamloom-client.js';
import { renderJobCard, type JobCard } from './job-card.js';
import { applySnapshot, initialJobState, isTerminal, type JobContext, type JobState } from './job-state.js';
import type { Logger } from './logger.js';
import { refusalFor, type Refusal } from './refusals.js';

/** A generated image, downloaded so the platform can upload it as a file. */
export interface JobImage {
  bytes: Uint8Array;
  filename: string;
  contentType: string;
  width?: number;
  height?: number;
}

/**
 * Where a job card lives on a platform. The handler calls these one at a time, never
 * concurrently, `update` at most once per edit interval, and exactly one of
 * `complete`, `fail` or `reject` last.
 */
export interface JobCardSink {
  /** Where the card lives (a Telegram chat, a Discord channel): cards of one place share an edit budget. */
  readonly place: string;
  /** Shows the card's latest state: the first call posts it, later calls edit it in place. */
  update(card: JobCard): Promise<void>;
  /**
   * The job finished: show the final card with its images. May resolve with the number of
   * messages it sent, so the place's edit budget counts each (Telegram's group limit does).
   */
  complete(card: JobCard, images: JobImage[]): Promise<void | number>;
  /** The job ran and failed (or never finished): the card stays and says why. */
  fail(card: JobCard): Promise<void>;
  /**
   * Optional: the platform's "working on it" signal while the job runs (Telegram's chat action
   * "sending a photo…"), paced per place by {@link ChatActivity}; it fades by itself.
   */
  showActivity?(media: 'image' | 'video'): Promise<void>;
  /**
   * The server refused to start the job (bad input, no credits, limits). Nothing public has been
   * posted yet: tell the member alone (Discord ephemeral, Telegram a reply to their command).
   * `refusal.message` is already in plain words ({@link refusalFor}).
   */
  reject(refusal: Refusal): Promise<void>;
}

export interface ImagineRequest {
  user: PlatformUser;
  prompt: string;
  /** Who asked, as the card shows it (groups, Discord). */
  requestedBy?: string;
  aspectRatio?: string;
  batchSize?: number;
  imageResolution?: string;
  modelUuid?: string;
}

export interface ImagineDeps {
  dreamloom: DreamloomClient;
  logger: Logger;
  /** Minimum time between card edits in one place (see {@link PlaceEditBudget}). */
  editIntervalMs: number;
  /**
   * The edit budget shared by every card of the bot, one per place. Without one, the job gets a
   * budget of its own (tests of a single card).
   */
  edits?: PlaceEditBudget;
  /** A job still unfinished after this long is reported as failed. Default 30 minutes. */
  jobTimeoutMs?: number;
  /**
   * Recent job durations shared by every card of the bot: the ETA of a queued card and the
   * "12 s of ~20 s" of a running one. Without it cards show elapsed time only.
   */
  durations?: RecentJobDurations;
  /** Paces the sinks' activity signal per place; without it none is sent. */
  activity?: ChatActivity;
  /** How often a running card's elapsed time and the activity signal are refreshed. Default 5 s. */
  tickMs?: number;
  /** The time the timings are measured with (tests move it). Default Date.now. */
  now?: () => number;
}

export type ImagineOutcome =
  | { status: 'completed'; taskId: string; images: number }
  | { status: 'failed'; taskId: string; error: TaskError }
  | { status: 'rejected'; error: TaskError };

type Delivery =
  | { kind: 'update'; card: JobCard }
  | { kind: 'complete'; card: JobCard; images: JobImage[] }
  | { kind: 'fail'; card: JobCard };

const DEFAULT_JOB_TIMEOUT_MS = 30 * 60_000;
const DEFAULT_TICK_MS = 5000;

/**
 * The `/imagine` flow shared by every platform: create the task as the platform user,
 * follow it, keep the card current through the sink, finish with images or an error.
 */
export function runImagine(
  deps: ImagineDeps,
  request: ImagineRequest,
  sink: JobCardSink,
): Promise<ImagineOutcome> {
  return runJob(
    deps,
    {
      user: request.user,
      prompt: request.prompt,
      context: {
        requestedBy: request.requestedBy,
        model: request.modelUuid,
        ratio: request.aspectRatio ?? '1:1',
        resolution: request.imageResolution,
        count: request.batchSize,
      },
      create: (user) =>
        deps.dreamloom.createAnimeTask(user, {
          prompt: request.prompt,
          aspectRatio: request.aspectRatio,
          batchSize: request.batchSize,
          imageResolution: request.imageResolution,
          modelUuid: request.modelUuid,
        }),
    },
    sink,
  );
}

/** Any generation job: how to create its task, then the shared follow-and-deliver flow. */
export interface JobRequest {
  user: PlatformUser;
  prompt: string;
  /** Shown on the card: who asked, which action, the settings. */
  context?: JobContext;
  /**
   * Creates the task as the given member (`creditsUsed` when the server charges at creation), or
   * names one that exists (`/show`): a snapshot already finished is delivered without following.
   */
  create: (user: PlatformUser) => Promise<TaskSnapshot>;
}

/**
 * Creates the task, follows it, keeps the card current through the sink, and finishes with
 * the generated media (images or a video) or an error.
 */
export async function runJob(
  deps: ImagineDeps,
  request: JobRequest,
  sink: JobCardSink,
): Promise<ImagineOutcome> {
  const { logger } = deps;
  const budget =
    deps.edits ??
    new PlaceEditBudget({
      intervalMs: deps.editIntervalMs,
      onError: (error) => logger.warn('Job card update failed', { error }),
    });
  const lane = budget.lane(sink.place);
  const cardEdits = {
    push: (d: Delivery) => lane.push(() => deliver(sink, d)),
    finish: (d: Delivery) => lane.finish(() => deliver(sink, d)),
  };
  const now = deps.now ?? Date.now;
  const timing = new JobTiming(deps.durations, durationKind(request.context), now);
  let lastText: string | undefined;
  let latest: JobState | undefined;
  const show = (next: JobState) => {
    latest = next;
    const card = renderJobCard(timing.annotate(next));
    // Many snapshots change nothing visible (same progress, a repeated status read).
    if (card.text === lastText) return;
    lastText = card.text;
    cardEdits.push({ kind: 'update', card });
  };
  let state = initialJobState(request.prompt, request.context);

  // No card before the server accepted the job: limits, credits and bad input are answered to
  // the member alone, at once, and nothing public is left behind.
  let taskId: string;
  try {
    const created = await request.create(request.user);
    taskId = created.taskId;
    state = applySnapshot(state, created);
  } catch (err) {
    const refusal = refusalFor(err);
    if (!(err instanceof DreamloomApiError && err.expose)) logger.error('create-task failed', { error: err });
    await sink.reject(refusal);
    return { status: 'rejected', error: refusal };
  }
  // A finished generation (`/show`) goes straight to its final card, media first.
  if (!isTerminal(state.phase)) {
    show(state);
    const media = request.context?.durationSeconds !== undefined ? 'video' : 'image';
    const pulse = () => {
      if (sink.showActivity) deps.activity?.pulse(sink.place, () => sink.showActivity!(media));
    };
    pulse();
    // While the job runs: the elapsed time moves on the card (coalesced by the edit budget like
    // any update) and the chat keeps showing that something is being made.
    const ticker = setInterval(() => {
      if (latest?.phase === 'processing') show(latest);
      pulse();
    }, deps.tickMs ?? DEFAULT_TICK_MS);
    try {
      state = await followTask(deps, request.user, state, show);
    } finally {
      clearInterval(ticker);
    }
    if (state.phase === 'completed') timing.finished();
  }

  if (state.phase === 'completed') {
    const delivered = await collectImages(deps, request.user, state);
    if ('images' in delivered) {
      const final: JobState = {
        ...delivered.state,
        imageCount: delivered.images.length,
        mediaKind: delivered.images.some((file) => file.contentType.startsWith('video/')) ? 'video' : 'image',
      };
      try {
        await cardEdits.finish({ kind: 'complete', card: renderJobCard(final), images: delivered.images });
      } catch (err) {
        // The images could not be posted (too large, missing permission): leave the card saying so.
        const error = {
          code: 'DELIVERY_FAILED',
          message: 'The images were generated but could not be posted here.',
        };
        await sink.fail(renderJobCard({ ...final, phase: 'failed', error })).catch(() => undefined);
        throw err;
      }
      return { status: 'completed', taskId, images: delivered.images.length };
    }
    state = delivered.state;
  }

  const error = state.error ?? { code: 'GENERATION_FAILED', message: 'Generation failed' };
  // A member's own cancel keeps its phase: the card says "Cancelled" and what was refunded.
  const phase = state.phase === 'cancelled' ? 'cancelled' : 'failed';
  await cardEdits.finish({ kind: 'fail', card: renderJobCard({ ...state, phase, error }) });
  return { status: 'failed', taskId, error };
}

/** Resolves with the first terminal state, or a failed state once the job timeout passes. */
function followTask(
  deps: ImagineDeps,
  user: PlatformUser,
  initial: JobState,
  onChange: (state: JobState) => void,
): Promise<JobState> {
  const taskId = initial.taskId as string;
  return new Promise<JobState>((resolve) => {
    let state = initial;
    let done = false;
    const finish = (final: JobState) => {
      if (done) return;
      done = true;
      clearTimeout(timeout);
      watch.close();
      resolve(final);
    };
    const timeoutMs = deps.jobTimeoutMs ?? DEFAULT_JOB_TIMEOUT_MS;
    const timeout = setTimeout(() => {
      deps.logger.warn('Job timed out', { taskId, timeoutMs });
      finish({
        ...state,
        phase: 'failed',
        error: {
          code: 'TIMEOUT',
          message: `No result after ${Math.round(timeoutMs / 60_000)} minutes; the job was given up.`,
        },
      });
    }, timeoutMs);
    // Snapshots are delivered asynchronously, so `watch` is assigned before the first one.
    const watch = deps.dreamloom.watchTask(user, taskId, (snapshot) => {
      if (done) return;
      const next = applySnapshot(state, snapshot);
      if (next === state) return;
      state = next;
      if (isTerminal(state.phase)) finish(state);
      else onChange(state);
    });
  });
}

async function collectImages(
  deps: ImagineDeps,
  user: PlatformUser,
  state: JobState,
): Promise<{ state: JobState; images: JobImage[] } | { state: JobState }> {
  let current = state;
  // Events carry neither the charge nor the card actions (and may lack outputs); one status read
  // fills them in.
  if (current.creditsUsed === undefined || !current.outputs?.length || !current.actions) {
    try {
      const status = await deps.dreamloom.getTaskStatus(user, current.taskId as string);
      current = {
        ...current,
        creditsUsed: status.creditsUsed ?? current.creditsUsed,
        outputs: current.outputs?.length ? current.outputs : status.outputs,
        actions: status.actions ?? current.actions,
      };
    } catch (err) {
      deps.logger.warn('Could not read the final task status', { taskId: current.taskId, error: err });
    }
  }
  const outputs = current.outputs ?? [];
  if (outputs.length === 0) {
    return { state: failed(current, 'NO_OUTPUTS', 'The job finished without any images.') };
  }
  try {
    const images = await Promise.all(
      outputs.map(async (output) => {
        const file = await deps.dreamloom.downloadMedia(output.url);
        return { ...file, width: output.width, height: output.height } satisfies JobImage;
      }),
    );
    return { state: current, images };
  } catch (err) {
    deps.logger.error('Downloading generated images failed', { taskId: current.taskId, error: err });
    return {
      state: failed(current, 'MEDIA_DOWNLOAD_FAILED', 'The images were generated but could not be fetched.'),
    };
  }
}

function failed(state: JobState, code: string, message: string): JobState {
  return { ...state, phase: 'failed', error: { code, message } };
}

function deliver(sink: JobCardSink, d: Delivery): Promise<void | number> {
  switch (d.kind) {
    case 'update':
      return sink.update(d.card);
    case 'complete':
      return sink.complete(d.card, d.images);
    case 'fail':
      return sink.fail(d.card);
  }
}

/** Plain words for an error that stopped a request; see {@link refusalFor}. */
export const toTaskError: (err: unknown) => TaskError = refusalFor;
