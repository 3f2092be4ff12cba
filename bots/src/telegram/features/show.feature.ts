import { Composer, type Context } from 'grammy';
import type { PlatformUser } from '../../shared/dreamloom-client.js';
import type { ImagineDeps } from '../../shared/imagine.handler.js';
import { showGeneration } from '../../shared/show.handler.js';
import type { BackgroundRunner } from '../create-telegram-bot.js';
import { TelegramJobCardSink, telegramRequester } from '../telegram-job-card.sink.js';

export const showCommand = { command: 'show', description: 'Bring back a card by its short id' };

export interface ShowFeatureDeps {
  imagine: ImagineDeps;
  runInBackground: BackgroundRunner;
}

/**
 * `/show <short id>`: the card of one of the member's own generations again, as a reply to the
 * command — its photos or video, then the card with its buttons (a running one is followed).
 * Unknown or ambiguous ids are answered as a reply to the member's command, with no card.
 */
export function createShowFeature(deps: ShowFeatureDeps): Composer<Context> {
  const feature = new Composer<Context>();
  feature.command(showCommand.command, async (ctx) => {
    if (!ctx.from) return;
    const user: PlatformUser = {
      platform: 'telegram',
      id: String(ctx.from.id),
      username: ctx.from.username ?? [ctx.from.first_name, ctx.from.last_name].filter(Boolean).join(' '),
    };
    // Downloading the media takes a moment; grammY handles updates one at a time.
    deps.runInBackground(ctx, () =>
      showGeneration(
        deps.imagine,
        { user, query: ctx.match, requestedBy: telegramRequester(ctx) },
        (prompt) => new TelegramJobCardSink(ctx, prompt),
      ),
    );
  });
  return feature;
}
