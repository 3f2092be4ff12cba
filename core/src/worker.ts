import type { Core } from './create-core.js';
import { GENERATION_JOB, type GenerationJobPayload } from './generation/generation.types.js';

/** Every job name and its handler. The worker refuses to start if a known job lacks one. */
export const JOB_NAMES = [GENERATION_JOB] as const;

export async function startWorker(core: Core): Promise<void> {
  const handlers: Record<(typeof JOB_NAMES)[number], () => Promise<void>> = {
    [GENERATION_JOB]: () =>
      core.queue.process<GenerationJobPayload>(
        GENERATION_JOB,
        (payload, { signal }) => core.processor.run(payload.taskId, signal),
        {
          concurrency: core.config.WORKER_CONCURRENCY,
        },
      ),
  };
  for (const name of JOB_NAMES) {
    if (!handlers[name]) throw new Error(`No handler registered for job ${name}`);
    await handlers[name]();
  }
  core.reconciler.start(core.config.RECONCILE_INTERVAL_MS);
  core.logger.info({ concurrency: core.config.WORKER_CONCURRENCY }, 'worker started');
}
