import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { sniffMime } from './media.service.js';

/** The image types uploads may have, with the extension a stored file gets. */
export const UPLOAD_IMAGE_EXTENSIONS: Readonly<Record<string, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
};

/**
 * Largest decoded size accepted, in pixels over all frames (≈ 7071², or a 100-frame 707×707 GIF):
 * about 200 MB of RGBA while decoding. A 4K output (4096², 16.8 MP) used as a reference fits.
 */
export const MAX_INPUT_PIXELS = 50_000_000;

/** sharp's `format` for each type we accept; the decoder must agree with the magic bytes. */
const SHARP_FORMATS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/webp': 'webp',
  'image/gif': 'gif',
};

export type ImageRejectionReason = 'unsupported' | 'undecodable' | 'too_large';

/** An upload that is not an image we accept; callers answer it as a 400 in their contract's words. */
export class ImageRejectedError extends Error {
  constructor(
    readonly reason: ImageRejectionReason,
    message: string,
  ) {
    super(message);
    this.name = 'ImageRejectedError';
  }
}

export interface SanitizeImageOptions {
  /** Types accepted by their magic bytes (default: PNG, JPEG, WebP, GIF). */
  allowedMimes?: readonly string[];
  /** Decompression-bomb guard: width × height × frames (default MAX_INPUT_PIXELS). */
  maxInputPixels?: number;
  /** Longest a decode + encode may take (default 20 s). */
  timeoutSeconds?: number;
}

export interface SanitizedImage {
  /** The re-encoded bytes: nothing of the upload survives but its pixels (and GIF/WebP frame timing). */
  data: Buffer;
  mime: string;
  extension: string;
  width: number;
  /** Height of one frame. */
  height: number;
  frames: number;
}

/**
 * Makes an uploaded image safe to store and serve: the bytes must carry the magic of an accepted
 * type and decode completely as that type (sharp's default `failOn: 'warning'` refuses truncated
 * and corrupt files), within MAX_INPUT_PIXELS; then the pixels are encoded anew in the same format.
 * Anything appended or embedded — HTML or script after the image's end, SVG behind a GIF header,
 * PNG text chunks, JPEG comments, EXIF (GPS included), XMP, ICC — is gone; EXIF orientation is
 * applied to the pixels first so the picture stays upright. GIF stays GIF and WebP stays WebP with
 * every frame and its delays (sharp's cgif/libwebp encoders); lossless WebP stays lossless.
 *
 * Every upload path calls this, and stores only its output; a refusal stores nothing.
 */
export async function sanitizeImage(
  input: Buffer,
  options: SanitizeImageOptions = {},
): Promise<SanitizedImage> {
  const allowed = options.allowedMimes ?? Object.keys(UPLOAD_IMAGE_EXTENSIONS);
  const maxPixels = options.maxInputPixels ?? MAX_INPUT_PIXELS;
  const mime = sniffMime(input);
  if (!mime || !allowed.includes(mime) || !SHARP_FORMATS[mime])
    throw new ImageRejectedError('unsupported', 'The file is not an image of an accepted type');

  const animated = mime === 'image/gif' || mime === 'image/webp';
  // Header only: cheap, and tells the true size before any pixel is decoded.
  let meta: Metadata;
  try {
    meta = await sharp(input, { animated, limitInputPixels: false }).metadata();
  } catch {
    throw new ImageRejectedError('undecodable', 'The image could not be read');
  }
  if (meta.format !== SHARP_FORMATS[mime])
    throw new ImageRejectedError('undecodable', 'The image could not be read');
  const frames = Math.max(1, meta.pages ?? 1);
  const width = meta.width ?? 0;
  const frameHeight = meta.pageHeight ?? Math.round((meta.height ?? 0) / frames);
  if (!width || !frameHeight) throw new ImageRejectedError('undecodable', 'The image could not be read');
  if (width * frameHeight * frames > maxPixels)
    throw new ImageRejectedError(
      'too_large',
      `The image is too large (${width}×${frameHeight}${frames > 1 ? ` × ${frames} frames` : ''}; at most ${maxPixels} pixels)`,
    );

  let pipeline = sharp(input, { animated, limitInputPixels: maxPixels, failOn: 'warning' }).timeout({
    seconds: options.timeoutSeconds ?? 20,
  });
  // Applies EXIF orientation (the tag itself is dropped with the rest of the metadata).
  if (meta.orientation && meta.orientation !== 1) pipeline = pipeline.rotate();
  switch (mime) {
    case 'image/png':
      pipeline = pipeline.png();
      break;
    case 'image/jpeg':
      pipeline = pipeline.jpeg({ quality: 90 });
      break;
    case 'image/webp':
      // effort 2: half the time of the default 4 for the same size (2400×1600: 0.5 s vs 1 s).
      pipeline = pipeline.webp(
        isLosslessWebp(input) ? { lossless: true, effort: 2 } : { quality: 90, effort: 2 },
      );
      break;
    default:
      // Frames keep their palettes (reuse); the least quantiser effort, as they already fit one.
      pipeline = pipeline.gif({ effort: 1 });
  }
  let output: { data: Buffer; info: OutputInfo };
  try {
    output = await pipeline.toBuffer({ resolveWithObject: true });
  } catch {
    throw new ImageRejectedError('undecodable', 'The image could not be decoded');
  }
  if (sniffMime(output.data) !== mime)
    throw new ImageRejectedError('undecodable', 'The image could not be decoded');
  const outFrames = Math.max(1, output.info.pages ?? 1);
  return {
    data: output.data,
    mime,
    extension: UPLOAD_IMAGE_EXTENSIONS[mime]!,
    width: output.info.width,
    height: output.info.pageHeight ?? Math.round(output.info.height / outFrames),
    frames: outFrames,
  };
}

/** A simple-format lossless WebP (`VP8L`), or an extended one whose first image chunk is `VP8L`. */
function isLosslessWebp(data: Buffer): boolean {
  for (let offset = 12; offset + 8 <= data.length && offset < 4096;) {
    const type = data.subarray(offset, offset + 4).toString('latin1');
    if (type === 'VP8L') return true;
    if (type === 'VP8 ') return false;
    const size = data.readUInt32LE(offset + 4);
    offset += 8 + size + (size % 2);
  }
  return false;
}
