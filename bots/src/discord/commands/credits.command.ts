import { MessageFlags, SlashCommandBuilder } from 'discord.js';
import type { DreamloomClient, PlatformUser } from '../../shared/dreamloom-client.js';
import { balanceText, historyText, priceListText, quoteText } from '../../shared/credits.handler.js';
import { helpText } from '../../shared/help.handler.js';
import { VideoCatalogue } from '../../shared/video-catalogue.js';
import type { Logger } from '../../shared/logger.js';
import type { DiscordCommand } from '../discord-command.js';
import { suggestVideoOptions } from '../video-option-suggestions.js';

export const balanceCommandData = new SlashCommandBuilder()
  .setName('balance')
  .setDescription('Your credits (MC) balance');

export const quoteCommandData = new SlashCommandBuilder()
  .setName('quote')
  .setDescription('What a video generation costs in MC')
  // Suggested from the server's catalogue: durations and qualities are the chosen model's own.
  .addStringOption((o) =>
    o
      .setName('model')
      .setDescription('Video model; leave out for the price list')
      .setRequired(false)
      .setAutocomplete(true)
      .setMaxLength(64),
  )
  .addIntegerOption((o) => o.setName('duration').setDescription('Seconds').setAutocomplete(true))
  .addStringOption((o) =>
    o
      .setName('quality')
      .setDescription('Resolution (720p/1080p) or mode (std/pro), as the model takes')
      .setAutocomplete(true)
      .setMaxLength(16),
  );

export const helpCommandData = new SlashCommandBuilder()
  .setName('help')
  .setDescription('Every command, the prices and how credits work');

export const historyCommandData = new SlashCommandBuilder()
  .setName('history')
  .setDescription('Your latest generations');

const userOf = (interaction: Parameters<DiscordCommand['execute']>[0]): PlatformUser => ({
  platform: 'discord',
  id: interaction.user.id,
  username: interaction.user.globalName ?? interaction.user.username,
});

/** `/balance`, `/quote` and `/history`: private answers (ephemeral), nothing is charged. */
export function createCreditsCommands(deps: {
  dreamloom: DreamloomClient;
  logger: Logger;
  catalogue?: VideoCatalogue;
}): DiscordCommand[] {
  const catalogue = deps.catalogue ?? new VideoCatalogue(deps.dreamloom);
  return [
    {
      data: helpCommandData,
      async execute(interaction) {
        await interaction.deferReply({ flags: MessageFlags.Ephemeral });
        await interaction.editReply({ content: await helpText(deps.dreamloom, userOf(interaction)) });
      },
    },
    {
      data: balanceCommandData,
      async execute(interaction) {
        await interaction.deferReply({ flags: MessageFlags.Ephemeral });
        await interaction.editReply({ content: await balanceText(deps.dreamloom, userOf(interaction)) });
      },
    },
    {
      data: quoteCommandData,
      autocomplete: (interaction) => suggestVideoOptions(interaction, { catalogue, logger: deps.logger }),
      async execute(interaction) {
        await interaction.deferReply({ flags: MessageFlags.Ephemeral });
        const typedModel = interaction.options.getString('model');
        if (!typedModel) {
          await interaction.editReply({ content: await priceListText(deps.dreamloom, userOf(interaction)) });
          return;
        }
        // A model picked from the suggestions arrives as its id; one typed by hand may be its name.
        const model = await catalogue.find(userOf(interaction), typedModel).catch(() => undefined);
        const content = await quoteText(deps.dreamloom, userOf(interaction), {
          modelId: model?.id ?? typedModel,
          durationSeconds: interaction.options.getInteger('duration') ?? undefined,
          variant: interaction.options.getString('quality') ?? undefined,
        });
        await interaction.editReply({ content });
      },
    },
    {
      data: historyCommandData,
      async execute(interaction) {
        await interaction.deferReply({ flags: MessageFlags.Ephemeral });
        await interaction.editReply({ content: await historyText(deps.dreamloom, userOf(interaction)) });
      },
    },
  ];
}
