import { describe, expect, it } from 'vitest';
import { isSubmittable, parseStoryboards } from './storyboard-parser';

const codes = (errors: Array<{ code: string }>) => errors.map((error) => error.code);

describe('parseStoryboards', () => {
  it('reads CSV with quoted fields holding commas, quotes and new lines', () => {
    const csv = [
      'storyboard_id,prompt,ratio,resolution',
      'sb-1,"A street, at night, in the rain",16:9,2K',
      'sb-2,"Two lines:',
      'she says ""hello""",,',
    ].join('\r\n');
    const result = parseStoryboards(csv, 't2i');
    expect(result.format).toBe('csv');
    expect(result.rows.map((row) => row.item)).toEqual([
      { storyboard_id: 'sb-1', prompt: 'A street, at night, in the rain', ratio: '16:9', resolution: '2k' },
      { storyboard_id: 'sb-2', prompt: 'Two lines:\r\nshe says "hello"' },
    ]);
    expect(result.rows.every((row) => row.errors.length === 0)).toBe(true);
    expect(isSubmittable(result)).toBe(true);
  });

  it('reads TSV (tab in the header) and per-item overrides for an image-to-video batch', () => {
    const tsv = [
      'Storyboard ID\tPrompt\tInput images\tDuration\tModel',
      'v-1\tPan across the harbour\thttps://cdn.test/a.jpg | https://cdn.test/b.jpg\t10\tjimeng-video-3.0',
      'v-2\tA slow zoom\t["https://cdn.test/c.jpg?w=1,h=2"]\t5s\t',
    ].join('\n');
    const result = parseStoryboards(tsv, 'i2v');
    expect(result.format).toBe('tsv');
    expect(result.rows.map((row) => row.item)).toEqual([
      {
        storyboard_id: 'v-1',
        prompt: 'Pan across the harbour',
        input_images: ['https://cdn.test/a.jpg', 'https://cdn.test/b.jpg'],
        duration: 10,
        model: 'jimeng-video-3.0',
      },
      {
        storyboard_id: 'v-2',
        prompt: 'A slow zoom',
        input_images: ['https://cdn.test/c.jpg?w=1,h=2'],
        duration: 5,
      },
    ]);
    expect(isSubmittable(result)).toBe(true);
  });

  it('reads a JSON array or a whole request body with typed values', () => {
    const array = parseStoryboards(
      JSON.stringify([
        {
          storyboard_id: 'j-1',
          prompt: 'Castle',
          input_images: ['https://cdn.test/x.png'],
          sample_strength: 0.7,
        },
      ]),
      'i2i',
    );
    expect(array.format).toBe('json');
    expect(array.rows[0].item).toEqual({
      storyboard_id: 'j-1',
      prompt: 'Castle',
      input_images: ['https://cdn.test/x.png'],
      sample_strength: 0.7,
    });
    expect(array.rows[0].errors).toEqual([]);

    const body = parseStoryboards(
      JSON.stringify({ batch_data: [{ storyboard_id: 'j-2', prompt: 'Moon' }] }),
      't2v',
    );
    expect(body.rows.map((row) => row.item.storyboard_id)).toEqual(['j-2']);
    expect(parseStoryboards('[{"storyboard_id": "x",', 't2i').errors[0].code).toBe('badJson');
    expect(codes(parseStoryboards('{"items": []}', 't2i').errors)).toEqual(['jsonNotArray']);
  });

  it('drops a UTF-8 byte-order mark so the first column is still storyboard_id', () => {
    const result = parseStoryboards('\uFEFFstoryboard_id,prompt\nsb-1,Sunrise\n', 't2i');
    expect(result.unknownColumns).toEqual([]);
    expect(result.rows[0].item).toEqual({ storyboard_id: 'sb-1', prompt: 'Sunrise' });
    expect(isSubmittable(result)).toBe(true);
  });

  it('flags a missing prompt on its row, and a missing storyboard id', () => {
    const result = parseStoryboards('storyboard_id,prompt\nsb-1,Sunrise\nsb-2,\n,Dusk\n', 't2i');
    expect(result.rows.map((row) => [row.row, codes(row.errors)])).toEqual([
      [1, []],
      [2, ['missingPrompt']],
      [3, ['missingStoryboardId']],
    ]);
    expect(result.rows[1].errors[0].field).toBe('prompt');
    expect(isSubmittable(result)).toBe(false);
  });

  it('flags the second and later uses of a storyboard id, naming the first row', () => {
    const result = parseStoryboards('storyboard_id,prompt\nsb-1,A\nsb-2,B\nsb-1,C\n', 't2i');
    expect(result.rows[2].errors).toEqual([
      { code: 'duplicateId', field: 'storyboard_id', params: { row: 1 } },
    ]);
    expect(result.rows[0].errors).toEqual([]);
  });

  it('lists unknown columns (ignored) without failing the rows', () => {
    const result = parseStoryboards('storyboard_id,prompt,promt,camera\nsb-1,A,x,y\n', 't2i');
    expect(result.unknownColumns).toEqual(['promt', 'camera']);
    expect(result.rows[0].item).toEqual({ storyboard_id: 'sb-1', prompt: 'A' });
    expect(isSubmittable(result)).toBe(true);
    expect(parseStoryboards('[{"storyboard_id":"a","prompt":"b","seed":1}]', 't2i').unknownColumns).toEqual([
      'seed',
    ]);
  });

  it('refuses more rows than the batch limit (100 images, 50 videos by default)', () => {
    const lines = (count: number) =>
      ['storyboard_id,prompt', ...Array.from({ length: count }, (_, i) => `sb-${i},Shot ${i}`)].join('\n');
    expect(parseStoryboards(lines(100), 't2i').errors).toEqual([]);
    expect(parseStoryboards(lines(101), 't2i').errors).toEqual([
      { code: 'tooManyRows', params: { count: 101, max: 100 } },
    ]);
    expect(codes(parseStoryboards(lines(51), 't2v').errors)).toEqual(['tooManyRows']);
    expect(isSubmittable(parseStoryboards(lines(51), 't2v'))).toBe(false);
    expect(codes(parseStoryboards(lines(3), 't2i', 2).errors)).toEqual(['tooManyRows']);
  });

  it('checks values against what the server accepts, and input images against the batch type', () => {
    const csv = [
      'storyboard_id,prompt,ratio,resolution,model,duration,input_images,sample_strength,intelligent_ratio',
      'a,P,5:4,8k,midjourney,7,ftp://x/y.png,1.5,maybe',
    ].join('\n');
    expect(codes(parseStoryboards(csv, 't2i').rows[0].errors)).toEqual([
      'badModel',
      'badChoice',
      'badChoice',
      'videoOnly',
      'badStrength',
      'badBoolean',
      'badUrl',
      'imagesNotAllowed',
    ]);
    expect(codes(parseStoryboards('storyboard_id,prompt\na,P\n', 'i2i').rows[0].errors)).toEqual([
      'imageCount',
    ]);
    const threeFrames =
      'storyboard_id,prompt,input_images\na,P,https://a.test/1 https://a.test/2 https://a.test/3\n';
    expect(parseStoryboards(threeFrames, 'i2v').rows[0].errors).toEqual([
      { code: 'imageCount', field: 'input_images', params: { min: 1, max: 2, count: 3 } },
    ]);
  });

  it('reports rows with extra fields or an unclosed quote, and a table without a storyboard_id header', () => {
    const extra = parseStoryboards('storyboard_id,prompt\nsb-1,A,B\n', 't2i');
    expect(codes(extra.rows[0].errors)).toEqual(['extraFields']);
    const unclosed = parseStoryboards('storyboard_id,prompt\nsb-1,"never closed\n', 't2i');
    expect(codes(unclosed.rows[0].errors)).toContain('badQuotes');
    expect(codes(parseStoryboards('sb-1,A\nsb-2,B\n', 't2i').errors)).toEqual(['noHeader']);
  });

  it('treats blank input as nothing to submit', () => {
    const result = parseStoryboards('  \n', 't2i');
    expect(result).toEqual({ format: 'empty', rows: [], errors: [], unknownColumns: [] });
    expect(isSubmittable(result)).toBe(false);
  });
});
