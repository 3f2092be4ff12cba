import { Composer, type Context } from 'grammy';
import type { DreamloomClient } from '../../shared/dreamloom-client.js';
import { helpText } from '../../shared/help.handler.js';
import { IMAGINE_USAGE } from './imagine.feature.js';
import { VideoCatalogue } from '../../shared/video-catalogue.js';
import { videoUsage } from './video.feature.js';

export const helpCommands = [
  { command: 'start', description: 'What this bot does' },
  { command: 'help', description: 'Every command, the prices and how credits work' },
];

/** `/start` and `/help`: every command, the prices, how credits work, then the usage of the two generators. */
export function createHelpFeature(deps: {
  dreamloom: DreamloomClient;
  catalogue?: VideoCatalogue;
}): Composer<Context> {
  const feature = new Composer<Context>();
  const catalogue = deps.catalogue ?? new VideoCatalogue(deps.dreamloom);
  feature.command(['start', 'help'], async (ctx) => {
    if (!ctx.from) return;
    const user = {
      platform: 'telegram' as const,
      id: String(ctx.from.id),
      username: ctx.from.username ?? [ctx.from.first_name, ctx.from.last_name].filter(Boolean).join(' '),
    };
    const [overview, models] = await Promise.all([
      helpText(deps.dreamloom, user),
      catalogue.models(user).catch(() => undefined),
    ]);
    await ctx.reply(`${overview}\n\n${IMAGINE_USAGE}\n\n${videoUsage(models)}`);
  });
  return feature;
}
