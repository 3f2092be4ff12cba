import type { StorySummary } from './story-client.js';

/** How much of a story's intro the list shows; the rest is read once the story starts. */
const INTRO_LIMIT = 200;

export interface StoryListStyle {
  /** The platform's limit for one message. */
  maxLength: number;
  /** Wraps a title (Discord bold); plain on Telegram. */
  title?: (title: string) => string;
  /** Escapes text written by story authors (Discord markdown); none on Telegram's plain text. */
  escape?: (text: string) => string;
  /** How the start command is written on this platform. */
  startCommand: string;
}

/**
 * `/story list`: each published story with its number (what `/story start` takes), its intro and
 * its cast, so a member can choose without starting one. Stories that do not fit the platform's
 * message limit are counted at the end rather than cut in half.
 */
export function storyListText(stories: StorySummary[], style: StoryListStyle): string {
  if (!stories.length) return 'No stories yet.';
  const escape = style.escape ?? ((text: string) => text);
  const title = style.title ?? ((text: string) => text);
  const header = `Stories — ${style.startCommand} <number> starts one here:`;
  const blocks = stories.map((story, index) => {
    const intro = oneLine(story.intro);
    const lines = [`${index + 1}. ${title(escape(story.title))}`];
    if (intro) lines.push(escape(shorten(intro, INTRO_LIMIT)));
    if (story.characters.length)
      lines.push(`Cast: ${escape(story.characters.map((c) => c.name).join(', '))}`);
    return lines.join('\n');
  });
  let text = header;
  for (const [index, block] of blocks.entries()) {
    const rest = blocks.length - index;
    const more = `\n\n…and ${rest} more.`;
    const next = `${text}\n\n${block}`;
    // Room is kept for the "…and N more" line unless this is the last story.
    if (next.length + (rest > 1 ? more.length : 0) > style.maxLength) return `${text}${more}`;
    text = next;
  }
  return text;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function shorten(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
