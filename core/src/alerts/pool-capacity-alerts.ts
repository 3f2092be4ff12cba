import type { GenerationKind } from '../accounts/account-pool.service.js';
import type { Alert } from './alert.types.js';

export const WATCHED_KINDS: readonly GenerationKind[] = ['image', 'video'];

/**
 * The alert for a pool whose eligible accounts offer fewer than `below` slots for `kind` (busy
 * slots count: see AccountPoolService.capacity), or null. `below` 0 turns the alert off.
 */
export function poolCapacityAlert(
  kind: GenerationKind,
  capacity: number,
  options: { below: number; now: Date },
): Alert | null {
  if (options.below <= 0 || capacity >= options.below) return null;
  return {
    type: 'pool_low',
    condition: `pool_low:${kind}`,
    severity: capacity === 0 ? 'critical' : 'warning',
    message:
      capacity === 0
        ? `No account can take ${kind} work: ${kind} generations wait or fail until an account is fixed or added`
        : `Only ${capacity} ${kind} slot(s) left in the account pool (alert below ${options.below})`,
    details: { kind, slots: capacity, below: options.below },
    at: options.now,
  };
}
