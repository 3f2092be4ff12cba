import { Counter, type Registry } from 'prom-client';
import { ProviderError } from '../../ports/image-provider.port.js';

export type ProviderMetrics = ReturnType<typeof createProviderMetrics>;

/**
 * Calls to generation providers (jimeng, gemini, kie, ...) by outcome: `ok`, one of the ProviderError
 * kinds (`rate_limited`, `session_expired`, ...; see PROVIDERS.md), or `other_error` for a failure
 * that never got classified (a bug, an abort). The kinds are what decide an account's fate, so a
 * rising `rate_limited` or `session_expired` is the pool's early warning. kie.ai's tasks are
 * asynchronous, so its calls are the task creations and the status checks that follow them.
 */
export function createProviderMetrics(registry: Registry) {
  const calls = new Counter({
    name: 'dreamloom_provider_calls_total',
    help: 'Generation provider calls by provider and outcome (ok or the ProviderError kind)',
    labelNames: ['provider', 'outcome'] as const,
    registers: [registry],
  });
  return {
    calls,
    /** Awaits one provider call and counts its outcome; the result or the error passes through. */
    async count<T>(provider: string, call: Promise<T>): Promise<T> {
      try {
        const result = await call;
        calls.inc({ provider, outcome: 'ok' });
        return result;
      } catch (error) {
        calls.inc({ provider, outcome: error instanceof ProviderError ? error.kind : 'other_error' });
        throw error;
      }
    },
  };
}

/** The provider port's call methods (ImageProvider, VideoProvider); everything else passes untouched. */
const PORT_CALL_METHODS: ReadonlyArray<PropertyKey> = ['generateImages', 'generateVideos'];

/**
 * The provider with every call to `callMethods` (by default the port's generateImages /
 * generateVideos; a client outside the ports, like kie.ai's, names its own) counted by outcome.
 * Applied where providers are built (createCore, the module factories), so no runner or route has
 * to remember it. A Proxy, not a wrapper class: a provider's other methods (credit reads, ...) and
 * the `isVideoProvider` check keep working unchanged.
 */
export function countProviderCalls<P extends object>(
  name: string,
  provider: P,
  metrics: ProviderMetrics,
  callMethods: ReadonlyArray<keyof P> | ReadonlyArray<PropertyKey> = PORT_CALL_METHODS,
): P {
  const counted = new Set<PropertyKey>(callMethods);
  return new Proxy(provider, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (!counted.has(key)) return method.bind(target);
      return (...args: unknown[]) => metrics.count(name, Promise.resolve(method.apply(target, args)));
    },
  });
}
