import { describe, expect, it } from 'vitest';
import { sniffAudio } from './audio-sniff.js';

const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(
    parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : Buffer.from(part))),
  );

describe('sniffAudio', () => {
  it('knows mp3, Ogg, WAVE and FLAC by their bytes', () => {
    expect(sniffAudio(bytes('ID3', [4, 0, 0]))?.mime).toBe('audio/mpeg');
    expect(sniffAudio(bytes([0xff, 0xfb, 0x90, 0x64]))?.extension).toBe('mp3');
    expect(sniffAudio(bytes('OggS', [0, 2]))?.mime).toBe('audio/ogg');
    expect(sniffAudio(bytes('RIFF', [36, 0, 0, 0], 'WAVEfmt '))?.mime).toBe('audio/wav');
    expect(sniffAudio(bytes('fLaC', [0, 0, 0, 34]))?.mime).toBe('audio/flac');
  });

  it('refuses everything else, whatever it is called', () => {
    expect(sniffAudio(bytes([0xff, 0xd8, 0xff, 0xe0]))).toBeNull(); // JPEG
    expect(sniffAudio(bytes('RIFF', [36, 0, 0, 0], 'WEBPVP8 '))).toBeNull(); // WebP
    expect(sniffAudio(bytes([0xff, 0xfd, 0x90, 0x64]))).toBeNull(); // MPEG layer II
    expect(sniffAudio(bytes('<html><script>'))).toBeNull();
    expect(sniffAudio(Buffer.alloc(0))).toBeNull();
  });
});
