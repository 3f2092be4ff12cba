import { describe, expect, it } from 'vitest';
import { isCompressibleApiType } from './compression.js';

describe('isCompressibleApiType', () => {
  it('compresses JSON and text', () => {
    for (const type of [
      'application/json',
      'application/json; charset=utf-8',
      'application/problem+json',
      'application/javascript',
      'text/plain; charset=utf-8',
      'text/html',
      'text/css',
      'text/csv',
    ])
      expect(isCompressibleApiType(type), type).toBe(true);
  });

  it('never compresses event streams, media, archives or unknown bytes', () => {
    for (const type of [
      'text/event-stream',
      'text/event-stream; charset=utf-8',
      'image/png',
      'image/webp',
      'image/svg+xml',
      'video/mp4',
      'audio/mpeg',
      'application/zip',
      'application/octet-stream',
      '',
    ])
      expect(isCompressibleApiType(type), type).toBe(false);
  });
});
