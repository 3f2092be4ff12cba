import { MessageFlags, SlashCommandBuilder } from 'discord.js';
import type { PlatformUser } from '../../shared/dreamloom-client.js';
import { runVideo, VIDEO_DURATIONS, VIDEO_MODELS, VIDEO_RATIOS } from '../../shared/video.handler.js';
import type { DiscordCommand } from '../discord-command.js';
import { DiscordJobCardSink } from '../discord-job-card.sink.js';
import type { ImagineCommandDeps } from './imagine.command.js';

/** The `/video` definition; the deploy script registers it without needing a server connection. */
export const videoCommandData = new SlashCommandBuilder()
  .setName('video')
  .setDescription('Generate a short anime video from a prompt (and optionally first/last frames)')
  .addStringOption((o) =>
    o.setName('prompt').setDescription('What happens').setRequired(true).setMinLength(1).setMaxLength(1500),
  )
  .addStringOption((o) =>
    o
      .setName('model')
      .setDescription(`Video model (default ${VIDEO_MODELS[0]})`)
      .addChoices(...VIDEO_MODELS.map((m) => ({ name: m, value: m }))),
  )
  .addIntegerOption((o) =>
    o
      .setName('duration')
      .setDescription('Seconds (default 5)')
      .addChoices(...VIDEO_DURATIONS.map((d) => ({ name: `${d} s`, value: d }))),
  )
  .addStringOption((o) =>
    o
      .setName('ratio')
      .setDescription('Aspect ratio')
      .addChoices(...VIDEO_RATIOS.map((r) => ({ name: r, value: r }))),
  )
  .addAttachmentOption((o) => o.setName('first_frame').setDescription('Image to start from'))
  .addAttachmentOption((o) =>
    o.setName('last_frame').setDescription('Image to end on (needs a first frame)'),
  );

/** `/video prompt:<text> [model] [duration] [ratio] [first_frame] [last_frame]`: one job card, then the MP4. */
export function createVideoCommand(deps: ImagineCommandDeps): DiscordCommand {
  return {
    data: videoCommandData,
    async execute(interaction) {
      const prompt = interaction.options.getString('prompt', true).trim();
      const first = interaction.options.getAttachment('first_frame');
      const last = interaction.options.getAttachment('last_frame');
      const problem = !prompt
        ? 'Please describe the video.'
        : last && !first
          ? 'A last frame needs a first frame too.'
          : [first, last].some((a) => a && !a.contentType?.startsWith('image/'))
            ? 'Frames must be images.'
            : undefined;
      if (problem) {
        await interaction.reply({ content: problem, flags: MessageFlags.Ephemeral });
        return;
      }
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
      await runVideo(
        deps.imagine,
        {
          user,
          prompt,
          requestedBy: `<@${interaction.user.id}>`,
          modelId: interaction.options.getString('model') ?? undefined,
          durationSeconds: interaction.options.getInteger('duration') ?? undefined,
          aspectRatio: interaction.options.getString('ratio') ?? undefined,
          // Discord's CDN URLs are public (signed); the server fetches them itself.
          frameUrls: [first?.url, last?.url].filter((u): u is string => !!u),
        },
        sink,
      );
    },
  };
}
