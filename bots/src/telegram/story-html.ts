import type { InlineKeyboardMarkup } from 'grammy/types';
import type { SwipeControls } from '../shared/story.handler.js';

/**
 * Character messages go out in Telegram's HTML parse mode: everything the model wrote is escaped
 * (a stray `<` or `&` would make Telegram refuse the whole message), then its roleplay markup
 * becomes formatting: `*waves*` italic (actions), `**loud**` bold. Unpaired asterisks stay as
 * written, so a reply still streaming shows `*wav` until the closing one arrives.
 */
export function storyHtml(text: string): string {
  return escapeHtml(text)
    .replace(/\*\*(?=\S)([^*\n]*?\S)\*\*/g, '<b>$1</b>')
    .replace(/\*(?=\S)([^*\n]*?\S)\*/g, '<i>$1</i>');
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Telegram counts 4096 characters of visible text; the model's text is cut before formatting. */
const BODY_LIMIT = 3900;

/** A character's message: who speaks (one bot speaks for all), then the formatted text. */
export function characterText(name: string, text: string): string {
  const chars = [...text];
  const body = chars.length > BODY_LIMIT ? `${chars.slice(0, BODY_LIMIT - 1).join('')}…` : text;
  return `🎭 ${escapeHtml(name)}\n${storyHtml(body)}`;
}

/** Callback data of a ◀ ▶ press: `st:sw:<reply id>:<version>`, well within Telegram's 64 bytes. */
export function swipeData(messageId: string, index: number): string {
  return `st:sw:${messageId}:${index}`;
}

export function parseSwipeData(data: string): { messageId: string; index: number } | undefined {
  const match = /^st:sw:([A-Za-z0-9_-]{1,40}):(\d{1,4})$/.exec(data);
  return match ? { messageId: match[1], index: Number(match[2]) } : undefined;
}

/** ◀ 2/3 ▶ under a regenerated reply (arrows only where there is a version to go to); none otherwise. */
export function swipeKeyboard(controls: SwipeControls | undefined): InlineKeyboardMarkup {
  if (!controls || controls.count < 2) return { inline_keyboard: [] };
  const { messageId, index, count } = controls;
  return {
    inline_keyboard: [
      [
        ...(index > 0 ? [{ text: '◀', callback_data: swipeData(messageId, index - 1) }] : []),
        { text: `${index + 1}/${count}`, callback_data: swipeData(messageId, index) },
        ...(index < count - 1 ? [{ text: '▶', callback_data: swipeData(messageId, index + 1) }] : []),
      ],
    ],
  };
}
