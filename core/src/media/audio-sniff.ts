/** An audio format the music catalog stores: its type (from its bytes) and the extension it is stored with. */
export interface AudioFormat {
  mime: 'audio/mpeg' | 'audio/ogg' | 'audio/wav' | 'audio/flac';
  extension: 'mp3' | 'ogg' | 'wav' | 'flac';
}

/**
 * The audio format of a file from its first bytes (never its name): mp3 (an ID3 tag or an MPEG
 * layer III frame header), Ogg, RIFF/WAVE or FLAC; null for anything else.
 */
export function sniffAudio(head: Buffer): AudioFormat | null {
  const text = (start: number, end: number) => head.subarray(start, end).toString('latin1');
  if (text(0, 3) === 'ID3') return { mime: 'audio/mpeg', extension: 'mp3' };
  // Frame sync (11 bits set), a known MPEG version (not 01) and layer III (01).
  if (head.length >= 2 && head[0] === 0xff && (head[1]! & 0xe0) === 0xe0) {
    const version = (head[1]! >> 3) & 0x03;
    const layer = (head[1]! >> 1) & 0x03;
    if (version !== 0x01 && layer === 0x01) return { mime: 'audio/mpeg', extension: 'mp3' };
  }
  if (text(0, 4) === 'OggS') return { mime: 'audio/ogg', extension: 'ogg' };
  if (text(0, 4) === 'RIFF' && text(8, 12) === 'WAVE') return { mime: 'audio/wav', extension: 'wav' };
  if (text(0, 4) === 'fLaC') return { mime: 'audio/flac', extension: 'flac' };
  return null;
}
