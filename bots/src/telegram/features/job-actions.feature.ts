import { Composer, type Context } from 'grammy';
import type { PlatformUser } from '../../shared/dreamloom-client.js';
import type { ImagineDeps } from '../../shared/imagine.handler.js';
import { cancelJob, parseJobActionId, REROLL_FORGOTTEN, rerollJob } from '../../shared/job-actions.js';
import type { BackgroundRunner } from '../create-telegram-bot.js';
import { TelegramJobCardSink } from '../telegram-job-card.sink.js';

export interface JobActionsFeatureDeps {
  imagine: ImagineDeps;
  runInBackground: BackgroundRunner;
}

/**
 * The job card's inline buttons: cancel (only the member's own running job; the card then ends
 * as cancelled by itself) and reroll (a new card with the same parameters, paid by the presser).
 * Refusals are shown as alerts, which only the presser sees.
 */
export function createJobActionsFeature(deps: JobActionsFeatureDeps): Composer<Context> {
  const feature = new Composer<Context>();

  feature.callbackQuery(/^dl:(cancel|reroll):/, async (ctx) => {
    const parsed = parseJobActionId(ctx.callbackQuery.data);
    if (!parsed) return ctx.answerCallbackQuery();
    const from = ctx.callbackQuery.from;
    const user: PlatformUser = {
      platform: 'telegram',
      id: String(from.id),
      username: from.username ?? [from.first_name, from.last_name].filter(Boolean).join(' '),
    };
    if (parsed.action === 'cancel') {
      const refused = await cancelJob(deps.imagine, user, parsed.taskId);
      await ctx.answerCallbackQuery(refused ? { text: refused, show_alert: true } : { text: 'Cancelling…' });
      return;
    }
    if (!deps.imagine.recentJobs?.recipe(parsed.taskId)) {
      await ctx.answerCallbackQuery({ text: REROLL_FORGOTTEN, show_alert: true });
      return;
    }
    await ctx.answerCallbackQuery({ text: 'Rerolling…' });
    deps.runInBackground(ctx, async () =>
      rerollJob(deps.imagine, user, parsed.taskId, (prompt) => new TelegramJobCardSink(ctx, prompt)),
    );
  });

  return feature;
}
