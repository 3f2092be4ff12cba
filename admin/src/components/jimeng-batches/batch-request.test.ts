import { describe, expect, it } from 'vitest';
import { buildBatchRequest } from './batch-request';

const items = [{ storyboard_id: 'sb-1', prompt: 'Sunrise' }];

describe('buildBatchRequest', () => {
  it('posts each kind to its route', () => {
    const paths = (['t2i', 'i2i', 't2v', 'i2v'] as const).map(
      (kind) => buildBatchRequest({ kind, work_id: 'w' }, items).path,
    );
    expect(paths).toEqual([
      '/api/v1/jimeng/images/batch-generate',
      '/api/v1/jimeng/images/batch-compose',
      '/api/v1/jimeng/videos/batch-generate',
      '/api/v1/jimeng/videos/batch-compose',
    ]);
  });

  it('sends only the settings given, strategy as account_strategy, duration only for video', () => {
    const request = buildBatchRequest(
      {
        kind: 't2i',
        work_id: ' w-1 ',
        project_name: ' ',
        model: 'jimeng-4.5',
        duration: 10,
        existing_records: 'skip',
        callback_url: ' https://hooks.test/done ',
        load_balance: 'round_robin',
        priority: 1,
      },
      items,
    );
    expect(request.body).toEqual({
      work_id: 'w-1',
      batch_data: items,
      global_config: {
        model: 'jimeng-4.5',
        existing_records: 'skip',
        callback_url: 'https://hooks.test/done',
        priority: 1,
        account_strategy: { load_balance: 'round_robin' },
      },
    });
    expect(buildBatchRequest({ kind: 'i2v', work_id: 'w', duration: 10 }, items).body.global_config).toEqual({
      duration: 10,
    });
  });
});
