import {
  DreamloomApiError,
  type GenerationAction,
  type PlatformUser,
  type StartedGeneration,
  type TaskError,
} from './dreamloom-client.js';
import { runJob, type ImagineDeps, type ImagineOutcome, type JobCardSink } from './imagine.handler.js';
import { refundText, type JobAction, type JobButton } from './job-card.js';
import { refusalFor } from './refusals.js';

/**
 * Button / callback data of a card action: `dl:<action>:<taskId>[:<imageIndex>]`. It names only
 * the generation (the server keeps its parameters), so any bot process can handle the press, and
 * the longest form (`dl:variation:<uuid>:4`, 51 bytes) fits Telegram's 64-byte limit.
 */
export function jobActionId(button: JobButton, taskId: string): string {
  const index = button.imageIndex === undefined ? '' : `:${button.imageIndex}`;
  return `dl:${button.action}:${taskId}${index}`;
}

export interface ParsedJobAction {
  action: JobAction;
  taskId: string;
  imageIndex?: number;
}

export function parseJobActionId(id: string): ParsedJobAction | undefined {
  const match = /^dl:(cancel|reroll|variation|upscale):([0-9a-f-]{1,64})(?::(\d))?$/i.exec(id);
  if (!match) return undefined;
  const action = match[1] as JobAction;
  const perImage = action === 'variation' || action === 'upscale';
  // Variation and upscale always name an image; the others never do.
  if (perImage !== (match[3] !== undefined)) return undefined;
  return { action, taskId: match[2], ...(perImage ? { imageIndex: Number(match[3]) } : {}) };
}

/** Midjourney-style labels: V1…V4 / U1…U4 under a grid, words when the card has one image. */
export function jobButtonLabel(button: JobButton, imagesOnCard: number): string {
  const n = (button.imageIndex ?? 0) + 1;
  switch (button.action) {
    case 'cancel':
      return '✖ Cancel';
    case 'reroll':
      return '🔁 Reroll';
    case 'variation':
      return imagesOnCard > 1 ? `V${n}` : '🔀 Vary';
    case 'upscale':
      return imagesOnCard > 1 ? `U${n}` : '⬆ Upscale 4K';
  }
}

/** The short acknowledgement shown to the presser while the new job starts. */
export const actionProgressText: Record<GenerationAction, string> = {
  reroll: 'Rerolling…',
  variation: 'Making a variation…',
  upscale: 'Upscaling…',
};

/** The presser's private answer to ✖ Cancel: whether it went through and what comes back. */
export interface CancelAnswer {
  cancelled: boolean;
  /** Plain words for the presser only. */
  text: string;
}

/**
 * Cancels a job for whoever pressed its button. The server only lets members cancel their own
 * jobs and refunds the charge; the running job's card then turns into "Cancelled" by itself. The
 * charge is read first, because the refund sets the task's credits to 0.
 */
export async function cancelJob(
  deps: ImagineDeps,
  user: PlatformUser,
  taskId: string,
): Promise<CancelAnswer> {
  const charged = await deps.dreamloom
    .getTaskStatus(user, taskId)
    .then((status) => status.creditsUsed)
    .catch(() => undefined);
  try {
    await deps.dreamloom.cancelTask(user, taskId);
    return { cancelled: true, text: `Cancelled — ${refundText(charged)}.` };
  } catch (err) {
    if (!(err instanceof DreamloomApiError && err.expose))
      deps.logger.error('cancel failed', { taskId, error: err });
    return { cancelled: false, text: refusalFor(err).message };
  }
}

/**
 * Asks the server to start a reroll, variation or upscale of the card's generation for the
 * presser. Refusals (someone else's job, no credits, a model without 4K) come back as a line
 * meant for the presser only.
 */
export async function startGenerationAction(
  deps: ImagineDeps,
  user: PlatformUser,
  press: ParsedJobAction & { action: GenerationAction },
): Promise<{ started: StartedGeneration } | { refused: TaskError }> {
  try {
    const started = await deps.dreamloom.startGenerationAction(user, {
      action: press.action,
      taskId: press.taskId,
      imageIndex: press.imageIndex,
    });
    return { started };
  } catch (err) {
    if (!(err instanceof DreamloomApiError && err.expose))
      deps.logger.error('card action failed', { action: press.action, taskId: press.taskId, error: err });
    return { refused: refusalFor(err) };
  }
}

/** Follows a generation the server already started (a card action) on a new card. */
export function runStartedGeneration(
  deps: ImagineDeps,
  user: PlatformUser,
  started: StartedGeneration,
  sink: JobCardSink,
  shown: { press?: ParsedJobAction; requestedBy?: string } = {},
): Promise<ImagineOutcome> {
  return runJob(
    deps,
    {
      user,
      prompt: started.prompt,
      context: { requestedBy: shown.requestedBy, origin: shown.press && actionOrigin(shown.press) },
      create: async () => ({
        taskId: started.taskId,
        status: started.status,
        creditsUsed: started.creditsCost,
      }),
    },
    sink,
  );
}

/** The card line naming the action that started a job: "Variation of image 2 (task 1234abcd)". */
export function actionOrigin(press: ParsedJobAction): string {
  const of = `task ${press.taskId.slice(0, 8)}`;
  const image = press.imageIndex === undefined ? '' : ` of image ${press.imageIndex + 1}`;
  const name = { cancel: 'Cancel', reroll: 'Reroll', variation: 'Variation', upscale: 'Upscale (4K)' }[
    press.action
  ];
  return press.imageIndex === undefined ? `${name} of ${of}` : `${name}${image} (${of})`;
}
