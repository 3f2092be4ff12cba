/**
 * Short ids: a generation's uuid is 36 characters, too long to read off a card or type. Cards
 * show its first 8 (32 random bits: a member's own generations practically never share them),
 * and `/show` takes any beginning of at least 6, resolved among the member's own generations.
 */
export const SHORT_ID_LENGTH = 8;
export const MIN_SHORT_ID_LENGTH = 6;

export function shortId(taskId: string): string {
  return taskId.slice(0, SHORT_ID_LENGTH);
}

/** A typed id or id beginning, normalised; undefined when it cannot be one. */
export function parseGenerationRef(text: string): string | undefined {
  const ref = text.trim().toLowerCase();
  return new RegExp(`^[0-9a-f-]{${MIN_SHORT_ID_LENGTH},36}$`).test(ref) ? ref : undefined;
}
