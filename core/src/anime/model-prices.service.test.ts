import { describe, expect, it } from 'vitest';
import { imageUnitPrice, videoUnitPrice } from './model-prices.service.js';
import { DEFAULT_VIDEO_MODELS } from './video-models.js';

describe('price rules', () => {
  it('prices an image by its resolution, falling back to *, or flat', () => {
    const table = { type: 'table' as const, table: { '4K': 8, '*': 3 } };
    expect(imageUnitPrice(table, '4k')).toBe(8);
    expect(imageUnitPrice(table, '1K')).toBe(3);
    expect(imageUnitPrice({ type: 'table', table: { '2K': 4 } }, '1K')).toBeUndefined();
    expect(imageUnitPrice({ type: 'flat', credits: 5 }, '4K')).toBe(5);
  });

  it("keeps contract 001's documented video prices", () => {
    const price = (id: string, variant: string, seconds: number) =>
      videoUnitPrice(DEFAULT_VIDEO_MODELS.find((model) => model.id === id)!.price, variant, seconds);
    expect(price('wan/2.5', '720p', 5)).toBe(300);
    expect(price('wan/2.5', '720p', 10)).toBe(600);
    expect(price('wan/2.5', '1080p', 5)).toBe(500);
    expect(price('wan/2.5', '1080p', 10)).toBe(1000);
    expect(price('kling/video-v2.5', '1080p', 5)).toBe(210);
    expect(price('kling-3.0/video', 'std', 10)).toBe(1050);
    expect(price('kling-3.0/video', 'pro', 5)).toBe(2100);
    expect(price('sora-2', '*', 10)).toBe(30);
    expect(price('sora-2', '*', 15)).toBe(40);
    expect(price('sora-2-pro', 'std', 10)).toBe(180);
    expect(price('sora-2-pro', 'pro', 15)).toBe(800);
  });

  it('takes the most specific video key first', () => {
    const rule = { type: 'table' as const, table: { '*:*': 1, '*:10': 2, 'pro:*': 3, 'pro:10': 4 } };
    expect(videoUnitPrice(rule, 'pro', 10)).toBe(4);
    expect(videoUnitPrice(rule, 'pro', 5)).toBe(3);
    expect(videoUnitPrice(rule, 'std', 10)).toBe(2);
    expect(videoUnitPrice(rule, 'std', 5)).toBe(1);
    expect(videoUnitPrice({ type: 'table', table: { 'pro:5': 1 } }, 'std', 5)).toBeUndefined();
  });
});
