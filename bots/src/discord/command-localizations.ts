import type {
  APIApplicationCommandOption,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { COMMANDS_ZH, type LocalizedEntry } from '../shared/command-menu-zh.js';

/** Discord's locale for Simplified Chinese clients. */
export const CHINESE_LOCALE = 'zh-CN';

/**
 * A command definition with its Chinese name and description, and those of every option and
 * subcommand, as Discord shows them to members whose client language is zh-CN. Interactions still
 * arrive under the English names, so handlers do not change. Entries missing from the table are
 * left in English (the localization test lists them).
 */
export function withChinese(
  command: RESTPostAPIChatInputApplicationCommandsJSONBody,
): RESTPostAPIChatInputApplicationCommandsJSONBody {
  const entry = COMMANDS_ZH[command.name];
  if (!entry) return command;
  return {
    ...localized(command, entry),
    ...(command.options ? { options: command.options.map((o) => localizeOption(o, entry)) } : {}),
  };
}

function localizeOption(
  option: APIApplicationCommandOption,
  parent: LocalizedEntry,
): APIApplicationCommandOption {
  const entry = parent.options?.[option.name];
  if (!entry) return option;
  const nested = 'options' in option && option.options ? option.options : undefined;
  return {
    ...localized(option, entry),
    ...(nested
      ? { options: nested.map((o) => localizeOption(o as APIApplicationCommandOption, entry)) }
      : {}),
  } as APIApplicationCommandOption;
}

function localized<T extends { name_localizations?: unknown; description_localizations?: unknown }>(
  target: T,
  entry: LocalizedEntry,
): T {
  return {
    ...target,
    ...(entry.name ? { name_localizations: { [CHINESE_LOCALE]: entry.name } } : {}),
    description_localizations: { [CHINESE_LOCALE]: entry.description },
  };
}
