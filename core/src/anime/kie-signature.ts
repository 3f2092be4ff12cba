import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors.js';

/** Callbacks older or newer than this (by their timestamp) are refused as replays. */
const MAX_SKEW_SECONDS = 600;

export function signKieCallback(key: string, taskId: string, timestamp: string): string {
  return createHmac('sha256', key).update(`${taskId}.${timestamp}`).digest('base64');
}

/**
 * PROVIDERS.md §2: `X-Webhook-Signature` = base64(HMAC-SHA256(taskId + "." + timestamp, key)),
 * `X-Webhook-Timestamp` in seconds. Throws INVALID_SIGNATURE (401) unless both check out.
 */
export function verifyKieSignature(
  key: string,
  taskId: string,
  headers: { signature?: string; timestamp?: string },
  now: Date,
): void {
  const refuse = (why: string) =>
    new AppError('INVALID_SIGNATURE', `Webhook refused: ${why}`, { status: 401 });
  if (!headers.signature || !headers.timestamp || !taskId) throw refuse('missing signature');
  const seconds = Number(headers.timestamp);
  if (!Number.isFinite(seconds) || Math.abs(now.getTime() / 1000 - seconds) > MAX_SKEW_SECONDS)
    throw refuse('stale timestamp');
  const expected = Buffer.from(signKieCallback(key, taskId, headers.timestamp));
  const given = Buffer.from(headers.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw refuse('bad signature');
}
