/**
 * A posting block: the documents of one term in one workspace whose `seq` falls in one range of
 * BLOCK_SIZE, as sorted 4-byte entries (offset in the block u16, term frequency u8, document
 * length u8; both capped at 255, where BM25 has long saturated). Shared by the search repository
 * and migration 0007's backfill; changing the layout needs a migration that rewrites the blocks.
 */
export const BLOCK_SIZE = 4096;
/** Bytes per entry: offset u16 LE, tf u8, length u8. */
export const ENTRY_BYTES = 4;

export interface Posting {
  seq: number;
  tf: number;
  length: number;
}

export const blockOf = (seq: number) => Math.floor(seq / BLOCK_SIZE);

export function decodeBlock(block: number, data: Buffer | null): Posting[] {
  const postings: Posting[] = [];
  if (!data) return postings;
  const base = block * BLOCK_SIZE;
  for (let at = 0; at + ENTRY_BYTES <= data.length; at += ENTRY_BYTES)
    postings.push({ seq: base + data.readUInt16LE(at), tf: data[at + 2]!, length: data[at + 3]! });
  return postings;
}

export function encodeBlock(postings: Posting[]): Buffer {
  const sorted = [...postings].sort((a, b) => a.seq - b.seq);
  const data = Buffer.alloc(sorted.length * ENTRY_BYTES);
  sorted.forEach((posting, index) => {
    data.writeUInt16LE(posting.seq % BLOCK_SIZE, index * ENTRY_BYTES);
    data[index * ENTRY_BYTES + 2] = Math.min(255, Math.max(1, posting.tf));
    data[index * ENTRY_BYTES + 3] = Math.min(255, Math.max(1, posting.length));
  });
  return data;
}
