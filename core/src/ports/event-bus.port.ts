/** A domain event addressed to a room (e.g. `task:<id>`), relayed by servers to socket.io. */
export interface DomainEvent<Payload = unknown> {
  room: string;
  name: string;
  payload: Payload;
}

/** Cross-process publish/subscribe of domain events (Redis pub/sub in production). */
export interface EventBus {
  publish(event: DomainEvent): Promise<void>;
  /** Calls `listener` for every event published by any process; returns an unsubscribe function. */
  subscribe(listener: (event: DomainEvent) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
