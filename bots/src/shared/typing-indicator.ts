/** Telegram shows "typing…" for 5 s, Discord "… is typing" for 10 s: refreshed within both. */
export const TYPING_REFRESH_MS = 4500;

/**
 * Keeps a place's typing indicator on while a story reply is written: sent at once, then every
 * {@link TYPING_REFRESH_MS} until stopped. One place writes one reply at a time (the story handler
 * serialises turns per place), so this needs no pacing across replies.
 */
export class TypingIndicator {
  private readonly timer: NodeJS.Timeout;
  private inFlight = false;

  constructor(
    private readonly send: () => Promise<void>,
    private readonly options: { refreshMs?: number; onError?: (error: unknown) => void } = {},
  ) {
    this.pulse();
    this.timer = setInterval(() => this.pulse(), options.refreshMs ?? TYPING_REFRESH_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private pulse(): void {
    if (this.inFlight) return;
    this.inFlight = true;
    void this.send()
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => (this.inFlight = false));
  }
}
