import { MessageFlags, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { PlatformUser } from '../../shared/dreamloom-client.js';
import { runImagine, type ImagineDeps } from '../../shared/imagine.handler.js';
import type { DiscordCommand } from '../discord-command.js';
import { DiscordJobCardSink } from '../discord-job-card.sink.js';

/** The server's image ratios (contract 000's, 21:9 included). */
export const ASPECT_RATIOS = ['1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3', '21:9'] as const;

/** The `/imagine` definition; the deploy script registers it without needing a server connection. */
export const imagineCommandData = new SlashCommandBuilder()
  .setName('imagine')
  .setDescription('Generate anime images from a prompt')
  .addStringOption((o) =>
    o.setName('prompt').setDescription('What to draw').setRequired(true).setMinLength(1).setMaxLength(1500),
  )
  .addStringOption((o) =>
    o
      .setName('ratio')
      .setDescription('Aspect ratio (default 1:1)')
      .addChoices(...ASPECT_RATIOS.map((r) => ({ name: r, value: r }))),
  )
  .addIntegerOption((o) =>
    o.setName('count').setDescription('How many images (default 1)').setMinValue(1).setMaxValue(4),
  );

export interface ImagineCommandDeps {
  imagine: ImagineDeps;
  /** Seam for long jobs: when the card stops using the interaction token. */
  tokenDeadline?: (interaction: ChatInputCommandInteraction) => number;
}

/** `/imagine prompt:<text> [ratio] [count]`: defer at once, then one job card edited in place. */
export function createImagineCommand(deps: ImagineCommandDeps): DiscordCommand {
  return {
    data: imagineCommandData,
    async execute(interaction) {
      const prompt = interaction.options.getString('prompt', true).trim();
      if (!prompt) {
        await interaction.reply({ content: 'Please describe what to draw.', flags: MessageFlags.Ephemeral });
        return;
      }
      // Discord drops the interaction unless it is answered within 3 s; creating the task
      // can take longer, so acknowledge first.
      // Privately: a refusal (limits, credits, bad input) then stays the member's alone; the
      // public card follows once the server accepted the job (see DiscordJobCardSink).
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      const user: PlatformUser = {
        platform: 'discord',
        id: interaction.user.id,
        username: interaction.user.globalName ?? interaction.user.username,
      };
      const sink = new DiscordJobCardSink(interaction, {
        logger: deps.imagine.logger,
        tokenDeadline: deps.tokenDeadline?.(interaction),
      });
      await runImagine(
        deps.imagine,
        {
          user,
          prompt,
          // The card is a follow-up, which carries no "used /imagine" header: the card says who.
          requestedBy: `<@${interaction.user.id}>`,
          aspectRatio: interaction.options.getString('ratio') ?? undefined,
          batchSize: interaction.options.getInteger('count') ?? undefined,
        },
        sink,
      );
    },
  };
}
