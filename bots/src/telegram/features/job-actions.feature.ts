import { Composer, type Context } from 'grammy';
import type { PlatformUser } from '../../shared/dreamloom-client.js';
import type { ImagineDeps } from '../../shared/imagine.handler.js';
import {
  actionProgressText,
  cancelJob,
  parseJobActionId,
  runStartedGeneration,
  startGenerationAction,
} from '../../shared/job-actions.js';
import type { BackgroundRunner } from '../create-telegram-bot.js';
import { TelegramJobCardSink, telegramRequester } from '../telegram-job-card.sink.js';

export interface JobActionsFeatureDeps {
  imagine: ImagineDeps;
  runInBackground: BackgroundRunner;
}

/**
 * The job card's inline buttons: cancel (only the member's own running job; the card then ends
 * as cancelled by itself), and reroll, variation and upscale, which the server starts from the
 * generation's stored parameters for its owner; the new job gets its own card. Refusals are
 * shown as alerts, which only the presser sees.
 */
export function createJobActionsFeature(deps: JobActionsFeatureDeps): Composer<Context> {
  const feature = new Composer<Context>();

  feature.callbackQuery(/^dl:(cancel|reroll|variation|upscale):/, async (ctx) => {
    const parsed = parseJobActionId(ctx.callbackQuery.data);
    if (!parsed) return ctx.answerCallbackQuery();
    const from = ctx.callbackQuery.from;
    const user: PlatformUser = {
      platform: 'telegram',
      id: String(from.id),
      username: from.username ?? [from.first_name, from.last_name].filter(Boolean).join(' '),
    };
    if (parsed.action === 'cancel') {
      // The answer (an alert only the presser sees) says whether it went through and the refund.
      const answer = await cancelJob(deps.imagine, user, parsed.taskId);
      await ctx.answerCallbackQuery({ text: answer.text, show_alert: !answer.cancelled });
      return;
    }
    // Starting the job is one quick request, well within the callback query's answer window.
    const outcome = await startGenerationAction(deps.imagine, user, { ...parsed, action: parsed.action });
    if ('refused' in outcome) {
      await ctx.answerCallbackQuery({ text: outcome.refused.message, show_alert: true });
      return;
    }
    await ctx.answerCallbackQuery({ text: actionProgressText[parsed.action] });
    const { started } = outcome;
    deps.runInBackground(ctx, async () =>
      runStartedGeneration(deps.imagine, user, started, new TelegramJobCardSink(ctx, started.prompt), {
        press: parsed,
        requestedBy: telegramRequester(ctx),
      }),
    );
  });

  return feature;
}
