import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { readCharacterCard } from './character-card.js';

/** A minimal PNG (signature, IHDR, the given tEXt chunks, IEND); only the chunk layout matters here. */
function png(chunks: Array<[string, string]>): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([head, body, crc]);
  };
  const text = (keyword: string, value: string) =>
    chunk(
      'tEXt',
      Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(value, 'latin1')]),
    );
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', Buffer.alloc(13)),
    ...chunks.map(([keyword, value]) => text(keyword, value)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
const b64 = (card: unknown) => Buffer.from(JSON.stringify(card)).toString('base64');

describe('readCharacterCard', () => {
  it('prefers the V3 chunk over the V2 one and keeps the PNG as the avatar', () => {
    const file = png([
      ['chara', b64({ spec: 'chara_card_v2', data: { name: 'Old' } })],
      ['ccv3', b64({ spec: 'chara_card_v3', data: { name: 'New', personality: ' calm ' } })],
    ]);
    const card = readCharacterCard(file);
    expect(card).toMatchObject({ name: 'New', personality: 'calm', description: '', background: '' });
    expect(card.image?.equals(file)).toBe(true);
  });

  it('clamps talkativeness, ignores fields of the wrong type, and refuses overlong ones', () => {
    const json = (data: unknown) => Buffer.from(JSON.stringify({ spec: 'chara_card_v2', data }));
    expect(readCharacterCard(json({ name: 'A', extensions: { talkativeness: 3 } })).talkativeness).toBe(1);
    expect(readCharacterCard(json({ name: 'A', extensions: { talkativeness: 'x' } })).talkativeness).toBe(
      undefined,
    );
    expect(readCharacterCard(json({ name: 'A', description: 42 })).description).toBe('');
    expect(() => readCharacterCard(json({ name: 'A', description: 'x'.repeat(20_001) }))).toThrow(
      ValidationError,
    );
    expect(() => readCharacterCard(json({ name: '   ' }))).toThrow(/no name/);
  });
});
