import { describe, expect, it } from 'vitest';
import { characterText, parseSwipeData, storyHtml, swipeKeyboard } from './story-html.js';

describe('Telegram story HTML', () => {
  it('italicises *actions*, bolds **emphasis**, and escapes everything else', () => {
    expect(storyHtml('*smiles* <script>&amp; **now**')).toBe(
      '<i>smiles</i> &lt;script&gt;&amp;amp; <b>now</b>',
    );
    // Unpaired or spaced asterisks stay as written (a reply still streaming, arithmetic).
    expect(storyHtml('*waves and 2 * 3 = 6')).toBe('*waves and 2 * 3 = 6');
    expect(storyHtml('*one*\n*two*')).toBe('<i>one</i>\n<i>two</i>');
  });

  it('heads a character message with the escaped name and keeps it within Telegram’s limit', () => {
    expect(characterText('<Mira>', 'hi')).toBe('🎭 &lt;Mira&gt;\nhi');
    const long = characterText('Mira', 'x'.repeat(5000));
    expect([...long].length).toBeLessThanOrEqual(4096);
    expect(long.endsWith('…')).toBe(true);
  });

  it('draws ◀ n/m ▶ with arrows only where a version exists, and parses presses', () => {
    expect(swipeKeyboard(undefined)).toEqual({ inline_keyboard: [] });
    expect(swipeKeyboard({ messageId: '42', index: 1, count: 3 }).inline_keyboard[0]).toEqual([
      { text: '◀', callback_data: 'st:sw:42:0' },
      { text: '2/3', callback_data: 'st:sw:42:1' },
      { text: '▶', callback_data: 'st:sw:42:2' },
    ]);
    expect(parseSwipeData('st:sw:1234567890123456789:2')).toEqual({
      messageId: '1234567890123456789',
      index: 2,
    });
    expect(parseSwipeData('st:sw:../x:2')).toBeUndefined();
  });
});
