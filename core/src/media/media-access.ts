import type { MediaAssetRecord } from './media-asset.js';
import type { TaskAccess, TaskStore } from '../generation/task-store.js';
import { isAdmin, isStaff, type Actor } from '../identity/actor.js';
import { NANOBANANA_SOURCE } from '../nanobanana/nanobanana.types.js';

/**
 * Who may see a generation task (its status, its progress room, its outputs): its owner; staff
 * for every source but contract 004's, whose workspaces only admins see (NanoBanana's own rule).
 * Unknown and foreign tasks must look the same to callers (no probing).
 */
export function maySeeTask(actor: Actor, task: Pick<TaskAccess, 'user_id' | 'source'>): boolean {
  if (task.user_id === actor.id) return true;
  return task.source === NANOBANANA_SOURCE ? isAdmin(actor) : isStaff(actor);
}

/**
 * Who may use a stored media file named by its id (as a reference image, or served by id):
 * its owner; anyone for an output of a public generation; whoever may see a private one's task
 * (see {@link maySeeTask}); staff for uploads. Media ids are snowflakes (time-ordered, so
 * guessable): holding one is no permission. Files named by their random storage key or upload
 * filename are a different matter (see the README's security section).
 */
export async function mayUseMedia(
  tasks: Pick<TaskStore, 'findAccess'>,
  actor: Actor | undefined,
  asset: Pick<MediaAssetRecord, 'user_id' | 'task_id'>,
): Promise<boolean> {
  if (actor && asset.user_id === actor.id) return true;
  if (!asset.task_id) return !!actor && isStaff(actor);
  const task = await tasks.findAccess(asset.task_id);
  if (!task) return false;
  return task.visibility === 'public' || (!!actor && maySeeTask(actor, task));
}
