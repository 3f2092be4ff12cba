import { Composer, type Context } from 'grammy';
import { IMAGINE_USAGE } from './imagine.feature.js';
import { VIDEO_USAGE } from './video.feature.js';

export const helpCommands = [
  { command: 'start', description: 'What this bot does' },
  { command: 'help', description: 'How to use the bot' },
];

/** `/start` and `/help`: what the bot can do. */
export function createHelpFeature(): Composer<Context> {
  const feature = new Composer<Context>();
  feature.command(['start', 'help'], (ctx) =>
    ctx.reply(
      `Dreamloom generates anime images and videos from your prompts.\n\n${IMAGINE_USAGE}\n\n${VIDEO_USAGE}`,
    ),
  );
  return feature;
}
