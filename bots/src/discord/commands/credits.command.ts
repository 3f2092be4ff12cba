import { MessageFlags, SlashCommandBuilder } from 'discord.js';
import type { DreamloomClient, PlatformUser } from '../../shared/dreamloom-client.js';
import {
  VIDEO_MODELS,
  balanceText,
  historyText,
  priceListText,
  quoteText,
  showText,
} from '../../shared/credits.handler.js';
import { helpText } from '../../shared/help.handler.js';
import type { DiscordCommand } from '../discord-command.js';

export const balanceCommandData = new SlashCommandBuilder()
  .setName('balance')
  .setDescription('Your credits (MC) balance');

export const quoteCommandData = new SlashCommandBuilder()
  .setName('quote')
  .setDescription('What a video generation costs in MC')
  .addStringOption((o) =>
    o
      .setName('model')
      .setDescription('Video model; leave out for the price list')
      .setRequired(false)
      .addChoices(...VIDEO_MODELS.map((model) => ({ name: model.name, value: model.id }))),
  )
  .addIntegerOption((o) => o.setName('duration').setDescription('Seconds').setMinValue(1).setMaxValue(60))
  .addStringOption((o) =>
    o
      .setName('quality')
      .setDescription('Resolution (720p/1080p) or mode (std/pro), as the model takes')
      .addChoices(...['720p', '1080p', 'std', 'pro'].map((value) => ({ name: value, value }))),
  );

export const helpCommandData = new SlashCommandBuilder()
  .setName('help')
  .setDescription('Every command, the prices and how credits work');

export const historyCommandData = new SlashCommandBuilder()
  .setName('history')
  .setDescription('Your latest generations');

export const showCommandData = new SlashCommandBuilder()
  .setName('show')
  .setDescription('One generation: its state and files')
  .addStringOption((o) =>
    o.setName('id').setDescription('Generation id (see /history)').setRequired(true).setMaxLength(64),
  );

const userOf = (interaction: Parameters<DiscordCommand['execute']>[0]): PlatformUser => ({
  platform: 'discord',
  id: interaction.user.id,
  username: interaction.user.globalName ?? interaction.user.username,
});

/** `/balance`, `/quote`, `/history` and `/show`: private answers (ephemeral), nothing is charged. */
export function createCreditsCommands(deps: { dreamloom: DreamloomClient }): DiscordCommand[] {
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
      async execute(interaction) {
        await interaction.deferReply({ flags: MessageFlags.Ephemeral });
        const modelId = interaction.options.getString('model');
        if (!modelId) {
          await interaction.editReply({ content: await priceListText(deps.dreamloom, userOf(interaction)) });
          return;
        }
        const content = await quoteText(deps.dreamloom, userOf(interaction), {
          modelId,
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
    {
      data: showCommandData,
      async execute(interaction) {
        await interaction.deferReply({ flags: MessageFlags.Ephemeral });
        const content = await showText(
          deps.dreamloom,
          userOf(interaction),
          interaction.options.getString('id', true),
        );
        await interaction.editReply({ content });
      },
    },
  ];
}
