import { MessageFlags, SlashCommandBuilder } from 'discord.js';
import { MIN_SHORT_ID_LENGTH, SHORT_ID_LENGTH, shortId } from '../../shared/short-id.js';
import { showGeneration } from '../../shared/show.handler.js';
import type { DiscordCommand } from '../discord-command.js';
import { DiscordJobCardSink } from '../discord-job-card.sink.js';
import type { ImagineCommandDeps } from './imagine.command.js';

export const showCommandData = new SlashCommandBuilder()
  .setName('show')
  .setDescription('Bring back the card of one of your generations by its short id')
  .addStringOption((o) =>
    o
      .setName('id')
      .setDescription(
        `The short id on its card (${SHORT_ID_LENGTH} characters; ${MIN_SHORT_ID_LENGTH} will do)`,
      )
      .setRequired(true)
      .setMinLength(MIN_SHORT_ID_LENGTH)
      .setMaxLength(36),
  );

/**
 * `/show <short id>`: deferred privately, so an unknown or ambiguous id is the member's alone;
 * a found generation's card comes back as a public follow-up with its media and buttons.
 */
export function createShowCommand(deps: ImagineCommandDeps): DiscordCommand {
  return {
    data: showCommandData,
    async execute(interaction) {
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      const query = interaction.options.getString('id', true);
      await showGeneration(
        deps.imagine,
        {
          user: {
            platform: 'discord',
            id: interaction.user.id,
            username: interaction.user.globalName ?? interaction.user.username,
          },
          query,
          requestedBy: `<@${interaction.user.id}>`,
        },
        () =>
          new DiscordJobCardSink(interaction, {
            logger: deps.imagine.logger,
            startedText: `✅ Here is ${shortId(query.trim().toLowerCase())} again; its card is below.`,
          }),
      );
    },
  };
}
