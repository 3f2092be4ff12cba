import { DreamloomApiError, type DreamloomClient, type PlatformUser } from './dreamloom-client.js';
import { priceLines } from './help.handler.js';
import { refusalFor } from './refusals.js';
import { shortId } from './short-id.js';

/** The video models members can quote (contract 001 ids). */
export const VIDEO_MODELS = [
  { id: 'wan/2.5', name: 'Wan 2.5' },
  { id: 'kling/video-v2.5', name: 'Kling 2.5' },
  { id: 'kling-3.0/video', name: 'Kling 3.0' },
  { id: 'sora-2', name: 'Sora-2' },
  { id: 'sora-2-pro', name: 'Sora-2 Pro' },
] as const;

export const QUOTE_USAGE =
  'Usage: /quote <model> [seconds] [720p|1080p|std|pro]\n' +
  `Models: ${VIDEO_MODELS.map((model) => model.id).join(', ')}\nExample: /quote wan/2.5 10 1080p`;

/** `/quote` without a model: the price list (images and every video model) and the usage. */
export async function priceListText(dreamloom: DreamloomClient, user: PlatformUser): Promise<string> {
  const prices = await priceLines(dreamloom, user);
  return [...(prices.length ? prices : ['The prices cannot be read right now.']), '', QUOTE_USAGE].join('\n');
}

/** What a user sees when the server refused: plain words from the refusal table; other errors propagate. */
function explainError(error: unknown): string {
  if (error instanceof DreamloomApiError && error.expose) return refusalFor(error).message;
  throw error;
}

/** `/balance`: the member's credits, their generations running and queued, and their limits. */
export async function balanceText(dreamloom: DreamloomClient, user: PlatformUser): Promise<string> {
  const { balance, jobs } = await dreamloom.getBalance(user);
  const lines = [`Your balance: ${balance} MC`];
  if (jobs) {
    const limit = jobs.limit === null ? '' : ` (limit ${jobs.limit} at once)`;
    lines.push(`Generations: ${jobs.running} running, ${jobs.queued} queued${limit}`);
    if (jobs.dailyQuota !== null)
      lines.push(`Today: ${jobs.dailyUsed} of ${jobs.dailyQuota} generations used`);
  }
  return lines.join('\n');
}

/** `/quote`: the price of a video generation, with the server's explanation; errors are the user's. */
export async function quoteText(
  dreamloom: DreamloomClient,
  user: PlatformUser,
  input: { modelId: string; durationSeconds?: number; variant?: string },
): Promise<string> {
  const variant = input.variant?.toLowerCase();
  const isMode = variant === 'std' || variant === 'pro';
  try {
    const quote = await dreamloom.quoteVideo(user, {
      modelId: input.modelId,
      durationSeconds: input.durationSeconds,
      ...(variant ? (isMode ? { mode: variant } : { resolution: variant }) : {}),
    });
    // The server's explanation already states the price ("…, 5 s: 210 MC"); print it once.
    return quote.explain.includes(`${quote.credits} MC`)
      ? quote.explain
      : `${quote.credits} MC — ${quote.explain}`;
  } catch (error) {
    return `Cannot quote that: ${explainError(error)}`;
  }
}

/** Parses `/quote <model> [seconds] [variant]` text (Telegram). */
export function parseQuoteArgs(
  text: string,
): { modelId: string; durationSeconds?: number; variant?: string } | null {
  const [modelId, ...rest] = text.trim().split(/\s+/).filter(Boolean);
  if (!modelId) return null;
  let durationSeconds: number | undefined;
  let variant: string | undefined;
  for (const part of rest) {
    const seconds = /^(\d{1,3})s?$/i.exec(part);
    if (seconds) durationSeconds = Number(seconds[1]);
    else variant = part;
  }
  return { modelId, durationSeconds, variant };
}

const STATUS_ICONS: Record<string, string> = {
  pending: '⏳',
  processing: '⚙️',
  completed: '✅',
  failed: '❌',
};

/** `/history`: the latest generations, one line each, with the short id `/show` takes. */
export async function historyText(dreamloom: DreamloomClient, user: PlatformUser): Promise<string> {
  const page = await dreamloom.getHistory(user, { limit: 5 });
  if (!page.entries.length) return 'No generations yet. Try /imagine.';
  const lines = page.entries.map((entry) => {
    const prompt = entry.prompt.length > 60 ? `${entry.prompt.slice(0, 59)}…` : entry.prompt;
    return `${STATUS_ICONS[entry.status] ?? ''} ${shortId(entry.taskId)} · ${entry.kind} · ${prompt}`;
  });
  return [`Your latest generations (${page.entries.length} of ${page.total}):`, ...lines].join('\n');
}
