/** The one Redis command the de-duplication needs (ioredis' signature). */
export interface AlertDedupStore {
  set(key: string, value: string, px: 'PX', ms: number, nx: 'NX'): Promise<'OK' | null>;
}

/**
 * One alert per condition per `dedupMs` across every node: the first node to claim a condition
 * sets `<prefix>:alert:<condition>` (SET NX PX) and sends; the others, and this one until the key
 * lapses, stay quiet. When Redis cannot answer, the alert is sent anyway: a duplicate message is
 * better than a lost one.
 */
export class AlertDedup {
  constructor(
    private readonly store: AlertDedupStore,
    private readonly prefix: string,
    private readonly dedupMs: number,
  ) {}

  /** True when this caller should send the alert for `condition`. */
  async claim(condition: string): Promise<boolean> {
    if (this.dedupMs <= 0) return true;
    try {
      return (
        (await this.store.set(`${this.prefix}:alert:${condition}`, '1', 'PX', this.dedupMs, 'NX')) === 'OK'
      );
    } catch {
      return true;
    }
  }
}
