import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ImageRejectedError, sanitizeImage } from './image-sanitizer.js';

const solid = (width: number, height: number, background = '#3a7') =>
  sharp({ create: { width, height, channels: 3, background } });

/** A PNG chunk with its length and CRC. */
function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([head, body, crc]);
}

/** Only PNG signature, an IHDR claiming `width`×`height` RGBA, and IEND: a header-only pixel bomb. */
function pngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', Buffer.alloc(0)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** An animated GIF of `frames` frames, each `size` px square and a different colour. */
async function animatedGif(frames: number, size = 16): Promise<Buffer> {
  const raw = Buffer.alloc(size * size * 4 * frames);
  for (let frame = 0; frame < frames; frame++)
    for (let pixel = 0; pixel < size * size; pixel++)
      raw.set(
        [frame % 3 === 0 ? 255 : 0, frame % 3 === 1 ? 255 : 0, frame % 3 === 2 ? 255 : 0, 255],
        (frame * size * size + pixel) * 4,
      );
  return sharp(raw, { raw: { width: size, height: size * frames, channels: 4, pageHeight: size } })
    .gif({ delay: Array.from({ length: frames }, (_, index) => 100 + index * 10), loop: 0 })
    .toBuffer();
}

const PAYLOADS = ['<html', '<script', '<svg'];
const expectClean = (data: Buffer) => {
  for (const payload of PAYLOADS) expect(data.includes(payload)).toBe(false);
};

async function rejection(promise: Promise<unknown>): Promise<ImageRejectedError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ImageRejectedError);
  return error as ImageRejectedError;
}

describe('sanitizeImage', () => {
  it('re-encodes a PNG followed by HTML into a PNG without the HTML', async () => {
    const png = await solid(40, 30).png().toBuffer();
    const polyglot = Buffer.concat([
      png,
      Buffer.from('<html><script>alert(document.cookie)</script></html>'),
    ]);
    const clean = await sanitizeImage(polyglot);
    expect(clean).toMatchObject({ mime: 'image/png', extension: 'png', width: 40, height: 30, frames: 1 });
    expectClean(clean.data);
    const meta = await sharp(clean.data).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 40, height: 30 });
  });

  it('drops PNG text chunks (a script hidden in tEXt)', async () => {
    const png = await solid(8, 8).png().toBuffer();
    const iend = png.length - 12;
    const text = pngChunk('tEXt', Buffer.from('comment\0<script>alert(1)</script>', 'latin1'));
    const withText = Buffer.concat([png.subarray(0, iend), text, png.subarray(iend)]);
    const clean = await sanitizeImage(withText);
    expectClean(clean.data);
    expect(clean.data.includes('tEXt')).toBe(false);
  });

  it('re-encodes a JPEG with a trailing script, dropping EXIF (GPS) and applying its orientation', async () => {
    const jpeg = await solid(40, 20, '#c33')
      .jpeg()
      .withExif({
        IFD0: { Make: 'PhoneMaker' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' },
      })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const source = await sharp(jpeg).metadata();
    expect(source.orientation).toBe(6);
    expect(source.exif?.includes('PhoneMaker')).toBe(true);
    const clean = await sanitizeImage(Buffer.concat([jpeg, Buffer.from('<script>alert(1)</script>')]));
    expect(clean).toMatchObject({ mime: 'image/jpeg', extension: 'jpg' });
    expectClean(clean.data);
    const meta = await sharp(clean.data).metadata();
    expect(meta.exif).toBeUndefined();
    expect(clean.data.includes('PhoneMaker')).toBe(false);
    expect(meta.orientation).toBeUndefined();
    // Orientation 6 (90° clockwise) is applied to the pixels: the landscape source stands upright.
    expect([meta.width, meta.height]).toEqual([20, 40]);
    expect([clean.width, clean.height]).toEqual([20, 40]);
  });

  it('keeps an animated GIF animated (frames and delays) without what followed it', async () => {
    const gif = await animatedGif(3);
    const clean = await sanitizeImage(Buffer.concat([gif, Buffer.from('<svg onload="alert(1)"/>')]));
    expect(clean).toMatchObject({ mime: 'image/gif', extension: 'gif', width: 16, height: 16, frames: 3 });
    expectClean(clean.data);
    const meta = await sharp(clean.data, { animated: true }).metadata();
    expect(meta).toMatchObject({ format: 'gif', pages: 3, pageHeight: 16, delay: [100, 110, 120] });
  });

  it('keeps lossless WebP lossless and lossy WebP lossy', async () => {
    const source = await solid(24, 24).png().toBuffer();
    const lossless = await sharp(source).webp({ lossless: true }).toBuffer();
    const lossy = await sharp(source).webp({ quality: 60 }).toBuffer();
    const fromLossless = await sanitizeImage(lossless);
    const fromLossy = await sanitizeImage(lossy);
    expect(fromLossless.mime).toBe('image/webp');
    expect(fromLossless.data.subarray(12, 16).toString('latin1')).toBe('VP8L');
    expect(fromLossy.data.subarray(12, 16).toString('latin1')).toBe('VP8 ');
  });

  it('refuses GIF89a followed by SVG (no frame decodes)', async () => {
    const polyglot = Buffer.from(
      'GIF89a<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>',
      'latin1',
    );
    expect((await rejection(sanitizeImage(polyglot))).reason).toBe('undecodable');
  });

  it('refuses HTML and SVG files whatever they are called', async () => {
    for (const text of [
      '<svg xmlns="http://www.w3.org/2000/svg"/>',
      '<!doctype html><html><script></script>',
    ])
      expect((await rejection(sanitizeImage(Buffer.from(text)))).reason).toBe('unsupported');
  });

  it('refuses truncated PNG and JPEG files', async () => {
    const png = await solid(64, 64).png().toBuffer();
    const jpeg = await solid(64, 64).jpeg().toBuffer();
    for (const truncated of [
      png.subarray(0, png.length - 30),
      png.subarray(0, 40),
      jpeg.subarray(0, jpeg.length >> 1),
    ])
      expect((await rejection(sanitizeImage(truncated))).reason).toBe('undecodable');
  });

  it('refuses a 30000×30000 pixel bomb from its header, before decoding', async () => {
    const started = performance.now();
    const error = await rejection(sanitizeImage(pngHeader(30_000, 30_000)));
    expect(error.reason).toBe('too_large');
    expect(error.message).toMatch(/30000×30000/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('counts every frame of an animation against the pixel limit', async () => {
    const gif = await animatedGif(10, 32); // 10 × 32 × 32 = 10,240 pixels
    expect((await rejection(sanitizeImage(gif, { maxInputPixels: 10_000 }))).reason).toBe('too_large');
    expect((await sanitizeImage(gif, { maxInputPixels: 10_240 })).frames).toBe(10);
  });

  it('accepts only the allowed types', async () => {
    const gif = await animatedGif(1);
    const error = await rejection(
      sanitizeImage(gif, { allowedMimes: ['image/png', 'image/jpeg', 'image/webp'] }),
    );
    expect(error.reason).toBe('unsupported');
  });

  it('refuses a PNG signature in front of another format', async () => {
    const jpeg = await solid(8, 8).jpeg().toBuffer();
    const mixed = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), jpeg]);
    expect((await rejection(sanitizeImage(mixed))).reason).toBe('undecodable');
  });
});
