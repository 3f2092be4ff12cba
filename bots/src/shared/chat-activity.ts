export interface ChatActivityOptions {
  /** At most one signal per place this often; Telegram shows a chat action for about 5 s. */
  intervalMs: number;
  /** True while the platform asked for silence in the place (a flood wait): no signal then. */
  isSilenced?: (place: string) => boolean;
  now?: () => number;
  onError?: (error: unknown) => void;
}

/**
 * Paces the "working on it" signal (Telegram's "sending a photo…", Discord's typing) per place.
 * Every running job asks for it, but twenty jobs in one group need one signal per interval, not
 * twenty. Signals are not messages and do not take turns in the edit budget, but none is sent
 * while the place waits out a flood, and never two at once.
 */
export class ChatActivity {
  private readonly lastSent = new Map<string, number>();
  private readonly inFlight = new Set<string>();

  constructor(private readonly options: ChatActivityOptions) {}

  /** Sends the place's signal unless one went out within the interval or the place is silenced. */
  pulse(place: string, send: () => Promise<void>): void {
    const now = (this.options.now ?? Date.now)();
    if (this.inFlight.has(place) || this.options.isSilenced?.(place)) return;
    if (now - (this.lastSent.get(place) ?? Number.NEGATIVE_INFINITY) < this.options.intervalMs) return;
    this.lastSent.set(place, now);
    this.inFlight.add(place);
    void send()
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => this.inFlight.delete(place));
  }
}
