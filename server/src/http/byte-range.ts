import type { ByteRange } from '@dreamloom/core';

/**
 * Reads a `Range: bytes=…` request header against a file of `size` bytes (RFC 9110 §14):
 * - a range (`500-999`, `500-`, or the last N bytes `-500`), its end clamped to the file;
 * - `'unsatisfiable'` when it starts past the end (the answer is 416 with `bytes *\/size`);
 * - `null` for no header, other units, several ranges or bad syntax: such a header may be ignored,
 *   and the whole file (200) is always a correct answer.
 */
export function parseByteRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!match) return null;
  const [, first, last] = match as unknown as [string, string, string];
  if (first === '' && last === '') return null;
  if (first === '') {
    // A suffix: the last N bytes; N of 0 selects nothing.
    const length = Number(last);
    if (length === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return null;
  if (start >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Number(last);
  return { start, end: Math.min(end, size - 1) };
}
