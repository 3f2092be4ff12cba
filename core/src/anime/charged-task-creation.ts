import type { CreditsService } from '../credits/credits.service.js';
import type { GenerationService, NewTaskSpec } from '../generation/generation.service.js';
import type { Actor } from '../identity/actor.js';
import type { UnitOfWork } from '../shared/unit-of-work.js';
import type { AnimeTaskRepository } from './anime-task.repository.js';
import type { JobLimitsService } from './job-limits.service.js';

export interface ChargedTaskDeps {
  /** The credits ledger's unit of work: on SQLite, creates queue with grants and refunds. */
  unitOfWork: UnitOfWork;
  tasks: Pick<AnimeTaskRepository, 'makePrivate'>;
  generation: Pick<GenerationService, 'createTasks' | 'enqueueMany'>;
  credits: Pick<CreditsService, 'charge'>;
  limits: Pick<JobLimitsService, 'prepare' | 'check'>;
}

export interface ChargedTask {
  /** The new task; its id is chosen by the caller, who answers with it. */
  task: NewTaskSpec & { id: string };
  visibility: 'public' | 'private';
  /** What the member pays (the quote's credits) and the ledger note that explains it. */
  credits: number;
  note: string;
}

/**
 * A member's image or video create (contracts 000 and 001): the job limits are checked, the task
 * is created and the quote is charged in one transaction, so a refused limit or a short balance
 * leaves nothing behind. The job is queued after commit, so it never refers to a task (or charge)
 * that was rolled back.
 */
export async function createChargedTask(
  deps: ChargedTaskDeps,
  actor: Actor,
  input: ChargedTask,
): Promise<void> {
  const { task } = input;
  await deps.limits.prepare(actor);
  const rows = await deps.unitOfWork.run(async (transaction) => {
    // First in the transaction: the limit's row lock orders this member's concurrent creates.
    await deps.limits.check(actor, transaction);
    const created = await deps.generation.createTasks([task], { transaction });
    if (input.visibility === 'private') await deps.tasks.makePrivate(task.id, transaction);
    await deps.credits.charge(
      { userId: actor.id, taskId: task.id, amount: input.credits, note: input.note },
      transaction,
    );
    return created;
  });
  await deps.generation.enqueueMany(rows);
}
