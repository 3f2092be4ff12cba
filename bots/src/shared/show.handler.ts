import { DreamloomApiError, type GenerationMatch, type PlatformUser } from './dreamloom-client.js';
import { runJob, type ImagineDeps, type ImagineOutcome, type JobCardSink } from './imagine.handler.js';
import { refusalFor, type Refusal } from './refusals.js';
import { MIN_SHORT_ID_LENGTH, SHORT_ID_LENGTH, parseGenerationRef } from './short-id.js';

export const SHOW_USAGE = `Usage: /show <id> — the short id on a card (${SHORT_ID_LENGTH} characters; at least ${MIN_SHORT_ID_LENGTH} will do), or see /history`;

/** How many of several matches an ambiguous short id lists. */
const LISTED_MATCHES = 5;

export interface ShowRequest {
  user: PlatformUser;
  /** What the member typed after /show. */
  query: string;
  /** Who asked, as the card shows it (groups, Discord). */
  requestedBy?: string;
}

/**
 * `/show <short id>`: finds the generation among the member's OWN (the server looks only there:
 * another member's short id finds nothing), then brings its card back as it was — the media,
 * the state and the buttons (reroll, variation, upscale; cancel while it runs, and a running
 * one is followed to its end). Unknown and ambiguous ids are answered to the member alone.
 */
export async function showGeneration(
  deps: ImagineDeps,
  request: ShowRequest,
  /** The card's place, made once the generation's prompt is known ('' for a refusal). */
  sinkFor: (prompt: string) => JobCardSink,
): Promise<ImagineOutcome | { status: 'refused'; refusal: Refusal }> {
  const refuse = async (refusal: Refusal) => {
    await sinkFor('').reject(refusal);
    return { status: 'refused' as const, refusal };
  };
  const ref = parseGenerationRef(request.query);
  if (!ref) return refuse({ code: 'USAGE', message: SHOW_USAGE });
  let matches: GenerationMatch[];
  try {
    matches = await deps.dreamloom.findGenerations(request.user, ref);
  } catch (err) {
    if (!(err instanceof DreamloomApiError && err.expose)) deps.logger.error('find failed', { error: err });
    return refuse(refusalFor(err));
  }
  const exact = matches.find((match) => match.taskId === ref);
  if (!exact && matches.length === 0)
    return refuse({
      code: 'GENERATION_NOT_FOUND',
      message: `None of your generations has an id starting with ${ref}. /history lists yours with their ids.`,
    });
  if (!exact && matches.length > 1) return refuse({ code: 'AMBIGUOUS_ID', message: ambiguity(ref, matches) });
  const match = exact ?? matches[0];
  return runJob(
    deps,
    {
      user: request.user,
      prompt: match.prompt,
      context: { requestedBy: request.requestedBy },
      create: (user) => deps.dreamloom.getTaskStatus(user, match.taskId),
    },
    sinkFor(match.prompt),
  );
}

/** "1a2b3c matches 2 of your generations; type more of the id: …", with ids long enough to tell apart. */
function ambiguity(ref: string, matches: GenerationMatch[]): string {
  const length = Math.max(SHORT_ID_LENGTH, distinguishingLength(matches.map((m) => m.taskId)));
  const lines = matches.slice(0, LISTED_MATCHES).map((match) => {
    const prompt = match.prompt.length > 50 ? `${match.prompt.slice(0, 49)}…` : match.prompt;
    return `• ${match.taskId.slice(0, length)} · ${match.kind} · ${prompt}`;
  });
  const more = matches.length > LISTED_MATCHES ? [`…and ${matches.length - LISTED_MATCHES} more.`] : [];
  return [
    `${ref} matches ${matches.length} of your generations; type more of the id:`,
    ...lines,
    ...more,
  ].join('\n');
}

/** The shortest beginning length at which no two of the ids are equal. */
function distinguishingLength(ids: string[]): number {
  for (let length = SHORT_ID_LENGTH; length < 36; length++) {
    if (new Set(ids.map((id) => id.slice(0, length))).size === ids.length) return length;
  }
  return 36;
}
