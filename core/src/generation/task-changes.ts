import type { EventBus } from '../ports/event-bus.port.js';

/**
 * Changes to a task's row or outputs that no task event announces (a refund zeroing
 * `credits_used`, a deletion), announced on a control room members never join: every server
 * node drops its cached snapshot of those tasks (TaskSnapshotCache) and the history pages that
 * show them (MemberPagesCache). Changes that do come with a task event (progress, completion,
 * failure) need nothing more: every event of a task's room drops them too. `owners`: members
 * whose list of tasks changed (a task created or deleted), whose every page is dropped.
 */
export const TASKS_ROOM = 'control:tasks';
export const TASKS_CHANGED = 'tasks.changed';

export interface TasksChange {
  taskIds: string[];
  owners?: string[];
}

export async function announceTasksChanged(
  events: EventBus | undefined,
  taskIds: string[],
  owners: string[] = [],
) {
  if (!events || (taskIds.length === 0 && owners.length === 0)) return;
  const change: TasksChange = { taskIds, ...(owners.length ? { owners } : {}) };
  await events.publish({ room: TASKS_ROOM, name: TASKS_CHANGED, payload: change });
}
