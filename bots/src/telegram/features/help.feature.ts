import { Composer, type Context } from 'grammy';
import { IMAGINE_USAGE } from './imagine.feature.js';

export const helpCommands = [
  { command: 'start', description: 'What this bot does' },
  { command: 'help', description: 'How to use the bot' },
];

/** `/start` and `/help`: what the bot can do. */
export function createHelpFeature(): Composer<Context> {
  const feature = new Composer<Context>();
  feature.command(['start', 'help'], (ctx) =>
    ctx.reply(`Dreamloom generates anime images from your prompts.\n\n${IMAGINE_USAGE}`),
  );
  return feature;
}
