import { Composer, type Context } from 'grammy';
import type { PlatformUser } from '../../shared/dreamloom-client.js';
import { runImagine, type ImagineDeps } from '../../shared/imagine.handler.js';
import { TelegramJobCardSink, telegramRequester } from '../telegram-job-card.sink.js';
import type { BackgroundRunner } from '../create-telegram-bot.js';

export const imagineCommand = { command: 'imagine', description: 'Generate an anime image from a prompt' };

export const IMAGINE_USAGE =
  'Usage: /imagine <prompt>\nExample: /imagine a girl reading under a cherry tree, soft light';

export interface ImagineFeatureDeps {
  imagine: ImagineDeps;
  /** Runs the job detached from the update, under the bot's error boundary. */
  runInBackground: BackgroundRunner;
}

/** `/imagine <prompt>`: one job card message edited in place, then the photo(s). */
export function createImagineFeature(deps: ImagineFeatureDeps): Composer<Context> {
  const feature = new Composer<Context>();

  feature.command(imagineCommand.command, async (ctx) => {
    const prompt = ctx.match.trim();
    if (!prompt) {
      await ctx.reply(IMAGINE_USAGE, {
        reply_parameters: { message_id: ctx.msg.message_id, allow_sending_without_reply: true },
      });
      return;
    }
    // Channel posts have no sender to bill; there is nobody to act for.
    if (!ctx.from) return;
    const user: PlatformUser = {
      platform: 'telegram',
      id: String(ctx.from.id),
      username: ctx.from.username ?? [ctx.from.first_name, ctx.from.last_name].filter(Boolean).join(' '),
    };
    // Jobs take minutes; awaiting here would hold up every later update (grammY handles
    // updates one at a time), so the job runs detached and the update completes now.
    deps.runInBackground(ctx, () =>
      runImagine(
        deps.imagine,
        { user, prompt, requestedBy: telegramRequester(ctx) },
        new TelegramJobCardSink(ctx, prompt),
      ),
    );
  });

  return feature;
}
