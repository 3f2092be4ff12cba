import { Gauge, type Registry } from 'prom-client';

/** sse: story chat event streams; socketio: the bots' and admin's live updates; websocket: contract 004's task socket. */
export type Transport = 'sse' | 'socketio' | 'websocket';

export type ConnectionMetrics = ReturnType<typeof createConnectionMetrics>;

/** Long-lived connections open on this process, by transport: what a node still serves when drained. */
export function createConnectionMetrics(registry: Registry) {
  const counters = new Map<Transport, () => number>();
  let sseOpen = 0;
  counters.set('sse', () => sseOpen);
  const open = new Gauge({
    name: 'dreamloom_connections_open',
    help: 'Open long-lived connections on this process by transport (sse, socketio, websocket)',
    labelNames: ['transport'] as const,
    registers: [registry],
    collect() {
      for (const [transport, count] of counters) this.set({ transport }, count());
    },
  });
  return {
    open,
    /** Counts one event stream as open; call the returned function once when it closes. */
    sseOpened(): () => void {
      sseOpen += 1;
      let closed = false;
      return () => {
        if (closed) return;
        closed = true;
        sseOpen -= 1;
      };
    },
    /** Reads a transport's open connections from its server on every scrape. */
    watch(transport: Exclude<Transport, 'sse'>, count: () => number): void {
      counters.set(transport, count);
    },
  };
}
