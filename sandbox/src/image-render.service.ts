import sharp from 'sharp';
import { hashString, seededRandom } from './http-helpers.js';

export interface PixelSize {
  width: number;
  height: number;
}

export interface RenderRequest {
  prompt: string;
  /** 1-based position of this output within its call. */
  index: number;
  /** The size the real service would produce; the PNG is this times `scale`. */
  nominal: PixelSize;
  scale: number;
  /** Who "made" it, e.g. `jimeng-4.5` — printed so a person can tell providers apart. */
  label: string;
}

/** Real size × scale, rounded, never below 16 px a side. */
export function scaledSize(size: PixelSize, scale: number): PixelSize {
  return {
    width: Math.max(16, Math.round(size.width * scale)),
    height: Math.max(16, Math.round(size.height * scale)),
  };
}

/** Captions smaller than this are not drawn: nobody can read them, and text is most of the cost. */
const MIN_LEGIBLE_FONT_PX = 9;

/**
 * Draws a real PNG whose colour, shapes and caption depend on prompt and index, so outputs of
 * different requests (and the four outputs of one request) are visibly different. Thumbnail-sized
 * images (load tests) get colour and shapes only: laying out text would cost several times the
 * rest of the drawing, on the same machine as the system under test.
 */
export async function renderPng(request: RenderRequest): Promise<Buffer> {
  const { width, height } = scaledSize(request.nominal, request.scale);
  const seed = hashString(`${request.prompt}#${request.index}`);
  const random = seededRandom(seed);
  const hue = seed % 360;
  const background = `hsl(${hue}, 55%, 42%)`;
  const accent = `hsl(${(hue + 150) % 360}, 70%, 65%)`;
  const unit = Math.min(width, height);
  const circles = Array.from({ length: 5 }, () => {
    const cx = Math.round(random() * width);
    const cy = Math.round(random() * height);
    const r = Math.round(unit * (0.08 + random() * 0.25));
    return `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${accent}" fill-opacity="0.35"/>`;
  }).join('');
  const fontSize = Math.max(6, Math.round(unit / 14));
  const caption = wrap(request.prompt.slice(0, 60), Math.max(8, Math.floor(width / (fontSize * 0.6))));
  const lines = [
    ...caption,
    `#${request.index}  ${request.nominal.width}x${request.nominal.height}`,
    `${request.label} (sandbox)`,
  ];
  const text = (fontSize < MIN_LEGIBLE_FONT_PX ? [] : lines)
    .map(
      (line, i) =>
        `<text x="${Math.round(fontSize * 0.8)}" y="${Math.round(fontSize * (1.6 + i * 1.3))}">${escapeXml(line)}</text>`,
    )
    .join('');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<rect width="100%" height="100%" fill="${background}"/>${circles}` +
    `<g font-family="DejaVu Sans, Liberation Sans, sans-serif" font-size="${fontSize}" fill="#ffffff">${text}</g>` +
    `</svg>`;
  // The SVG's own size can differ by a pixel after rasterising; resize pins the exact output.
  return sharp(Buffer.from(svg))
    .resize(width, height, { fit: 'fill' })
    .png({ compressionLevel: 6 })
    .toBuffer();
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (current && (current + ' ' + word).length > width) {
      lines.push(current);
      current = '';
    }
    current = current ? `${current} ${word}` : word;
    while (current.length > width) {
      lines.push(current.slice(0, width));
      current = current.slice(width);
    }
  }
  if (current) lines.push(current);
  return lines.slice(0, 4);
}

function escapeXml(text: string): string {
  // Control characters are not allowed in XML at all, so they are dropped rather than escaped.
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(
      /[<>&"']/g,
      (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
    );
}
