import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobTracker } from '../shared/job-tracker.js';
import { silentLogger } from '../shared/logger.js';
import { FakeDreamloomClient, type FakeDreamloomClientOptions } from '../testing/fake-dreamloom-client.js';
import {
  photoMessageUpdate,
  startFakeTelegramBotApi,
  textMessageUpdate,
  type FakeTelegramBotApi,
} from '../testing/fake-telegram-bot-api.js';
import { createTelegramBot } from './create-telegram-bot.js';
import { parseVideoArgs } from './features/video.feature.js';

const TOKEN = '123456:TEST-token';
const mp4 = new Uint8Array([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d]);
const media = {
  'http://media.test/clip.mp4': { bytes: mp4, contentType: 'video/mp4', filename: 'clip.mp4' },
};
const script: FakeDreamloomClientOptions['script'] = [
  { status: 'pending', queuePosition: 1 },
  { status: 'processing', progress: 50 },
  { status: 'completed', outputs: [{ url: 'http://media.test/clip.mp4', mime: 'video/mp4' }] },
];

describe('parseVideoArgs', () => {
  it('separates flags from the prompt', () => {
    expect(parseVideoArgs('a fox --duration 10 in snow --ratio 16:9 --model wan/2.5')).toEqual({
      prompt: 'a fox in snow',
      durationSeconds: 10,
      aspectRatio: '16:9',
      modelId: 'wan/2.5',
    });
    expect(parseVideoArgs('a fox --ar 9:16')).toEqual({ prompt: 'a fox', aspectRatio: '9:16' });
    expect(parseVideoArgs('a fox --duration soon')).toEqual({ error: '--duration must be whole seconds.' });
    expect(parseVideoArgs('a fox --model')).toEqual({ error: '--model needs a value.' });
  });
});

