import type { Core } from './create-core.js';
import {
  GENERATION_JOB,
  PROVIDER_POLL_JOB,
  type GenerationJobPayload,
  type ProviderPollJobPayload,
} from './generation/generation.types.js';
import { CONTROL_ROOM, TASK_CANCEL_EVENT } from './generation/engine/generation-engine.js';
import { CALLBACK_JOB, type CallbackJobPayload } from './jimeng/jimeng.types.js';
import { MAINTENANCE_JOB } from './accounts/account-maintenance.service.js';
import { GENERATION_ITEM_JOB, type GenerationItemJobPayload } from './generation/fan-out.types.js';
import { JOB_NAMES, type JobName } from './job-names.js';

export async function startWorker(core: Core): Promise<void> {
  // Every job name and its handler: the worker refuses to start if a known job lacks one.
  const handlers: Record<JobName, () => Promise<void>> = {
    [GENERATION_JOB]: () =>
      core.queue.process<GenerationJobPayload>(
        GENERATION_JOB,
        (payload, { signal }) => core.engine.run(payload.taskId, signal),
        { concurrency: core.config.WORKER_CONCURRENCY },
      ),
    // One output position of a fanned-out task (contract 004 batches).
    [GENERATION_ITEM_JOB]: () =>
      core.queue.process<GenerationItemJobPayload>(
        GENERATION_ITEM_JOB,
        (payload, { signal }) => core.engine.runItem(payload.taskId, payload.position, signal),
        { concurrency: core.config.WORKER_CONCURRENCY },
      ),
    // Contract 003 §12: batch_completed callbacks, retried with backoff by the queue.
    [CALLBACK_JOB]: () =>
      core.queue.process<CallbackJobPayload>(
        CALLBACK_JOB,
        (payload, { attempt }) => core.jimeng.callbacks.deliver(payload.batchId, attempt),
        { concurrency: 4 },
      ),
    // Delayed status re-checks of asynchronous provider tasks (kie.ai videos, contract 001).
    [PROVIDER_POLL_JOB]: () =>
      core.queue.process<ProviderPollJobPayload>(
        PROVIDER_POLL_JOB,
        (payload, { signal }) => core.engine.poll(payload.taskId, signal),
        { concurrency: core.config.WORKER_CONCURRENCY },
      ),
    // Pool upkeep: quota resets at each account's reset time, credit reads from /token/points.
    [MAINTENANCE_JOB]: async () => {
      await core.queue.process(
        MAINTENANCE_JOB,
        async () => {
          await core.jimeng.maintenance.resetDueQuotas();
          await core.jimeng.maintenance.refreshStaleCredits();
        },
        { concurrency: 1 },
      );
      await core.queue.schedule(MAINTENANCE_JOB, 'jimeng-maintenance-every-minute', 60_000, {});
    },
  };
  for (const name of JOB_NAMES) {
    if (!handlers[name]) throw new Error(`No handler registered for job ${name}`);
    await handlers[name]();
  }
  // Cancellation of running tasks reaches every worker; the one running the job aborts it.
  await core.events.subscribe((event) => {
    if (event.room === CONTROL_ROOM && event.name === TASK_CANCEL_EVENT) {
      core.queue.cancelActive(GENERATION_JOB, (event.payload as { taskId: string }).taskId);
    }
  });
  core.reconciler.start(core.config.RECONCILE_INTERVAL_MS);
  // After a flush or an empty restart nothing is queued any more: reconcile at once, not in 30 s,
  // once every worker had time to write down again its running jobs (every REDIS_LOSS_CHECK_MS)
  // and the account leases of their calls (heartbeat every third of LEASE_TTL_MS), so that
  // neither a running job nor an account's busy slots are mistaken for free.
  const settleMs = Math.max(2 * core.config.REDIS_LOSS_CHECK_MS, Math.ceil(core.config.LEASE_TTL_MS / 3));
  core.redisLoss.onLoss(() => core.reconciler.afterRedisLoss(settleMs));
  await core.redisLoss.start();
  // Workers see the pool's health events and the generations' outcomes: they send staff alerts.
  core.alerts.start();
  // Contract 002: conversation history is kept 30 days.
  core.story.startRetention();
  core.logger.info({ concurrency: core.config.WORKER_CONCURRENCY }, 'worker started');
}
