import { GrammyError, InputFile, type Context } from 'grammy';
import type { InlineKeyboardMarkup, InputMediaPhoto, ReplyParameters } from 'grammy/types';
import { jobActionId, jobButtonLabel } from '../shared/job-actions.js';
import type { Refusal } from '../shared/refusals.js';
import type { JobCardSink, JobImage } from '../shared/imagine.handler.js';
import type { JobCard } from '../shared/job-card.js';

/** Who asked, as a group's card shows it; private chats need no name (undefined). */
export function telegramRequester(ctx: Context): string | undefined {
  const from = ctx.from;
  if (!from || ctx.chat?.type === 'private') return undefined;
  return from.username ? `@${from.username}` : [from.first_name, from.last_name].filter(Boolean).join(' ');
}

/** Telegram allows 1024 characters in a caption and 2–10 items in a media group. */
const CAPTION_LIMIT = 1024;
const MEDIA_GROUP_MAX = 10;

/**
 * Keeps one job card message per job: posted as a reply to the command, edited in place,
 * then the photos are sent as replies to the command and the card gets its final text.
 */
export class TelegramJobCardSink implements JobCardSink {
  private cardMessageId: number | undefined;
  /** The media went out; a final state re-sent after a flood wait only edits the card. */
  private mediaSent = false;
  readonly place: string;

  constructor(
    private readonly ctx: Context,
    private readonly prompt: string,
  ) {
    this.place = `telegram:${ctx.chat?.id ?? 'unknown'}`;
  }

  update(card: JobCard): Promise<void> {
    return this.show(card);
  }

  /** Resolves with the messages sent (each photo or video, then the card), for the chat's budget. */
  async complete(card: JobCard, images: JobImage[]): Promise<number> {
    if (this.cardMessageId === undefined && !this.mediaSent && (await this.sendPhotoAsCard(card, images)))
      return 1;
    let sent = 0;
    if (!this.mediaSent) sent += await this.sendMedia(images);
    this.mediaSent = true;
    await this.show(card);
    return sent + 1;
  }

  /**
   * A job that finished before its card's first turn (a busy group) is shown as one photo whose
   * caption is the final card, with its buttons: one message where a card and a photo would be
   * two, and Telegram allows ~20 a minute in a group. Only in groups (a private chat has no such
   * limit, and keeps the card apart from the photo) and for one image whose card fits a caption.
   */
  private async sendPhotoAsCard(card: JobCard, images: JobImage[]): Promise<boolean> {
    if (this.ctx.chat?.type === 'private') return false;
    const [image] = images;
    if (images.length !== 1 || image.contentType.startsWith('video/')) return false;
    if ([...card.text].length > CAPTION_LIMIT) return false;
    await this.ctx.replyWithPhoto(new InputFile(image.bytes, image.filename), {
      caption: card.text,
      reply_parameters: this.replyToCommand(),
      reply_markup: toKeyboard(card),
    });
    this.mediaSent = true;
    return true;
  }

  /** Sends the files as replies to the command; resolves with the number of messages posted. */
  private async sendMedia(images: JobImage[]): Promise<number> {
    const caption = truncate(`🎨 ${this.prompt}`, CAPTION_LIMIT);
    const reply_parameters = this.replyToCommand();
    const videos = images.filter((file) => file.contentType.startsWith('video/'));
    if (videos.length > 0) {
      for (const [i, video] of videos.entries()) {
        await this.ctx.replyWithVideo(new InputFile(video.bytes, video.filename), {
          ...(i === 0 ? { caption: truncate(`🎬 ${this.prompt}`, CAPTION_LIMIT) } : {}),
          supports_streaming: true,
          reply_parameters,
        });
      }
      return videos.length;
    } else if (images.length === 1) {
      const [image] = images;
      await this.ctx.replyWithPhoto(new InputFile(image.bytes, image.filename), {
        caption,
        reply_parameters,
      });
      return 1;
    } else {
      for (let i = 0; i < images.length; i += MEDIA_GROUP_MAX) {
        const chunk = images.slice(i, i + MEDIA_GROUP_MAX);
        const media: InputMediaPhoto[] = chunk.map((image, j) => ({
          type: 'photo',
          media: new InputFile(image.bytes, image.filename),
          ...(i === 0 && j === 0 ? { caption } : {}),
        }));
        // A group needs two items; a lone remainder goes as a plain photo.
        if (media.length === 1) {
          await this.ctx.replyWithPhoto(media[0].media, { reply_parameters });
        } else {
          await this.ctx.replyWithMediaGroup(media, { reply_parameters });
        }
      }
      // Telegram counts each item of a media group as a message.
      return images.length;
    }
  }

  /** "Sending a photo…" / "sending a video…" at the top of the chat while the job runs. */
  async showActivity(media: 'image' | 'video'): Promise<void> {
    const chatId = this.ctx.chat?.id;
    if (chatId === undefined) return;
    await this.ctx.api.sendChatAction(chatId, media === 'video' ? 'upload_video' : 'upload_photo');
  }

  fail(card: JobCard): Promise<void> {
    return this.show(card);
  }

  async reject(refusal: Refusal): Promise<void> {
    // Telegram has no private replies in groups: the answer is a reply to the member's own
    // command, and no card is posted.
    await this.ctx.reply(`❌ ${refusal.message}`, { reply_parameters: this.replyToCommand() });
  }

  private async show(card: JobCard): Promise<void> {
    const { text } = card;
    const reply_markup = toKeyboard(card);
    const chatId = this.ctx.chat?.id;
    if (this.cardMessageId !== undefined && chatId !== undefined) {
      try {
        await this.ctx.api.editMessageText(chatId, this.cardMessageId, text, { reply_markup });
        return;
      } catch (err) {
        // Coalesced updates can render identically (same progress bucket); Telegram rejects those.
        if (isBadRequest(err, 'message is not modified')) return;
        // Someone deleted the card: post a fresh one rather than going silent.
        if (!isBadRequest(err, 'message to edit not found')) throw err;
      }
    }
    const message = await this.ctx.reply(text, { reply_parameters: this.replyToCommand(), reply_markup });
    this.cardMessageId = message.message_id;
  }

  private replyToCommand(): ReplyParameters | undefined {
    const messageId = this.ctx.msg?.message_id;
    return messageId === undefined ? undefined : { message_id: messageId, allow_sending_without_reply: true };
  }
}

/** The card's buttons; an empty keyboard removes buttons that no longer apply. */
function toKeyboard(card: JobCard): InlineKeyboardMarkup {
  const { taskId } = card;
  if (!taskId) return { inline_keyboard: [] };
  const images = Math.max(0, ...card.actions.flat().map((b) => (b.imageIndex ?? -1) + 1));
  return {
    inline_keyboard: card.actions
      .map((row) =>
        row.map((button) => ({
          text: jobButtonLabel(button, images),
          callback_data: jobActionId(button, taskId),
        })),
      )
      .filter((row) => row.length > 0),
  };
}

export function isBadRequest(err: unknown, fragment: string): boolean {
  return err instanceof GrammyError && err.error_code === 400 && err.description.includes(fragment);
}

function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
