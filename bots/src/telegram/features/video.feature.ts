import { Composer, type Context } from 'grammy';
import {
  DreamloomApiError,
  type MediaFile,
  type PlatformUser,
  type VideoModelInfo,
} from '../../shared/dreamloom-client.js';
import type { ImagineDeps } from '../../shared/imagine.handler.js';
import { DEFAULT_VIDEO_MODEL, runVideo, VIDEO_MODELS } from '../../shared/video.handler.js';
import {
  defaultModelFirst,
  describeVideoModel,
  qualityField,
  VideoCatalogue,
} from '../../shared/video-catalogue.js';
import type { BackgroundRunner } from '../create-telegram-bot.js';
import { TelegramJobCardSink, telegramRequester } from '../telegram-job-card.sink.js';

export const videoCommand = { command: 'video', description: 'Generate a short anime video from a prompt' };

/**
 * How to use /video; with the server's catalogue, each model with the lengths, ratios and quality it
 * takes (so nothing suggested is refused), else the model ids alone.
 */
export function videoUsage(models?: VideoModelInfo[]): string {
  return [
    'Usage: /video <prompt> [--model <id>] [--duration <seconds>] [--ratio <w:h>] [--quality <720p|1080p|std|pro>]',
    'Send it as the caption of a photo to start from that frame.',
    ...(models?.length
      ? [
          'Models (the first is the default):',
          ...defaultModelFirst(models).map((m) => `• ${describeVideoModel(m)}`),
        ]
      : [`Models: ${VIDEO_MODELS.join(', ')}.`]),
    'Example: /video a fox running through snow --model wan/2.5 --duration 5 --ratio 16:9 --quality 1080p',
  ].join('\n');
}

/** The usage without a catalogue at hand. */
export const VIDEO_USAGE = videoUsage();

export interface ParsedVideoArgs {
  prompt: string;
  modelId?: string;
  durationSeconds?: number;
  aspectRatio?: string;
  /** Resolution or mode, whichever the model takes. */
  quality?: string;
}

/** `<prompt> [--model m] [--duration n] [--ratio w:h] [--quality q]` (flags anywhere; `--ar` is an alias of `--ratio`). */
export function parseVideoArgs(text: string): ParsedVideoArgs | { error: string } {
  const words: string[] = [];
  const out: Omit<ParsedVideoArgs, 'prompt'> = {};
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const flag = /^--(model|duration|ratio|ar|quality)$/.exec(token)?.[1];
    if (!flag) {
      words.push(token);
      continue;
    }
    const value = tokens[++i];
    if (value === undefined) return { error: `--${flag} needs a value.` };
    if (flag === 'model') out.modelId = value;
    else if (flag === 'quality') out.quality = value.toLowerCase();
    else if (flag === 'duration') {
      const seconds = Number(value.replace(/s$/i, ''));
      if (!Number.isInteger(seconds) || seconds <= 0) return { error: `--duration must be whole seconds.` };
      out.durationSeconds = seconds;
    } else out.aspectRatio = value;
  }
  return { prompt: words.join(' '), ...out };
}

export interface VideoFeatureDeps {
  imagine: ImagineDeps;
  runInBackground: BackgroundRunner;
  /** The server's video models (default: one read through `imagine.dreamloom`). */
  catalogue?: VideoCatalogue;
}

/**
 * `/video <prompt> [flags]` as a text message, or as the caption of a photo (the photo becomes
 * the first frame; the server downloads it from Telegram's file URL).
 */
export function createVideoFeature(deps: VideoFeatureDeps): Composer<Context> {
  const feature = new Composer<Context>();
  const catalogue = deps.catalogue ?? new VideoCatalogue(deps.imagine.dreamloom);

  const start = async (ctx: Context, args: string) => {
    const msg = ctx.msg;
    if (!msg || !ctx.from) return;
    const reply_parameters = { message_id: msg.message_id, allow_sending_without_reply: true };
    const user: PlatformUser = {
      platform: 'telegram',
      id: String(ctx.from.id),
      username: ctx.from.username ?? [ctx.from.first_name, ctx.from.last_name].filter(Boolean).join(' '),
    };
    const parsed = parseVideoArgs(args);
    if ('error' in parsed || !parsed.prompt) {
      const reason = 'error' in parsed ? `${parsed.error}\n` : '';
      const models = await catalogue.models(user).catch(() => undefined);
      await ctx.reply(`${reason}${videoUsage(models)}`, { reply_parameters });
      return;
    }
    const { quality, ...request } = parsed;
    const typedModel = request.modelId ?? DEFAULT_VIDEO_MODEL;
    const model = await catalogue.find(user, typedModel).catch(() => undefined);
    const photo = msg.photo;
    deps.runInBackground(ctx, async () => {
      const frameUrls: string[] = [];
      if (photo?.length) {
        // The largest size comes last. The Bot API file URL embeds the bot token, so the bot fetches
        // the photo itself and hands the server a copy (an upload), never that URL.
        const file = await ctx.api.getFile(photo[photo.length - 1].file_id);
        if (file.file_path) {
          let bytes: MediaFile;
          try {
            bytes = await deps.imagine.dreamloom.downloadMedia(telegramFileUrl(ctx, file.file_path));
          } catch {
            throw new DreamloomApiError(
              'FRAME_UNAVAILABLE',
              'The attached photo could not be read from Telegram',
              0,
            );
          }
          frameUrls.push((await deps.imagine.dreamloom.uploadImage(user, bytes)).url);
        }
      }
      return runVideo(
        deps.imagine,
        {
          user,
          ...request,
          modelId: model?.id ?? typedModel,
          modelName: model?.name,
          ...(quality ? { [qualityField(model, quality)]: quality } : {}),
          frameUrls,
          requestedBy: telegramRequester(ctx),
        },
        new TelegramJobCardSink(ctx, parsed.prompt),
      );
    });
  };

  feature.command(videoCommand.command, (ctx) => start(ctx, ctx.match));
  // grammY does not look for commands in captions: a photo captioned `/video …` is matched here.
  feature.on(':photo').hears(/^\/video(?:@(\w+))?(?:\s+([\s\S]*))?$/, async (ctx) => {
    const [, mention, args] = ctx.match;
    if (mention && mention.toLowerCase() !== ctx.me.username.toLowerCase()) return;
    await start(ctx, args ?? '');
  });

  return feature;
}

/** Bot API file download URL: `<apiRoot>/file/bot<token>/<file_path>`. */
function telegramFileUrl(ctx: Context, filePath: string): string {
  const apiRoot = ctx.api.options?.apiRoot ?? 'https://api.telegram.org';
  return `${apiRoot}/file/bot${ctx.api.token}/${filePath}`;
}
