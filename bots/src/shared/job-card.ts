import type { GenerationAction } from './dreamloom-client.js';
import type { JobContext, JobPhase, JobState } from './job-state.js';
import { stageInWords } from './provider-stage.js';
import { shortId } from './short-id.js';

export interface JobCardField {
  name: string;
  value: string;
}

/**
 * Buttons a card offers: cancel while the job runs; once it ended, reroll (same parameters, new
 * job) and, for finished images, a variation and an upscale per image where the server allows.
 */
export type JobAction = 'cancel' | GenerationAction;

export interface JobButton {
  action: JobAction;
  /** Variation and upscale: the output (0-based) the button starts from. */
  imageIndex?: number;
}

/** Discord allows five buttons per row; Telegram keyboards are laid out the same way. */
export const MAX_BUTTONS_PER_ROW = 5;

/**
 * A job card as data: each platform lays it out its own way (Discord as an embed,
 * Telegram as plain text), but both show the same facts in the same order.
 */
export interface JobCard {
  phase: JobPhase;
  title: string;
  fields: JobCardField[];
  /** The whole card as plain text, for platforms without rich layouts. */
  text: string;
  /** The short id line ("ID 1a2b3c4d · /show 1a2b3c4d"), shown small where the platform can. */
  footer?: string;
  /** The server task the card is about, once it exists. */
  taskId?: string;
  /** Button rows to show under the card, in order (reroll; variations; upscales). */
  actions: JobButton[][];
}

/** Discord caps embed field values at 1024 characters; Telegram messages at 4096. */
const PROMPT_LIMIT = 900;
const BAR_SLOTS = 10;

const titles: Record<JobPhase, string> = {
  submitting: '⏳ Submitting…',
  pending: '🕒 Queued',
  processing: '🎨 Generating',
  completed: '✅ Completed',
  failed: '❌ Failed',
  cancelled: '🚫 Cancelled',
};

