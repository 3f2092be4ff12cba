/**
 * Holds the sandbox's generation calls at the door until a test releases them, so a test that must
 * see work still running (a batch page opening, a cancel landing) does not depend on how fast the
 * machine is. A held call looks to the client exactly like a slow upstream — the only thing a real
 * service does too — so no answer changes.
 */
import { abortError } from './http-helpers.js';

export class GenerationGate {
  private closed: { opened: Promise<void>; open: () => void } | null = null;

  /** From now on, generation calls wait at the door (those already past it run on). */
  hold(): void {
    if (this.closed) return;
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    this.closed = { opened, open };
  }

  /** Lets every waiting call through, and later ones straight on. */
  release(): void {
    this.closed?.open();
    this.closed = null;
  }

  get holding(): boolean {
    return this.closed !== null;
  }

  /** Waits while the gate is held; rejects with an AbortError if the caller leaves meanwhile. */
  async pass(signal: AbortSignal): Promise<void> {
    while (this.closed) {
      const { opened } = this.closed;
      await new Promise<void>((resolve, reject) => {
        if (signal.aborted) return reject(abortError());
        const onAbort = () => reject(abortError());
        signal.addEventListener('abort', onAbort, { once: true });
        void opened.then(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    }
  }
}
