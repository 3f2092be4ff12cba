import sharp from 'sharp';

/** The grid's file name, as the card's embed refers to it (`attachment://grid.jpg`). */
export const GRID_FILENAME = 'grid.jpg';

/** Upper bound of one cell's longer side: four 2K images would make a grid too heavy to upload. */
export const MAX_CELL_SIDE = 1024;

/** The grid's cells are always filled in this order, the order of V1…V4 and U1…U4. */
export const GRID_ORDER_TEXT = '1 top left · 2 top right · 3 bottom left · 4 bottom right';

/** Behind images whose shape differs from the first (letterboxing), and in an empty 4th cell. */
const BACKGROUND = { r: 32, g: 34, b: 37 };

export interface ImageGrid {
  bytes: Buffer;
  contentType: 'image/jpeg';
  filename: string;
  width: number;
  height: number;
  /** Size of one cell; image `i` sits at column `i % 2`, row `floor(i / 2)`. */
  cell: { width: number; height: number };
}

/**
 * Midjourney-style grid of a batch: two columns, image 1 top left, 2 top right, 3 bottom left,
 * 4 bottom right, so the V1…V4 / U1…U4 buttons point at visible quadrants. Every cell has the
 * first image's shape (scaled down to {@link MAX_CELL_SIDE}); others are fitted inside it.
 */
export async function composeImageGrid(images: Uint8Array[]): Promise<ImageGrid> {
  if (images.length < 2) throw new Error('A grid needs at least two images');
  const first = await sharp(images[0]).metadata();
  if (!first.width || !first.height) throw new Error('The first image has no size');
  const scale = Math.min(1, MAX_CELL_SIDE / Math.max(first.width, first.height));
  const cell = {
    width: Math.max(1, Math.round(first.width * scale)),
    height: Math.max(1, Math.round(first.height * scale)),
  };
  const columns = 2;
  const rows = Math.ceil(images.length / columns);
  const tiles = await Promise.all(
    images.map(async (image, index) => ({
      input: await sharp(image)
        .resize(cell.width, cell.height, { fit: 'contain', background: BACKGROUND })
        .toBuffer(),
      left: (index % columns) * cell.width,
      top: Math.floor(index / columns) * cell.height,
    })),
  );
  const width = columns * cell.width;
  const height = rows * cell.height;
  const bytes = await sharp({ create: { width, height, channels: 3, background: BACKGROUND } })
    .composite(tiles)
    // JPEG: a PNG of four detailed 1024 px images is several MB; this is a preview, the originals are a click away.
    .jpeg({ quality: 90 })
    .toBuffer();
  return { bytes, contentType: 'image/jpeg', filename: GRID_FILENAME, width, height, cell };
}
