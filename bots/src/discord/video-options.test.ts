import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobTracker } from '../shared/job-tracker.js';
import { silentLogger } from '../shared/logger.js';
import {
  autocompleteInteraction,
  chatInputInteraction,
  createOfflineDiscordBot,
  dispatchInteraction,
} from '../testing/discord-interactions.js';
import { FakeDreamloomClient } from '../testing/fake-dreamloom-client.js';
import { startFakeDiscordRest, type FakeDiscordRest } from '../testing/fake-discord-rest.js';
import { imagineCommandData } from './commands/imagine.command.js';
import { quoteCommandData } from './commands/credits.command.js';
import { videoCommandData } from './commands/video.command.js';
import type { DiscordBot } from './create-discord-bot.js';

const AUTOCOMPLETE_RESULT = 8;

describe('Discord /video and /quote options from the server catalogue', () => {
  let discord: FakeDiscordRest;
  let jobs: JobTracker;
  let bot: DiscordBot;
  let dreamloom: FakeDreamloomClient;

  beforeEach(async () => {
    discord = await startFakeDiscordRest();
    jobs = new JobTracker();
    dreamloom = new FakeDreamloomClient({
      script: [{ status: 'processing', progress: 10 }],
      quote: { credits: 400, explain: 'Sora-2 Pro (sora-2-pro), pro, 10 s: 400 MC' },
    });
    bot = createOfflineDiscordBot({ dreamloom, logger: silentLogger, editIntervalMs: 0, jobs }, discord);
  });
  afterEach(async () => {
    await bot.stop();
    await dreamloom.close();
    await discord.close();
  });

  /** Types into `focused` of `/command` and returns the suggestions Discord received. */
  async function suggest(
    commandName: string,
    focused: string,
    options: Record<string, string | number> = {},
  ) {
    const raw = autocompleteInteraction({ appId: discord.appId, commandName, options, focused });
    dispatchInteraction(bot.client, raw);
    await jobs.idle();
    const [answer] = discord.callsTo(`POST /interactions/${raw.id}/${raw.token}/callback`);
    expect(answer.body?.type).toBe(AUTOCOMPLETE_RESULT);
    return (answer.body?.data as { choices: Array<{ name: string; value: string | number }> }).choices;
  }

  it('offers models by display name, the id as the value', async () => {
    expect(await suggest('video', 'model', { model: 'kl' })).toEqual([
      { name: 'Kling 2.5', value: 'kling/video-v2.5' },
      { name: 'Kling 3.0', value: 'kling-3.0/video' },
    ]);
    expect((await suggest('quote', 'model')).map((c) => c.name)).toEqual([
      'Wan 2.5',
      'Kling 2.5',
      'Kling 3.0',
      'Sora-2',
      'Sora-2 Pro',
    ]);
  });

  it('narrows durations, ratios and quality to what the chosen model takes', async () => {
    expect(await suggest('video', 'duration', { model: 'sora-2' })).toEqual([
      { name: '10 s', value: 10 },
      { name: '15 s', value: 15 },
    ]);
    // No model chosen yet: /video's default model (Kling 2.5) applies.
    expect((await suggest('video', 'duration')).map((c) => c.value)).toEqual([5, 10]);
    expect((await suggest('video', 'ratio', { model: 'sora-2' })).map((c) => c.value)).toEqual([
      '16:9',
      '9:16',
    ]);
    expect(await suggest('video', 'quality', { model: 'kling-3.0/video' })).toEqual([
      { name: 'std (standard)', value: 'std' },
      { name: 'pro (high quality)', value: 'pro' },
    ]);
    expect((await suggest('video', 'quality', { model: 'wan/2.5' })).map((c) => c.value)).toEqual([
      '720p',
      '1080p',
    ]);
    // A model with neither resolutions nor modes: nothing to offer, so nothing to refuse.
    expect(await suggest('video', 'quality', { model: 'Sora-2' })).toEqual([]);
    expect((await suggest('quote', 'duration', { model: 'sora-2-pro' })).map((c) => c.value)).toEqual([
      10, 15,
    ]);
    // /quote without a model: every length, with the models that make it.
    expect(await suggest('quote', 'duration')).toEqual([
      { name: '5 s (Wan 2.5, Kling 2.5, Kling 3.0)', value: 5 },
      { name: '10 s (Wan 2.5, Kling 2.5, Kling 3.0, Sora-2, Sora-2 Pro)', value: 10 },
      { name: '15 s (Sora-2, Sora-2 Pro)', value: 15 },
    ]);
    // One catalogue read serves every suggestion of the minute.
    expect(dreamloom.videoModelReads).toBe(1);
  });

  it('sends a suggested quality as the mode or resolution the model takes, and names the model on the card', async () => {
    const raw = chatInputInteraction({
      appId: discord.appId,
      commandName: 'video',
      options: { prompt: 'rain on a tin roof', model: 'kling-3.0/video', duration: 10, quality: 'pro' },
    });
    discord.registerInteraction(raw.token, raw.channel.id);
    dispatchInteraction(bot.client, raw);
    for (let i = 0; i < 100 && !discord.publicMessage(raw.token); i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(dreamloom.createdVideos[0].input).toMatchObject({
      modelId: 'kling-3.0/video',
      durationSeconds: 10,
      mode: 'pro',
    });
    expect(dreamloom.createdVideos[0].input).not.toHaveProperty('resolution', 'pro');
    const embed = (discord.publicMessage(raw.token)!.embeds as Array<{ fields: unknown }>)[0];
    expect(JSON.stringify(embed.fields)).toContain('Kling 3.0 · pro · 10 s');
  });

  it('refuses a last frame privately, before any charge, for a model that takes a first frame only', async () => {
    const raw = chatInputInteraction({
      appId: discord.appId,
      commandName: 'video',
      options: { prompt: 'she turns around', model: 'wan/2.5' },
      attachments: {
        first_frame: { url: 'https://cdn.test/a.png', filename: 'a.png', contentType: 'image/png' },
        last_frame: { url: 'https://cdn.test/b.png', filename: 'b.png', contentType: 'image/png' },
      },
    });
    discord.registerInteraction(raw.token, raw.channel.id);
    dispatchInteraction(bot.client, raw);
    await jobs.idle();
    expect(dreamloom.createdVideos).toEqual([]);
    expect(discord.original(raw.token)).toMatchObject({
      content:
        '❌ Wan 2.5 starts from a first frame only; leave the last frame out, or choose Kling 3.0 or Sora-2 or Sora-2 Pro.',
      flags: 64,
    });
    expect(discord.publicMessage(raw.token)).toBeUndefined();
  });

  it('quotes a model typed by its display name', async () => {
    const raw = chatInputInteraction({
      appId: discord.appId,
      commandName: 'quote',
      options: { model: 'Sora-2 Pro', duration: 10, quality: 'pro' },
    });
    discord.registerInteraction(raw.token, raw.channel.id);
    dispatchInteraction(bot.client, raw);
    await jobs.idle();
    expect(dreamloom.quotes).toEqual([{ modelId: 'sora-2-pro', durationSeconds: 10, mode: 'pro' }]);
    expect(discord.original(raw.token)?.content).toBe('Sora-2 Pro (sora-2-pro), pro, 10 s: 400 MC');
  });

  it('declares the options as suggestions, not fixed lists, and offers 21:9 images', () => {
    for (const data of [videoCommandData.toJSON(), quoteCommandData.toJSON()]) {
      for (const name of ['model', 'duration', 'quality']) {
        const option = data.options!.find((o) => o.name === name) as {
          autocomplete?: boolean;
          choices?: unknown;
        };
        expect(option.autocomplete).toBe(true);
        expect(option.choices).toBeUndefined();
      }
    }
    const ratio = imagineCommandData.toJSON().options!.find((o) => o.name === 'ratio') as {
      choices: Array<{ value: string }>;
    };
    expect(ratio.choices.map((c) => c.value)).toContain('21:9');
  });
});
