/** Time as the budget sees it; tests pass a clock whose sleep returns at once and moves `now`. */
export interface EditClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: EditClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface PlaceEditBudgetOptions {
  /** Minimum time between the starts of two deliveries in one place (chat, channel). */
  intervalMs: number;
  clock?: EditClock;
  /**
   * How long the platform asked us to wait (ms) when it refused a delivery for flooding, e.g.
   * Telegram's 429 `retry_after`; undefined for other errors.
   */
  floodWaitMs?: (error: unknown) => number | undefined;
  /** A final state that fails for another reason is tried this many times in all. Default 3. */
  maxFinalAttempts?: number;
  /** Called when an intermediate delivery fails; a later state still goes out. */
  onError?: (error: unknown) => void;
}

/**
 * Shows one state. May resolve with the number of messages it sent when that is more than one
 * (a final card: the photos, then the card's edit): the place then waits that many intervals.
 */
type Delivery = () => Promise<void | number>;

interface FinalDelivery {
  deliver: Delivery;
  attempts: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** One card's queue in its place: the newest state not yet shown, and its final state. */
class CardLane {
  pending: Delivery | undefined;
  final: FinalDelivery | undefined;
  closed = false;

  constructor(
    private readonly place: Place,
    private readonly budget: PlaceEditBudget,
  ) {}

  /** Queues a state; replaces any state of this card not yet delivered. Ignored after {@link finish}. */
  push(deliver: Delivery): void {
    if (this.closed) return;
    this.pending = deliver;
    this.budget.wake(this.place, this);
  }

  /**
   * Delivers the card's final state within the place's budget, after anything in flight. It is
   * tried again after every flood wait (however long) until it lands; other errors are retried
   * `maxFinalAttempts` times, then the promise rejects.
   */
  finish(deliver: Delivery): Promise<void> {
    this.closed = true;
    this.pending = undefined;
    return new Promise<void>((resolve, reject) => {
      this.final = { deliver, attempts: 0, resolve, reject };
      this.budget.wake(this.place, this);
    });
  }

  get hasWork(): boolean {
    return this.pending !== undefined || this.final !== undefined;
  }
}

interface Place {
  /** Cards with something to deliver, in turn order (served cards go to the back). */
  lanes: Set<CardLane>;
  lastStart: number;
  /** The platform asked for silence in this place until then (flood wait). */
  blockedUntil: number;
  running: boolean;
}

/**
 * One edit budget per place (a Telegram chat, a Discord channel) shared by every job card in it.
 * Telegram allows about 20 messages a minute in a group, and edits of five cards in one chat count
 * together, so budgeting per card was not enough. In each place: at most one delivery per
 * interval, cards take turns, each card's newest state replaces its older ones (latest state
 * wins), final states go first, and a final state is re-sent after a flood wait until it lands.
 */
export class PlaceEditBudget {
  private readonly places = new Map<string, Place>();
  private readonly clock: EditClock;

  constructor(private readonly options: PlaceEditBudgetOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** A new card in `place`; push its states and finish it through the lane. */
  lane(place: string): CardLane {
    let entry = this.places.get(place);
    if (!entry) {
      entry = { lanes: new Set(), lastStart: Number.NEGATIVE_INFINITY, blockedUntil: 0, running: false };
      this.places.set(place, entry);
    }
    return new CardLane(entry, this);
  }

  /** True while `place` waits out a flood wait the platform asked for (other signals keep quiet too). */
  isSilenced(place: string): boolean {
    const entry = this.places.get(place);
    return entry !== undefined && entry.blockedUntil > this.clock.now();
  }

  /** @internal a lane has work: queue it and make sure the place's loop runs. */
  wake(place: Place, lane: CardLane): void {
    place.lanes.add(lane);
    if (!place.running) void this.drain(place);
  }

  private async drain(place: Place): Promise<void> {
    place.running = true;
    try {
      while ([...place.lanes].some((lane) => lane.hasWork)) {
        const wait =
          Math.max(place.lastStart + this.options.intervalMs, place.blockedUntil) - this.clock.now();
        if (wait > 0) await this.clock.sleep(wait);
        // Chosen after the wait, so the newest states (and finals that arrived meanwhile) go out.
        const lane = this.nextLane(place);
        if (!lane) break;
        place.lastStart = this.clock.now();
        await this.deliverOne(place, lane);
      }
    } finally {
      place.running = false;
    }
    for (const [key, entry] of this.places)
      if (entry === place && place.lanes.size === 0) this.places.delete(key);
  }

  /** Final states first (oldest first), then the card whose turn it is. */
  private nextLane(place: Place): CardLane | undefined {
    const lanes = [...place.lanes].filter((lane) => lane.hasWork);
    for (const lane of place.lanes) if (!lane.hasWork) place.lanes.delete(lane);
    return lanes.find((lane) => lane.final) ?? lanes[0];
  }

  /** A delivery that sent several messages used several slots of the place's budget. */
  private charge(place: Place, messages: void | number): void {
    if (typeof messages === 'number' && messages > 1)
      place.lastStart += (messages - 1) * this.options.intervalMs;
  }

  private async deliverOne(place: Place, lane: CardLane): Promise<void> {
    // The served card goes to the back of the turn order.
    place.lanes.delete(lane);
    const final = lane.final;
    if (final) {
      final.attempts++;
      try {
        this.charge(place, await final.deliver());
        lane.final = undefined;
        final.resolve();
      } catch (error) {
        const flood = this.options.floodWaitMs?.(error);
        if (flood !== undefined) {
          place.blockedUntil = Math.max(place.blockedUntil, this.clock.now() + flood);
        } else if (final.attempts >= (this.options.maxFinalAttempts ?? 3)) {
          lane.final = undefined;
          final.reject(error);
        }
      }
    } else {
      const deliver = lane.pending!;
      lane.pending = undefined;
      try {
        this.charge(place, await deliver());
      } catch (error) {
        const flood = this.options.floodWaitMs?.(error);
        if (flood !== undefined) place.blockedUntil = Math.max(place.blockedUntil, this.clock.now() + flood);
        this.options.onError?.(error);
      }
    }
    if (lane.hasWork) place.lanes.add(lane);
  }
}

export type { CardLane };
