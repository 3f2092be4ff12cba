import type { GenerationTaskRow } from '../adapters/sequelize/models.js';
import type { GenerationProcessor } from '../generation/generation.processor.js';
import { providerFailureCode } from '../generation/generation-failures.js';
import { ProviderError } from '../ports/image-provider.port.js';

/**
 * Ends a delegated runner's task after a provider call threw: a ProviderError fails the task the
 * way the engine's own path does (code `PROVIDER_<KIND>`, which memberFacingFailure maps back; the
 * provider's text kept for staff); anything else is unexpected and is rethrown for the queue.
 * Cancellation is not handled here: each runner ends a cancelled task its own way.
 */
export async function failOnProviderError(
  processor: GenerationProcessor,
  task: GenerationTaskRow,
  error: unknown,
): Promise<void> {
  if (!(error instanceof ProviderError)) throw error;
  await processor.failExternally(
    task,
    'failed',
    providerFailureCode(error.kind),
    `${error.kind}: ${error.message}`,
  );
}
