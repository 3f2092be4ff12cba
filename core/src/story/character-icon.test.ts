import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { CHARACTER_ICON_SIZE, makeCharacterIcon } from './character-icon.js';

/** A portrait: a red top half (the "face") over a blue bottom half. */
async function portrait(width: number, height: number) {
  const top = await sharp({ create: { width, height: height / 2, channels: 3, background: '#e00' } })
    .png()
    .toBuffer();
  return sharp({ create: { width, height, channels: 3, background: '#00e' } })
    .composite([{ input: top, top: 0, left: 0 }])
    .png()
    .toBuffer();
}

describe('character icons', () => {
  it('crops a portrait avatar to a CHARACTER_ICON_SIZE square WebP', async () => {
    const icon = await makeCharacterIcon(await portrait(768, 1024));
    const meta = await sharp(icon.data).metadata();
    expect(icon.size).toBe(CHARACTER_ICON_SIZE);
    expect(meta).toMatchObject({ format: 'webp', width: CHARACTER_ICON_SIZE, height: CHARACTER_ICON_SIZE });
  });

  it('never enlarges: a small avatar gives a square of its shorter side', async () => {
    const icon = await makeCharacterIcon(await portrait(96, 128));
    expect(icon.size).toBe(96);
    expect(await sharp(icon.data).metadata()).toMatchObject({ width: 96, height: 96 });
  });
});
