import { Composer, type Context } from 'grammy';
import { DreamloomApiError, type MediaFile, type PlatformUser } from '../../shared/dreamloom-client.js';
import type { ImagineDeps } from '../../shared/imagine.handler.js';
import { runVideo, VIDEO_DURATIONS, VIDEO_MODELS, VIDEO_RATIOS } from '../../shared/video.handler.js';
import type { BackgroundRunner } from '../create-telegram-bot.js';
import { TelegramJobCardSink, telegramRequester } from '../telegram-job-card.sink.js';

export const videoCommand = { command: 'video', description: 'Generate a short anime video from a prompt' };

export const VIDEO_USAGE = [
  'Usage: /video <prompt> [--model <id>] [--duration <seconds>] [--ratio <w:h>]',
  'Send it as the caption of a photo to start from that frame.',
  `Models: ${VIDEO_MODELS.join(', ')}; durations: ${VIDEO_DURATIONS.join(', ')} s; ratios: ${VIDEO_RATIOS.join(', ')}.`,
  'Example: /video a fox running through snow --duration 5 --ratio 16:9',
].join('\n');

export interface ParsedVideoArgs {
  prompt: string;
  modelId?: string;
  durationSeconds?: number;
  aspectRatio?: string;
}

/** `<prompt> [--model m] [--duration n] [--ratio w:h]` (flags anywhere; `--ar` is an alias of `--ratio`). */
export function parseVideoArgs(text: string): ParsedVideoArgs | { error: string } {
  const words: string[] = [];
  const out: Omit<ParsedVideoArgs, 'prompt'> = {};
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const flag = /^--(model|duration|ratio|ar)$/.exec(token)?.[1];
    if (!flag) {
      words.push(token);
      continue;
    }
    const value = tokens[++i];
    if (value === undefined) return { error: `--${flag} needs a value.` };
    if (flag === 'model') out.modelId = value;
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
}

/**
 * `/video <prompt> [flags]` as a text message, or as the caption of a photo (the photo becomes
 * the first frame; the server downloads it from Telegram's file URL).
 */
export function createVideoFeature(deps: VideoFeatureDeps): Composer<Context> {
  const feature = new Composer<Context>();

  const start = async (ctx: Context, args: string) => {
    const msg = ctx.msg;
    if (!msg) return;
    const reply_parameters = { message_id: msg.message_id, allow_sending_without_reply: true };
    const parsed = parseVideoArgs(args);
    if ('error' in parsed || !parsed.prompt) {
      const reason = 'error' in parsed ? `${parsed.error}\n` : '';
      await ctx.reply(`${reason}${VIDEO_USAGE}`, { reply_parameters });
      return;
    }
    if (!ctx.from) return;
    const user: PlatformUser = {
      platform: 'telegram',
      id: String(ctx.from.id),
      username: ctx.from.username ?? [ctx.from.first_name, ctx.from.last_name].filter(Boolean).join(' '),
    };
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
        { user, ...parsed, frameUrls, requestedBy: telegramRequester(ctx) },
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
