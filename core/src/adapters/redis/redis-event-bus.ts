import { Redis } from 'ioredis';
import type { DomainEvent, EventBus } from '../../ports/event-bus.port.js';
import type { Logger } from '../../shared/logger.js';

/** Domain events over Redis pub/sub, on one channel per deployment prefix. */
export class RedisEventBus implements EventBus {
  private subscriber: Redis | null = null;
  private readonly listeners = new Set<(event: DomainEvent) => void>();
  private readonly channel: string;

  constructor(
    private readonly publisher: Redis,
    prefix: string,
    private readonly logger: Logger,
  ) {
    this.channel = `${prefix}:events`;
  }

  /** Events published during this turn of the event loop, sent together at its end. */
  private outbox: string[] = [];
  /** Settles when the current outbox has been published. */
  private sent: Promise<void> | null = null;

  /**
   * Events published in one turn of the event loop (e.g. 50 conversations' first deltas relayed
   * together) leave as one Redis message holding a JSON array: one PUBLISH, one reply and one
   * delivery to every node instead of one each per event. Measured on the chat bench, the
   * per-event commands, their replies and each node's receipt of them were a tenth of the
   * server's CPU per reply, much of it while other conversations waited for their first token.
   */
  publish(event: DomainEvent): Promise<void> {
    this.outbox.push(JSON.stringify(event));
    this.sent ??= new Promise<void>((resolve, reject) =>
      setImmediate(() => {
        const batch = this.outbox;
        this.outbox = [];
        this.sent = null;
        this.publisher.publish(this.channel, `[${batch.join(',')}]`).then(() => resolve(), reject);
      }),
    );
    return this.sent;
  }

  async subscribe(listener: (event: DomainEvent) => void): Promise<() => Promise<void>> {
    if (!this.subscriber) {
      // A subscribed ioredis connection can do nothing else, so it gets its own.
      this.subscriber = this.publisher.duplicate();
      // Without a listener ioredis reports every failed reconnect (a Redis restart) as unhandled;
      // it reconnects and subscribes again by itself either way.
      this.subscriber.on('error', (error: Error) =>
        this.logger.warn({ err: error.message }, 'event subscriber connection error'),
      );
      this.subscriber.on('message', (_channel: string, message: string) => {
        let events: DomainEvent[];
        try {
          // A batch (this version) or a single event (a node not yet upgraded).
          const parsed = JSON.parse(message) as DomainEvent | DomainEvent[];
          events = Array.isArray(parsed) ? parsed : [parsed];
        } catch {
          this.logger.warn('dropped a malformed event');
          return;
        }
        for (const event of events) for (const each of this.listeners) each(event);
      });
      await this.subscriber.subscribe(this.channel);
    }
    this.listeners.add(listener);
    return async () => {
      this.listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    if (this.subscriber) this.subscriber.disconnect();
    this.subscriber = null;
  }
}
