import type { Api } from 'grammy';
import type { BotCommand } from 'grammy/types';
import { COMMANDS_ZH } from '../shared/command-menu-zh.js';
import { telegramCommands } from './create-telegram-bot.js';

/** The menu for Telegram apps set to Chinese: the same commands, Chinese descriptions. */
export function chineseTelegramCommands(commands: BotCommand[] = telegramCommands): BotCommand[] {
  return commands.map((c) => {
    const entry = COMMANDS_ZH[c.command];
    return { command: c.command, description: entry?.telegram ?? entry?.description ?? c.description };
  });
}

/**
 * Registers the command menu at start-up: English for everyone (no `language_code`), Chinese for
 * members whose Telegram app language is Chinese (`language_code: 'zh'`; Telegram picks the list by
 * the app's language, falling back to the default).
 */
export async function registerTelegramCommandMenus(api: Api, commands: BotCommand[] = telegramCommands) {
  await api.setMyCommands(commands);
  await api.setMyCommands(chineseTelegramCommands(commands), { language_code: 'zh' });
}
