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
  private outbox: Array<{ message: string; resolve: () => void; reject: (error: Error) => void }> = [];

  /**
   * Events published in one turn of the event loop (e.g. 50 conversations' first deltas relayed
   * together) leave in one socket write instead of one socket write each: measured on the chat
   * bench, the write syscalls were the largest single CPU cost while streams were relayed.
   */
  publish(event: DomainEvent): Promise<void> {
    const message = JSON.stringify(event);
    return new Promise((resolve, reject) => {
      if (this.outbox.push({ message, resolve, reject }) === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.outbox;
    this.outbox = [];
    // Corking the connection's socket makes the batch's commands one write; an ioredis pipeline
    // would too, but building one cost more CPU than the writes it saved (measured).
    const socket = (this.publisher as unknown as { stream?: { cork(): void; uncork(): void } }).stream;
    socket?.cork();
    try {
      for (const item of batch)
        this.publisher.publish(this.channel, item.message).then(() => item.resolve(), item.reject);
    } finally {
      socket?.uncork();
    }
  }

  async subscribe(listener: (event: DomainEvent) => void): Promise<() => Promise<void>> {
    if (!this.subscriber) {
      // A subscribed ioredis connection can do nothing else, so it gets its own.
      this.subscriber = this.publisher.duplicate();
      this.subscriber.on('message', (_channel: string, message: string) => {
        let event: DomainEvent;
        try {
          event = JSON.parse(message) as DomainEvent;
        } catch {
          this.logger.warn('dropped a malformed event');
          return;
        }
        for (const each of this.listeners) each(event);
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
