import { describe, expect, it } from 'vitest';
import { DreamloomApiError } from './dreamloom-client.js';
import { FakeDreamloomClient, FAKE_VIDEO_MODELS } from '../testing/fake-dreamloom-client.js';
import { describeVideoModel, VideoCatalogue } from './video-catalogue.js';

const user = { platform: 'discord' as const, id: '1' };

describe('VideoCatalogue', () => {
  it('reads the server once a minute, concurrent asks sharing one read', async () => {
    let now = 0;
    const dreamloom = new FakeDreamloomClient();
    const catalogue = new VideoCatalogue(dreamloom, { now: () => now });
    await Promise.all([catalogue.models(user), catalogue.models(user), catalogue.find(user, 'Sora-2')]);
    expect(dreamloom.videoModelReads).toBe(1);
    now = 59_000;
    await catalogue.models(user);
    expect(dreamloom.videoModelReads).toBe(1);
    now = 61_000;
    await catalogue.models(user);
    expect(dreamloom.videoModelReads).toBe(2);
  });

  it('keeps the last catalogue while the server cannot be asked, and fails without one', async () => {
    let now = 0;
    const options: { videoModels?: DreamloomApiError } = {};
    const dreamloom = new FakeDreamloomClient(options);
    const catalogue = new VideoCatalogue(dreamloom, { now: () => now });
    await catalogue.models(user);
    options.videoModels = new DreamloomApiError('NETWORK_ERROR', 'unreachable', 0);
    now = 120_000;
    expect(await catalogue.models(user)).toEqual(FAKE_VIDEO_MODELS);
    const cold = new VideoCatalogue(dreamloom);
    await expect(cold.models(user)).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
  });

  it('finds a model by id or display name, in any case', async () => {
    const catalogue = new VideoCatalogue(new FakeDreamloomClient());
    expect((await catalogue.find(user, 'SORA-2 pro'))?.id).toBe('sora-2-pro');
    expect((await catalogue.find(user, 'kling-3.0/video'))?.name).toBe('Kling 3.0');
    expect(await catalogue.find(user, 'nope')).toBeUndefined();
    expect(describeVideoModel(FAKE_VIDEO_MODELS[2])).toBe(
      'Kling 3.0 (kling-3.0/video): 5 or 10 s · 1:1, 9:16 or 16:9 · std or pro',
    );
  });
});
