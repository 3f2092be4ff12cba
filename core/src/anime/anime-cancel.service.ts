import { AppError } from '../errors.js';
import { TaskNotFoundError } from '../generation/generation.errors.js';
import type { GenerationEngine } from '../generation/engine/generation-engine.js';
import { TERMINAL_STATUSES, type TaskStatus } from '../generation/generation.types.js';
import type { Actor } from '../identity/actor.js';
import type { AnimeTaskRepository } from './anime-task.repository.js';

export class NotCancellableError extends AppError {
  constructor(message = 'The generation has already finished') {
    super('NOT_CANCELLABLE', message, { status: 409 });
  }
}

interface Deps {
  tasks: Pick<AnimeTaskRepository, 'cancelFacts' | 'status'>;
  engine: Pick<GenerationEngine, 'cancel' | 'cancelUpstream'>;
}

/**
 * A member cancels one of their own unfinished generations; the credits listener refunds it.
 * kie.ai tasks cannot be stopped upstream (no cancel endpoint), so their cancel goes through the
 * engine's upstream cancel first: it abandons the upstream task for good, so that no later poll or
 * callback can store its output or change the outcome.
 */
export class AnimeCancelService {
  constructor(private readonly deps: Deps) {}

  async cancel(
    actor: Actor,
    taskId: string,
    reason = 'Cancelled by the member',
  ): Promise<{ generation_uuid: string; cancelled: true }> {
    // Members cancel their own tasks only; staff included (the admin has its own tools).
    const task = await this.deps.tasks.cancelFacts(taskId);
    if (!task || task.user_id !== actor.id) throw new TaskNotFoundError();
    if (TERMINAL_STATUSES.includes(task.status as TaskStatus)) throw new NotCancellableError();
    if (task.provider === 'kie') {
      const outcome = await this.deps.engine.cancelUpstream(task.id, reason);
      if (outcome === 'finishing')
        throw new NotCancellableError('The video is already being delivered and can no longer be cancelled');
      if (outcome === 'done') throw new NotCancellableError();
      if (outcome === 'cancelled') return { generation_uuid: task.id, cancelled: true };
      // 'pending': no upstream task yet; the engine will see the cancel mark before creating one.
    }
    const cancelled = await this.deps.engine.cancel([task.id], reason);
    // Nothing left to cancel can still mean this cancel won: a kie job that started right after
    // the mark was written sees it and ends the task as cancelled before the engine looks.
    if (cancelled.length === 0 && !(await this.endedCancelled(task.id))) throw new NotCancellableError();
    return { generation_uuid: task.id, cancelled: true };
  }

  private async endedCancelled(taskId: string): Promise<boolean> {
    return (await this.deps.tasks.status(taskId)) === 'cancelled';
  }
}
