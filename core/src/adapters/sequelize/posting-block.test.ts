import { describe, expect, it } from 'vitest';
import { postingTerm } from './nanobanana-posting-search.repository.js';
import { BLOCK_SIZE, ENTRY_BYTES, blockOf, decodeBlock, encodeBlock } from './posting-block.js';

describe('posting blocks', () => {
  it('round-trips postings sorted by seq, 4 bytes each, relative to the block', () => {
    const block = 3;
    const base = block * BLOCK_SIZE;
    const postings = [
      { seq: base + 4095, tf: 1, length: 12 },
      { seq: base, tf: 2, length: 30 },
      { seq: base + 17, tf: 1, length: 7 },
    ];
    const data = encodeBlock(postings);
    expect(data.length).toBe(3 * ENTRY_BYTES);
    expect(decodeBlock(block, data)).toEqual([postings[1], postings[2], postings[0]]);
    expect(blockOf(base + 4095)).toBe(block);
    expect(blockOf(base + 4096)).toBe(block + 1);
  });

  it('caps term frequency and length at 255 and never stores 0', () => {
    const [posting] = decodeBlock(0, encodeBlock([{ seq: 5, tf: 1000, length: 0 }]));
    expect(posting).toEqual({ seq: 5, tf: 255, length: 1 });
    expect(decodeBlock(0, Buffer.alloc(0))).toEqual([]);
  });
});

describe('postingTerm', () => {
  it('folds width and Latin accents, keeps CJK and kana as they are, and cuts long tokens', () => {
    expect(postingTerm('ｃａｆé')).toBe('cafe');
    expect(postingTerm('油画')).toBe('油画');
    expect(postingTerm('が')).toBe('が');
    expect(postingTerm('한국')).toBe('한국');
    expect([...postingTerm('字'.repeat(100))]).toHaveLength(64);
  });
});
