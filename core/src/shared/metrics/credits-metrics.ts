import { Counter, type Registry } from 'prom-client';

export type CreditsMetrics = ReturnType<typeof createCreditsMetrics>;

/** Credits (MC) charged for and refunded to generations, counted once their transaction commits. */
export function createCreditsMetrics(registry: Registry) {
  const charged = new Counter({
    name: 'dreamloom_credits_charged_total',
    help: 'Credits (MC) charged for generations',
    registers: [registry],
  });
  const refunded = new Counter({
    name: 'dreamloom_credits_refunded_total',
    help: 'Credits (MC) refunded for failed or cancelled generations',
    registers: [registry],
  });
  return { charged, refunded };
}