const statusLabels: Record<JobPhase, string> = {
  submitting: 'Submitting',
  pending: 'Queued',
  processing: 'Generating',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** Pure: the card for a job state. */
export function renderJobCard(state: JobState): JobCard {
  const fields: JobCardField[] = [{ name: 'Prompt', value: truncate(state.prompt, PROMPT_LIMIT) }];
  fields.push(...contextFields(state.context));

  fields.push({ name: 'Status', value: statusLine(state) });

  if ((state.phase === 'pending' || state.phase === 'processing') && state.progress !== undefined) {
    fields.push({ name: 'Progress', value: progressBar(state.progress) });
  }
  if (state.phase === 'completed' && state.imageCount !== undefined) {
    fields.push({ name: state.mediaKind === 'video' ? 'Videos' : 'Images', value: String(state.imageCount) });
  }
  // Tasks are charged when they finish; a 0 while running means "not yet", not "free".
  if (
    state.phase !== 'cancelled' &&
    state.creditsUsed !== undefined &&
    (isDone(state.phase) || state.creditsUsed > 0)
  ) {
    fields.push({ name: 'Credits', value: String(state.creditsUsed) });
  }
  if (state.phase === 'failed' && state.error) {
    fields.push({ name: 'Error', value: truncate(state.error.message, PROMPT_LIMIT) });
  }

  const title = titles[state.phase];
  // The short id is what members type to bring the card back (`/show`), so the card says so.
  const footer = state.taskId ? `ID ${shortId(state.taskId)} · /show ${shortId(state.taskId)}` : undefined;
  const lines = [title, ...fields.map((f) => `${f.name}: ${f.value}`)];
  if (footer) lines.push(footer);
  const actions = cardButtons(state);
  return { phase: state.phase, title, fields, text: lines.join('\n'), footer, taskId: state.taskId, actions };
}

/**
 * The status in one line, with what a member waits for: "Queued · #2 · ~40 s",
 * "Generating — rendering the video · 12 s of ~20 s".
 */
function statusLine(state: JobState): string {
  const label = statusLabels[state.phase];
  if (state.phase === 'cancelled') return `${label} — ${refundText(state.refundedCredits)}`;
  if (isDone(state.phase)) return label;
  // Worker stage text adds detail ("Stored 1/2", kie's states in words); skip it when it only
  // repeats the label.
  const stage = stageInWords(state.message);
  const detail = stage && stage.trim().toLowerCase() !== label.toLowerCase() ? stage : undefined;
  const parts = [detail ? `${label} — ${detail}` : label];
  if (state.phase === 'pending') {
    if (state.queuePosition !== undefined) parts.push(`#${state.queuePosition}`);
    if (state.etaSeconds !== undefined) parts.push(formatEta(state.etaSeconds));
  } else if (state.phase === 'processing') {
    const timing = runTiming(state);
    if (timing) parts.push(timing);
  }
  return parts.join(' · ');
}

/**
 * "12 s of ~20 s" while a run is within what is expected; "45 s, usually ~20 s" after. The
 * server's own ETA (time left), when it sends one, wins over the bot's estimate from recent jobs.
 */
function runTiming(state: JobState): string | undefined {
  const { elapsedSeconds: elapsed, etaSeconds: eta } = state;
  if (elapsed === undefined) return eta === undefined ? undefined : `${formatEta(eta)} left`;
  const expected = eta !== undefined ? elapsed + eta : state.expectedSeconds;
  if (expected === undefined) return formatDuration(elapsed);
  if (elapsed <= expected) return `${formatDuration(elapsed)} of ${formatEta(expected)}`;
  return `${formatDuration(elapsed)}, usually ${formatEta(expected)}`;
}

/** Who asked, which action on which image, and the settings: "kling/video-v2.5 · 16:9 · 5 s". */
function contextFields(context: JobContext | undefined): JobCardField[] {
  if (!context) return [];
  const fields: JobCardField[] = [];
  if (context.requestedBy) fields.push({ name: 'Requested by', value: context.requestedBy });
  if (context.origin) fields.push({ name: 'From', value: context.origin });
  const settings = [
    context.model,
    context.ratio,
    context.resolution,
    context.durationSeconds !== undefined ? `${context.durationSeconds} s` : undefined,
    context.count !== undefined && context.count > 1 ? `${context.count} images` : undefined,
  ].filter((part): part is string => !!part);
  if (settings.length) fields.push({ name: 'Settings', value: settings.join(' · ') });
  return fields;
}

function cardButtons(state: JobState): JobButton[][] {
  if (!state.taskId) return [];
  if (state.phase === 'pending' || state.phase === 'processing') return [[{ action: 'cancel' }]];
  if (!isDone(state.phase)) return [];
  const offered = state.actions ?? ['reroll'];
  const rows: JobButton[][] = [];
  if (offered.includes('reroll')) rows.push([{ action: 'reroll' }]);
  const images =
    state.phase === 'completed' && state.mediaKind !== 'video'
      ? Math.min(state.imageCount ?? 0, MAX_BUTTONS_PER_ROW)
      : 0;
  for (const action of ['variation', 'upscale'] as const) {
    if (images > 0 && offered.includes(action))
      rows.push(Array.from({ length: images }, (_, imageIndex) => ({ action, imageIndex })));
  }
  return rows;
}

export function progressBar(percent: number): string {
  const p = Math.min(100, Math.max(0, Math.round(percent)));
  const filled = Math.round((p / 100) * BAR_SLOTS);
  return `${'▰'.repeat(filled)}${'▱'.repeat(BAR_SLOTS - filled)} ${p}%`;
}

/** A measured time: "12 s", "1 min 5 s". */
export function formatDuration(seconds: number): string {
  return formatEta(seconds).slice(1);
}

export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `~${s} s`;
  const minutes = Math.floor(s / 60);
  const rest = s % 60;
  if (minutes < 60) return rest === 0 ? `~${minutes} min` : `~${minutes} min ${rest} s`;
  const hours = Math.floor(minutes / 60);
  return `~${hours} h ${minutes % 60} min`;
}

function isDone(phase: JobPhase): boolean {
  return phase === 'completed' || phase === 'failed' || phase === 'cancelled';
}

/** What a cancel gave back: the charge seen while the job ran. */
export function refundText(refunded: number | undefined): string {
  return refunded ? `${refunded} MC refunded` : 'nothing was charged';
}

function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
