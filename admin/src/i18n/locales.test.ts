import { describe, expect, it } from 'vitest';
import en from './locales/en';
import zhCN from './locales/zh-CN';
import { storyResourceConfigs } from '../pages/story/story-config';

/** Every leaf key of a locale tree, dotted ("header.roles.admin"), with its text. */
function leaves(tree: object, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object')
      for (const [leaf, text] of leaves(value, path)) out.set(leaf, text);
    else out.set(path, String(value));
  }
  return out;
}

const placeholders = (text: string) => [...text.matchAll(/{{\s*(\w+)\s*}}/g)].map((m) => m[1]).sort();

describe('admin locales', () => {
  const english = leaves(en);
  const chinese = leaves(zhCN);

  it('have the same keys in English and Chinese', () => {
    // The story strings are not type-checked against English, so this is what keeps them in step.
    expect([...chinese.keys()].filter((key) => !english.has(key))).toEqual([]);
    expect([...english.keys()].filter((key) => !chinese.has(key))).toEqual([]);
  });

  it('fill in every text and keep the same {{placeholders}}', () => {
    for (const [key, text] of english) {
      expect(text.trim(), `en ${key}`).not.toBe('');
      expect(chinese.get(key)?.trim(), `zh-CN ${key}`).not.toBe('');
      expect(placeholders(chinese.get(key) ?? ''), key).toEqual(placeholders(text));
    }
  });

  it("translate Refine's table column and every story enum value the catalogs show", () => {
    expect(english.get('table.actions')).toBe('Actions');
    expect(chinese.get('table.actions')).toBe('操作');
    const enumValues = storyResourceConfigs.flatMap((config) => [
      ...config.columns
        .filter((column) => column.labels)
        .map((column) => ({ labels: column.labels!, values: [] as readonly string[] })),
      ...(config.fields ?? [])
        .filter((field) => field.labels)
        .map((field) => ({ labels: field.labels!, values: field.options ?? [] })),
    ]);
    expect(enumValues.length).toBeGreaterThan(0);
    for (const { labels, values } of enumValues) {
      expect(
        english.has(`story.enums.${labels}.${values[0] ?? Object.keys(en.story.enums[labels])[0]}`),
      ).toBe(true);
      for (const value of values) {
        expect(english.get(`story.enums.${labels}.${value}`), `${labels}.${value}`).toBeTruthy();
        expect(chinese.get(`story.enums.${labels}.${value}`), `${labels}.${value}`).toBeTruthy();
      }
    }
  });

  it('give every menu entry its own name in each language', () => {
    for (const locale of [english, chinese]) {
      const menu = [...locale].filter(([key]) => /^(\w+)\.\1$/.test(key)).map(([, text]) => text);
      expect(menu.filter((text, i) => menu.indexOf(text) !== i)).toEqual([]);
    }
  });
});
