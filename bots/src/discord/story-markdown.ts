import { escapeMarkdown } from 'discord.js';
import type { SwipeControls } from '../shared/story.handler.js';

/** Discord allows 2000 characters per message. */
const MESSAGE_LIMIT = 2000;

/**
 * A character's text as Discord markdown: `*actions*` and `**emphasis**` are already what the
 * model means, so they stay; everything else that could restyle or break the message (code
 * fences, underscores, spoilers, headings, masked links, lists) is escaped. Mentions cannot ping:
 * every story message is sent with `allowed_mentions: { parse: [] }`.
 */
export function storyMarkdown(text: string): string {
  return escapeMarkdown(text, {
    italic: false,
    bold: false,
    heading: true,
    maskedLink: true,
    bulletedList: true,
    numberedList: true,
  });
}

/**
 * The small line that threads a character's answer to the member who spoke. Webhook messages
 * cannot be Discord replies (no message reference), so the answer names the member instead
 * (a mention that never pings).
 */
export function replyLine(userId: string): string {
  return `-# ↪ <@${userId}>`;
}

const REPLY_LINE = /^-# ↪ <@\d{1,20}>$/;

/** A story message's content: the reply line, if any, then the formatted text, within the limit. */
export function storyContent(text: string, replyTo?: string | null): string {
  const head = replyTo ? `${replyLine(replyTo)}\n` : '';
  const body = storyMarkdown(text);
  const room = MESSAGE_LIMIT - head.length;
  return `${head}${body.length > room ? `${body.slice(0, room - 1)}…` : body}`;
}

/** The member a posted story message answers, read back from its reply line (for swipe edits). */
export function replyTargetOf(content: string): string | null {
  const first = content.split('\n', 1)[0];
  return REPLY_LINE.test(first) ? /<@(\d+)>/.exec(first)![1] : null;
}

/** Custom id of a ◀ ▶ button: `st:sw:<reply id>:<version>`. */
export function swipeCustomId(messageId: string, index: number): string {
  return `st:sw:${messageId}:${index}`;
}

export function parseSwipeCustomId(id: string): { messageId: string; index: number } | undefined {
  const match = /^st:sw:([A-Za-z0-9_-]{1,40}):(\d{1,4})$/.exec(id);
  return match ? { messageId: match[1], index: Number(match[2]) } : undefined;
}

/** ◀ n/m ▶ under a regenerated reply (raw API components; arrows disabled at the ends). */
export function swipeComponents(controls: SwipeControls | undefined): unknown[] {
  if (!controls || controls.count < 2) return [];
  const { messageId, index, count } = controls;
  const button = (label: string, customId: string, disabled: boolean) => ({
    type: 2,
    style: 2,
    label,
    custom_id: customId,
    disabled,
  });
  return [
    {
      type: 1,
      components: [
        button('◀', swipeCustomId(messageId, Math.max(0, index - 1)), index === 0),
        button(`${index + 1}/${count}`, `st:pos:${messageId}`, true),
        button('▶', swipeCustomId(messageId, Math.min(count - 1, index + 1)), index === count - 1),
      ],
    },
  ];
}
