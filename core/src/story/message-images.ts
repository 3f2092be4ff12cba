import { AppError } from '../errors.js';
import type { ChatMessageParam } from '../ports/chat-provider.port.js';
import { OutboundRefusedError } from '../shared/outbound/outbound-errors.js';
import type { OutboundPolicy } from '../shared/outbound/outbound-policy.js';

/** Contract 002: an image part whose URL the outbound policy refuses (400, `image_url_refused`). */
export class ImageUrlRefusedError extends AppError {
  constructor(message: string) {
    super('IMAGE_URL_REFUSED', message, { status: 400 });
  }
}

/** The URL of an OpenAI `image_url` part (`{image_url: {url}}` or the older `{image_url: "…"}`). */
function imageUrlOf(part: Record<string, unknown>): string | undefined {
  const value = part.image_url;
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { url?: unknown }).url === 'string')
    return (value as { url: string }).url;
  return undefined;
}

/**
 * Image parts of chat messages (i2t and chat completions) are fetched by the model's endpoint on
 * our say-so, often inside our network: each URL must pass the outbound policy before the call.
 * Inline `data:` images fetch nothing; images served by Dreamloom itself (PUBLIC_URL's origin)
 * are ours to hand out. Anything else with a private or local address is refused.
 */
export async function assertMessageImagesAllowed(
  policy: OutboundPolicy,
  publicUrl: string,
  messages: ChatMessageParam[],
): Promise<void> {
  const ownOrigin = new URL(publicUrl).origin;
  const seen = new Set<string>();
  for (const message of messages) {
    if (!Array.isArray(message.content)) continue;
    for (const part of message.content) {
      const url = imageUrlOf(part);
      if (url === undefined || seen.has(url)) continue;
      seen.add(url);
      if (/^data:/i.test(url.trim())) continue;
      try {
        if (new URL(url).origin === ownOrigin) continue;
      } catch {
        // Not a URL at all: the policy names the problem below.
      }
      try {
        await policy.assertAllowed(url);
      } catch (error) {
        if (error instanceof OutboundRefusedError)
          throw new ImageUrlRefusedError(`image_url is not allowed: ${error.message}`);
        throw error;
      }
    }
  }
}
