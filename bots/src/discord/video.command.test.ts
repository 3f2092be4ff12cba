import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobTracker } from '../shared/job-tracker.js';
import { silentLogger } from '../shared/logger.js';
import {
  chatInputInteraction,
  dispatchInteraction,
  createOfflineDiscordBot,
  type ChatInputOptions,
} from '../testing/discord-interactions.js';
import { FakeDreamloomClient, type FakeDreamloomClientOptions } from '../testing/fake-dreamloom-client.js';
import { startFakeDiscordRest, type FakeDiscordRest } from '../testing/fake-discord-rest.js';
import { createVideoCommand } from './commands/video.command.js';
import { type DiscordBot } from './create-discord-bot.js';

const mp4 = new Uint8Array([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d]);
const media = {
  'http://media.test/clip.mp4': { bytes: mp4, contentType: 'video/mp4', filename: 'clip.mp4' },
};
const script: FakeDreamloomClientOptions['script'] = [
  { status: 'pending', queuePosition: 3 },
  { status: 'processing', progress: 40 },
  { status: 'completed', outputs: [{ url: 'http://media.test/clip.mp4', mime: 'video/mp4' }] },
];
const EPHEMERAL = 64;

interface EmbedJson {
  title: string;
  fields?: Array<{ name: string; value: string }>;
  image?: unknown;
}

describe('Discord /video (discord.js against a fake REST API)', () => {
  let discord: FakeDiscordRest;
  let jobs: JobTracker;
  let bots: DiscordBot[];

  beforeEach(async () => {
    discord = await startFakeDiscordRest();
    jobs = new JobTracker();
    bots = [];
  });
  afterEach(async () => {
    for (const bot of bots) await bot.stop();
    await discord.close();
  });

  function botWith(options: FakeDreamloomClientOptions, tokenDeadline?: () => number) {
    const dreamloom = new FakeDreamloomClient({ media, ...options });
    const video = createVideoCommand({
      imagine: { dreamloom, logger: silentLogger, editIntervalMs: 0 },
      tokenDeadline,
    });
    const bot = createOfflineDiscordBot(
      { dreamloom, logger: silentLogger, editIntervalMs: 0, jobs, commands: [video] },
      discord,
    );
    bots.push(bot);
    return { bot, dreamloom };
  }

  async function run(bot: DiscordBot, extra: Pick<ChatInputOptions, 'options' | 'attachments'>) {
    const raw = chatInputInteraction({ appId: discord.appId, commandName: 'video', ...extra });
    discord.registerInteraction(raw.token, raw.channel.id);
    dispatchInteraction(bot.client, raw);
    await jobs.idle();
    return raw;
  }

  const embedsOf = (body: unknown) => (body as { embeds: EmbedJson[] }).embeds;

  it('passes the options and frames, shows the charged quote, and attaches the MP4', async () => {
    const { bot, dreamloom } = botWith({ script, stepDelayMs: 30, videoCost: 420 });

    const raw = await run(bot, {
      // Kling 3.0 takes a first and a last frame (Kling 2.5 only a first; see video-options.test.ts).
      options: { prompt: 'petals swirl', model: 'kling-3.0/video', duration: 10, ratio: '9:16' },
      attachments: {
        first_frame: { url: 'https://cdn.test/a.png', filename: 'a.png', contentType: 'image/png' },
        last_frame: { url: 'https://cdn.test/b.png', filename: 'b.png', contentType: 'image/png' },
      },
    });

    expect(dreamloom.createdVideos[0].input).toEqual({
      prompt: 'petals swirl',
      modelId: 'kling-3.0/video',
      durationSeconds: 10,
      aspectRatio: '9:16',
      referenceImageUrls: ['https://cdn.test/a.png', 'https://cdn.test/b.png'],
    });
    const edits = discord.publicMessageCalls(raw.token);
    const fields = edits.map((e) => JSON.stringify(embedsOf(e.body)[0].fields ?? []));
    // The quote is charged when the task is accepted, so it shows while the job is still queued.
    expect(
      fields.some(
        (f) => f.includes('"Status","value":"Queued · #3') && f.includes('"Credits","value":"420"'),
      ),
    ).toBe(true);
    const final = edits.at(-1)!;
    const [embed] = embedsOf(final.body);
    expect(embed.title).toBe('✅ Completed');
    expect(embed.image).toBeUndefined(); // embeds cannot preview videos; the attachment plays
    // The output is a video, so the card says so (not "Images: 1"); a video offers reroll only.
    expect(embed.fields).toEqual(expect.arrayContaining([{ name: 'Videos', value: '1', inline: true }]));
    expect(JSON.stringify(embed.fields)).not.toContain('Images');
    expect(
      (final.body?.components as Array<{ components: Array<{ custom_id: string }> }>).map((row) =>
        row.components.map((button) => button.custom_id.split(':')[1]),
      ),
    ).toEqual([['reroll']]);
    expect(final.files).toHaveLength(1);
    expect(final.files[0].filename).toBe('clip.mp4');
    expect(Buffer.compare(final.files[0].bytes, Buffer.from(mp4))).toBe(0);
  });

  it('refuses a last frame without a first frame, privately', async () => {
    const { bot, dreamloom } = botWith({ script });
    const raw = await run(bot, {
      options: { prompt: 'petals swirl' },
      attachments: {
        last_frame: { url: 'https://cdn.test/b.png', filename: 'b.png', contentType: 'image/png' },
      },
    });
    expect(dreamloom.createdVideos).toHaveLength(0);
    const [reply] = discord.callsTo(`POST /interactions/:id/${raw.token}/callback`);
    expect(reply.body).toMatchObject({
      type: 4,
      data: { flags: EPHEMERAL, content: 'A last frame needs a first frame too.' },
    });
  });

  it('finishes a video outliving the interaction token as a channel message with the MP4', async () => {
    const { bot } = botWith({ script, stepDelayMs: 60, videoCost: 210 }, () => Date.now() + 90);
    const raw = await run(bot, { options: { prompt: 'a long pan over the city' } });

    const channelCalls = discord.calls.filter((c) =>
      c.path.startsWith(`/channels/${raw.channel.id}/messages`),
    );
    expect(channelCalls[0].method).toBe('POST');
    const webhookEdits = discord.calls.filter((c) =>
      c.path.startsWith(`/webhooks/${discord.appId}/${raw.token}`),
    );
    expect(webhookEdits.every((c) => c.at <= channelCalls[0].at)).toBe(true);
    const [message] = discord.channelMessages(raw.channel.id);
    expect(message.content).toContain('your /video job continues here');
    expect((message.embeds as EmbedJson[])[0].title).toBe('✅ Completed');
    expect(Buffer.compare(message.files.get('clip.mp4')!, Buffer.from(mp4))).toBe(0);
  });
});
