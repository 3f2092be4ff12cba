import { Composer, type Context } from 'grammy';
import type { DreamloomClient, PlatformUser } from '../../shared/dreamloom-client.js';
import {
  balanceText,
  priceListText,
  historyText,
  parseQuoteArgs,
  quoteText,
} from '../../shared/credits.handler.js';

export const creditsCommands = [
  { command: 'balance', description: 'Your credits (MC) balance' },
  { command: 'quote', description: 'What a video generation costs' },
  { command: 'history', description: 'Your latest generations' },
];

/** `/balance` and `/quote <model> [seconds] [quality]`: answered as replies; nothing is charged. */
export function createCreditsFeature(deps: { dreamloom: DreamloomClient }): Composer<Context> {
  const feature = new Composer<Context>();
  const userOf = (ctx: Context): PlatformUser | null =>
    ctx.from
      ? {
          platform: 'telegram',
          id: String(ctx.from.id),
          username: ctx.from.username ?? [ctx.from.first_name, ctx.from.last_name].filter(Boolean).join(' '),
        }
      : null;
  const reply = (ctx: Context, text: string) =>
    ctx.reply(text, {
      reply_parameters: { message_id: ctx.msg!.message_id, allow_sending_without_reply: true },
    });

  feature.command('balance', async (ctx) => {
    const user = userOf(ctx);
    if (!user) return;
    await reply(ctx, await balanceText(deps.dreamloom, user));
  });
  feature.command('quote', async (ctx) => {
    const user = userOf(ctx);
    if (!user) return;
    const args = parseQuoteArgs(ctx.match);
    if (!args) {
      await reply(ctx, await priceListText(deps.dreamloom, user));
      return;
    }
    await reply(ctx, await quoteText(deps.dreamloom, user, args));
  });
  feature.command('history', async (ctx) => {
    const user = userOf(ctx);
    if (!user) return;
    await reply(ctx, await historyText(deps.dreamloom, user));
  });
  return feature;
}
