import { DreamloomApiError, type PlatformUser } from './dreamloom-client.js';
import {
  runJob,
  toTaskError,
  type ImagineDeps,
  type ImagineOutcome,
  type JobCardSink,
} from './imagine.handler.js';
import type { JobAction } from './job-card.js';

/** Button / callback data of a card action: `dl:<action>:<taskId>` (fits Telegram's 64 bytes). */
export function jobActionId(action: JobAction, taskId: string): string {
  return `dl:${action}:${taskId}`;
}

export function parseJobActionId(id: string): { action: JobAction; taskId: string } | undefined {
  const match = /^dl:(cancel|reroll):([0-9a-f-]{1,64})$/i.exec(id);
  return match ? { action: match[1] as JobAction, taskId: match[2] } : undefined;
}

export const jobActionLabels: Record<JobAction, string> = { cancel: '✖ Cancel', reroll: '🔁 Reroll' };

/**
 * Cancels a job for whoever pressed its button. The server only lets members cancel their own
 * jobs; the running job's card then ends as failed (cancelled) by itself. Resolves with a line
 * for the presser when the cancel was refused, undefined when it went through.
 */
export async function cancelJob(
  deps: ImagineDeps,
  user: PlatformUser,
  taskId: string,
): Promise<string | undefined> {
  try {
    await deps.dreamloom.cancelTask(user, taskId);
    return undefined;
  } catch (err) {
    if (err instanceof DreamloomApiError && err.code === 'TASK_NOT_FOUND')
      return 'Only the member who started this job can cancel it.';
    if (err instanceof DreamloomApiError && err.code === 'NOT_CANCELLABLE')
      return 'This job has already finished.';
    if (!(err instanceof DreamloomApiError && err.expose))
      deps.logger.error('cancel failed', { taskId, error: err });
    return toTaskError(err).message;
  }
}

/** Runs the job of an earlier card again, with the same parameters, as the member who pressed reroll. */
export function rerollJob(
  deps: ImagineDeps,
  user: PlatformUser,
  taskId: string,
  sink: (prompt: string) => JobCardSink,
): Promise<ImagineOutcome> | undefined {
  const recipe = deps.recentJobs?.recipe(taskId);
  if (!recipe) return undefined;
  return runJob(deps, { ...recipe, user }, sink(recipe.prompt));
}

/** Shown when a card's job is not remembered any more (the bot restarted, or it is too old). */
export const REROLL_FORGOTTEN = 'This job is too old to reroll here; please run the command again.';
