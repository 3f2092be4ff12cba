import { describe, expect, it } from 'vitest';
import { parseTraceQuery } from './trace-query.js';

describe('parseTraceQuery', () => {
  it('reads media URLs with or without host, image references, and bare ids', () => {
    expect(parseTraceQuery('https://dl.example/media/outputs/t1/0.png?x=1')).toEqual({
      kind: 'media_key',
      key: 'outputs/t1/0.png',
    });
    expect(parseTraceQuery('/media/outputs/t1/0%2Dthumb.webp')).toEqual({
      kind: 'media_key',
      key: 'outputs/t1/0-thumb.webp',
    });
    expect(parseTraceQuery('http://127.0.0.1:8080/api/v1/images/7312/download')).toEqual({
      kind: 'image_ref',
      idOrFilename: '7312',
    });
    expect(parseTraceQuery(' 0b6f3c2e-1d2a-4c3b-9a8e-6f5d4c3b2a19 ')).toEqual({
      kind: 'id',
      id: '0b6f3c2e-1d2a-4c3b-9a8e-6f5d4c3b2a19',
    });
  });

  it('refuses traversal, other paths and junk', () => {
    expect(parseTraceQuery('/media/../secrets')).toBeNull();
    expect(parseTraceQuery('/api/v1/history')).toBeNull();
    expect(parseTraceQuery('<script>')).toBeNull();
    expect(parseTraceQuery('/media/%E0%A4%A')).toBeNull();
    expect(parseTraceQuery('   ')).toBeNull();
  });
});