describe('Telegram /video (grammY against a fake Bot API)', () => {
  let api: FakeTelegramBotApi;
  let jobs: JobTracker;
  let updateId = 1;

  beforeEach(async () => {
    api = await startFakeTelegramBotApi();
    jobs = new JobTracker();
  });
  afterEach(async () => {
    await api.close();
  });

  function botWith(options: FakeDreamloomClientOptions) {
    const dreamloom = new FakeDreamloomClient({ media, ...options });
    const bot = createTelegramBot(
      TOKEN,
      { dreamloom, logger: silentLogger, editIntervalMs: 0, jobs },
      { botInfo: api.botInfo, client: { apiRoot: api.apiRoot } },
    );
    return { bot, dreamloom };
  }

  it('shows the charged credits on the card, then sends the MP4 with sendVideo', async () => {
    const { bot, dreamloom } = botWith({ script, stepDelayMs: 30, videoCost: 210 });

    await bot.handleUpdate(
      textMessageUpdate({ updateId: updateId++, text: '/video a fox in snow --duration 5 --ratio 16:9' }),
    );
    await jobs.idle();

    expect(dreamloom.createdVideos[0]).toMatchObject({
      user: { platform: 'telegram', id: '424242' },
      input: {
        prompt: 'a fox in snow',
        durationSeconds: 5,
        aspectRatio: '16:9',
        modelId: 'kling/video-v2.5',
      },
    });
    expect(dreamloom.createdVideos[0].input.referenceImageUrls).toBeUndefined();
    const edits = api.callsTo('editMessageText').map((c) => String(c.params.text));
    expect(edits.some((t) => t.includes('🕒 Queued') && t.includes('Credits: 210'))).toBe(true);
    expect(edits.some((t) => t.includes('50%'))).toBe(true);

    const [video] = api.callsTo('sendVideo');
    expect(video.params).toMatchObject({ chat_id: 424242, caption: '🎬 a fox in snow' });
    expect(video.uploads[0]).toMatchObject({ field: 'video', filename: 'clip.mp4' });
    expect(Buffer.compare(video.uploads[0].bytes, Buffer.from(mp4))).toBe(0);
    expect(api.callsTo('sendPhoto')).toHaveLength(0);
    const last = api.calls.at(-1);
    expect(last?.method).toBe('editMessageText');
    expect(String(last?.params.text)).toContain('✅ Completed');
    // The output is a video, so the card says so (not "Images: 1").
    expect(String(last?.params.text)).toContain('Videos: 1');
    expect(String(last?.params.text)).not.toContain('Images');
  });

  it('uses a captioned photo as the first frame, uploaded so the bot token never leaves the bot', async () => {
    const telegramUrl = `${api.apiRoot}/file/bot${TOKEN}/photos/photo-in-l.jpg`;
    const photoBytes = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    const { bot, dreamloom } = botWith({
      script,
      videoCost: 300,
      media: {
        ...media,
        [telegramUrl]: { bytes: photoBytes, contentType: 'image/jpeg', filename: 'photo.jpg' },
      },
    });

    await bot.handleUpdate(
      photoMessageUpdate({ updateId: updateId++, caption: '/video she turns around --model wan/2.5' }),
    );
    await jobs.idle();

    expect(api.callsTo('getFile')[0].params.file_id).toBe('photo-in-l');
    expect(dreamloom.createdVideos[0].input).toMatchObject({
      prompt: 'she turns around',
      modelId: 'wan/2.5',
      referenceImageUrls: ['https://dreamloom.test/api/v1/images/upload-1.jpg'],
    });
    expect(dreamloom.uploads[0].file.bytes).toEqual(photoBytes);
    expect(JSON.stringify(dreamloom.createdVideos)).not.toContain(TOKEN);
    expect(api.callsTo('sendVideo')).toHaveLength(1);
  });

  it('answers with usage when the prompt is missing', async () => {
    const { bot, dreamloom } = botWith({ script });
    await bot.handleUpdate(textMessageUpdate({ updateId: updateId++, text: '/video --duration 5' }));
    await jobs.idle();
    expect(dreamloom.createdVideos).toHaveLength(0);
    const usage = String(api.callsTo('sendMessage')[0].params.text);
    expect(usage).toContain('Usage: /video');
    // Each model with what it takes, read from the server's catalogue: nothing offered is refused.
    expect(usage).toContain('• Kling 2.5 (kling/video-v2.5): 5 or 10 s · 1:1, 9:16 or 16:9 · 720p or 1080p');
    expect(usage).toContain('• Sora-2 (sora-2): 10 or 15 s · 16:9 or 9:16\n');
    expect(usage).toContain('• Sora-2 Pro (sora-2-pro): 10 or 15 s · 16:9 or 9:16 · std or pro');
    expect(usage.indexOf('Kling 2.5')).toBeLessThan(usage.indexOf('Wan 2.5'));
  });

  it('sends --quality as the mode or resolution the model takes, and names the model on the card', async () => {
    const { bot, dreamloom } = botWith({ script, videoCost: 2100 });
    await bot.handleUpdate(
      textMessageUpdate({ updateId: updateId++, text: '/video rain --model kling-3.0/video --quality PRO' }),
    );
    await bot.handleUpdate(
      textMessageUpdate({ updateId: updateId++, text: '/video snow --model wan/2.5 --quality 1080p' }),
    );
    await jobs.idle();
    expect(dreamloom.createdVideos.map((v) => v.input)).toMatchObject([
      { prompt: 'rain', modelId: 'kling-3.0/video', mode: 'pro' },
      { prompt: 'snow', modelId: 'wan/2.5', resolution: '1080p' },
    ]);
    expect(dreamloom.createdVideos[0].input).not.toHaveProperty('resolution', 'pro');
    const texts = api.callsTo('editMessageText').map((c) => String(c.params.text));
    expect(texts.some((t) => t.includes('Kling 3.0 · pro'))).toBe(true);
  });
});
