import { MessageFlags, SlashCommandBuilder } from 'discord.js';
import type { PlatformUser } from '../../shared/dreamloom-client.js';
import { DEFAULT_VIDEO_MODEL, runVideo } from '../../shared/video.handler.js';
import { qualityField, VideoCatalogue } from '../../shared/video-catalogue.js';
import type { DiscordCommand } from '../discord-command.js';
import { DiscordJobCardSink } from '../discord-job-card.sink.js';
import { suggestVideoOptions } from '../video-option-suggestions.js';
import type { ImagineCommandDeps } from './imagine.command.js';

/** The `/video` definition; the deploy script registers it without needing a server connection. */
export const videoCommandData = new SlashCommandBuilder()
  .setName('video')
  .setDescription('Generate a short anime video from a prompt (and optionally first/last frames)')
  .addStringOption((o) =>
    o.setName('prompt').setDescription('What happens').setRequired(true).setMinLength(1).setMaxLength(1500),
  )
  // Suggested from the server's catalogue, each narrowed to what the chosen model takes.
  .addStringOption((o) =>
    o
      .setName('model')
      .setDescription('Video model (default Kling 2.5)')
      .setAutocomplete(true)
      .setMaxLength(64),
  )
  .addIntegerOption((o) =>
    o.setName('duration').setDescription("Seconds (the model's shortest by default)").setAutocomplete(true),
  )
  .addStringOption((o) =>
    o.setName('ratio').setDescription('Aspect ratio').setAutocomplete(true).setMaxLength(16),
  )
  .addStringOption((o) =>
    o
      .setName('quality')
      .setDescription('Resolution (720p/1080p) or mode (std/pro), as the model takes')
      .setAutocomplete(true)
      .setMaxLength(16),
  )
  .addAttachmentOption((o) => o.setName('first_frame').setDescription('Image to start from'))
  .addAttachmentOption((o) =>
    o.setName('last_frame').setDescription('Image to end on (needs a first frame)'),
  );

/** `/video prompt:<text> [model] [duration] [ratio] [first_frame] [last_frame]`: one job card, then the MP4. */
export function createVideoCommand(
  deps: ImagineCommandDeps & { catalogue?: VideoCatalogue },
): DiscordCommand {
  const catalogue = deps.catalogue ?? new VideoCatalogue(deps.imagine.dreamloom);
  return {
    data: videoCommandData,
    autocomplete: (interaction) =>
      suggestVideoOptions(
        interaction,
        { catalogue, logger: deps.imagine.logger },
        { defaultModelId: DEFAULT_VIDEO_MODEL },
      ),
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
      // A model picked from the suggestions arrives as its id; one typed by hand may be its name.
      const typedModel = interaction.options.getString('model') ?? DEFAULT_VIDEO_MODEL;
      const model = await catalogue.find(user, typedModel).catch(() => undefined);
      const frameUrls = [first?.url, last?.url].filter((u): u is string => !!u);
      if (model && frameUrls.length > model.maxReferenceImages) {
        // Said before anything is charged, and with the models that do take both frames.
        const both = (await catalogue.models(user))
          .filter((m) => m.maxReferenceImages >= frameUrls.length)
          .map((m) => m.name);
        await sink.reject({
          code: 'VALIDATION_ERROR',
          message:
            model.maxReferenceImages === 0
              ? `${model.name} does not start from images; leave the frames out.`
              : `${model.name} starts from a first frame only; leave the last frame out${both.length ? `, or choose ${both.join(' or ')}` : ''}.`,
        });
        return;
      }
      const quality = interaction.options.getString('quality') ?? undefined;
      await runVideo(
        deps.imagine,
        {
          user,
          prompt,
          requestedBy: `<@${interaction.user.id}>`,
          modelId: model?.id ?? typedModel,
          modelName: model?.name,
          durationSeconds: interaction.options.getInteger('duration') ?? undefined,
          aspectRatio: interaction.options.getString('ratio') ?? undefined,
          ...(quality ? { [qualityField(model, quality)]: quality } : {}),
          // Discord's CDN URLs are public (signed); the server fetches them itself.
          frameUrls,
        },
        sink,
      );
    },
  };
}
