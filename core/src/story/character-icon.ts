import sharp from 'sharp';

/** Side of a character icon, in pixels: what story lists and chat bubbles show beside a line. */
export const CHARACTER_ICON_SIZE = 256;

/**
 * A character's icon from its avatar: a square crop around the most salient part of the picture
 * (sharp's attention strategy, which finds the face or figure of a portrait), CHARACTER_ICON_SIZE
 * a side — or the avatar's shorter side when that is smaller: enlarging adds no detail. WebP is
 * small and sharp enough at this size.
 */
export async function makeCharacterIcon(avatar: Buffer): Promise<{ data: Buffer; size: number }> {
  const image = sharp(avatar, { limitInputPixels: 50_000_000 }).rotate();
  // Read before the EXIF rotation is applied; the shorter side is the same either way.
  const { width = 0, height = 0 } = await image.metadata();
  const size = Math.max(1, Math.min(CHARACTER_ICON_SIZE, width, height));
  const data = await image
    .resize(size, size, { fit: 'cover', position: sharp.strategy.attention })
    .webp({ quality: 85 })
    .toBuffer();
  return { data, size };
}
