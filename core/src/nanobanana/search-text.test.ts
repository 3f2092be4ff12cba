import { describe, expect, it } from 'vitest';
import { SearchTokenizer, fts5OwnerToken, fts5Query, searchText } from './search-text.js';

describe('SearchTokenizer (jieba)', () => {
  const tokenizer = new SearchTokenizer();

  it('indexes words, their dictionary sub-words and single Han characters, lower-cased', () => {
    const tokens = tokenizer.indexTokens('油画风格的小女孩, Beautiful GIRL vlog');
    for (const token of ['油画', '小女孩', '女孩', '女', '孩', 'beautiful', 'girl', 'vlog'])
      expect(tokens).toContain(token);
    expect(tokens).not.toContain(',');
  });

  it('keeps repeats (term frequency) and wraps tokens for FULLTEXT', () => {
    expect(tokenizer.indexTokens('猫 猫').filter((token) => token === '猫')).toHaveLength(2);
    expect(tokenizer.indexText('猫咪')).toBe('_猫咪_ _猫_ _咪_');
    expect(searchText(['油画', 'girl'])).toBe('_油画_ _girl_');
  });

  it('segments keywords in precise mode', () => {
    expect(tokenizer.queryTokens('油画女孩')).toEqual(['油画', '女孩']);
    expect(tokenizer.queryTokens('写实绘画创作')).toEqual(['写实', '绘画', '创作']);
    expect(tokenizer.queryTokens('油画vlog')).toEqual(['油画', 'vlog']);
    expect(tokenizer.queryTokens('  "*"  ')).toEqual([]);
  });

  it('builds engine queries that need every token', () => {
    expect(fts5Query(['油画', 'a"b'])).toBe('"油画" "a""b"');
    expect(fts5OwnerToken('00000000-0000-4000-8000-0000000B4004')).toBe('o000000000000400080000000000b4004');
  });
});
