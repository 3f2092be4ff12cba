import { Registry, collectDefaultMetrics } from 'prom-client';
import { createHttpMetrics } from './http-metrics.js';
import { createQueueMetrics } from './queue-metrics.js';
import { createProviderMetrics } from './provider-metrics.js';
import { createPoolMetrics } from './pool-metrics.js';
import { createConnectionMetrics } from './connection-metrics.js';
import { createCreditsMetrics } from './credits-metrics.js';

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * Every Prometheus metric of one process, on its own registry (prom-client's global one would be
 * shared by the several cores a test process runs). Built by createCore, the composition root;
 * served as `/metrics` by the server, the worker's probe port and the bots' health port.
 */
export function createMetrics() {
  const registry = new Registry();
  // process_cpu_seconds_total, nodejs_heap_size_used_bytes, nodejs_eventloop_lag_seconds, ...
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    http: createHttpMetrics(registry),
    queues: createQueueMetrics(registry),
    providers: createProviderMetrics(registry),
    pool: createPoolMetrics(registry),
    connections: createConnectionMetrics(registry),
    credits: createCreditsMetrics(registry),
  };
}
