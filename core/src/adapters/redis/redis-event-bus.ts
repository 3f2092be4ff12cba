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

  async publish(event: DomainEvent): Promise<void> {
    await this.publisher.publish(this.channel, JSON.stringify(event));
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
