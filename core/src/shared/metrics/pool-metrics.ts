import { Gauge, type Registry } from 'prom-client';

/** One group of provider accounts in the same state, as the pool reports them. */
export interface PoolSlotUsage {
  provider: string;
  /** normal, cooling_down, invalid, disabled */
  state: string;
  /** Slots held by running calls (leases in Redis, every process's). */
  inUse: number;
  /** Slots the pool could lease now (0 for accounts that take no work in this state). */
  free: number;
}

export type PoolMetrics = ReturnType<typeof createPoolMetrics>;

/** Provider account slots in use and free, by provider and account state, read when scraped. */
export function createPoolMetrics(registry: Registry) {
  let read: (() => Promise<PoolSlotUsage[]>) | null = null;
  const slots = new Gauge({
    name: 'dreamloom_pool_slots',
    help: 'Provider account concurrency slots by provider, account state and use (in_use, free)',
    labelNames: ['provider', 'account_state', 'slot'] as const,
    registers: [registry],
    async collect() {
      if (!read) return;
      // Database or Redis down: the previous values stay rather than failing the whole scrape.
      const usage = await read().catch(() => null);
      if (!usage) return;
      // A state nobody is in any more reads 0, not its last value.
      this.reset();
      for (const { provider, state, inUse, free } of usage) {
        this.inc({ provider, account_state: state, slot: 'in_use' }, inUse);
        this.inc({ provider, account_state: state, slot: 'free' }, free);
      }
    },
  });
  return {
    slots,
    /** Reports the pool's slot usage on every scrape. */
    watch(reader: () => Promise<PoolSlotUsage[]>): void {
      read = reader;
    },
  };
}
