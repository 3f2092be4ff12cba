import type {
  AutocompleteInteraction,
  ChatInputCommandInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';

/** Anything that serialises to a slash command definition (SlashCommandBuilder and its option-added forms). */
export interface CommandData {
  readonly name: string;
  toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody;
}

/** A slash command as the discord.js guide shapes it: its definition and its handler. */
export interface DiscordCommand {
  data: CommandData;
  execute(interaction: ChatInputCommandInteraction): Promise<void>;
  /** Suggestions while the member types an option declared with `setAutocomplete(true)`. */
  autocomplete?(interaction: AutocompleteInteraction): Promise<void>;
}
