import { describe, expect, it } from 'vitest';
import { splitRefusal } from './batch-refusal';

describe('splitRefusal', () => {
  it('puts item problems on their 1-based row, both of the server’s spellings', () => {
    expect(
      splitRefusal('body.batch_data.0.prompt: prompt is required; body.batch_data.2.ratio: Invalid option'),
    ).toEqual({
      rows: {
        1: ['body.batch_data.0.prompt: prompt is required'],
        3: ['body.batch_data.2.ratio: Invalid option'],
      },
      fields: {},
      general: [],
    });
    expect(splitRefusal('batch_data[4].input_images is not allowed: private address').rows).toEqual({
      5: ['batch_data[4].input_images is not allowed: private address'],
    });
  });

  it('puts a refused callback_url on its form field and anything else in the notification', () => {
    expect(
      splitRefusal('global_config.callback_url is not allowed: resolves to a private address (127.0.0.1)'),
    ).toEqual({
      rows: {},
      fields: {
        callback_url: 'global_config.callback_url is not allowed: resolves to a private address (127.0.0.1)',
      },
      general: [],
    });
    expect(splitRefusal('batch_data has 120 items; at most 100 image items per batch').general).toEqual([
      'batch_data has 120 items; at most 100 image items per batch',
    ]);
  });
});
