import { REST } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DreamloomApiError } from '../shared/dreamloom-client.js';
import { JobTracker } from '../shared/job-tracker.js';
import { silentLogger } from '../shared/logger.js';
import {
  chatInputInteraction,
  dispatchInteraction,
  prepareOfflineClient,
  createOfflineDiscordBot,
} from '../testing/discord-interactions.js';
import { FakeDreamloomClient, type FakeDreamloomClientOptions } from '../testing/fake-dreamloom-client.js';
import { startFakeDiscordRest, type FakeDiscordRest } from '../testing/fake-discord-rest.js';
import { isPng, solidPng } from '../testing/png.js';
import { createImagineCommand } from './commands/imagine.command.js';
import { createDiscordBot, type DiscordBot } from './create-discord-bot.js';
import { deployCommands } from './deploy-commands.js';

const png = solidPng(6, 6);
const media = {
  'http://media.test/one.png': { bytes: png, contentType: 'image/png', filename: 'one.png' },
  'http://media.test/two.png': { bytes: png, contentType: 'image/png', filename: 'two.png' },
};
const EPHEMERAL = 64;

describe('Discord /imagine (discord.js against a fake REST API)', () => {
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

  function botWith(options: FakeDreamloomClientOptions, extra: { editIntervalMs?: number } = {}) {
    const dreamloom = new FakeDreamloomClient({ media, ...options });
    const bot = createOfflineDiscordBot(
      { dreamloom, logger: silentLogger, editIntervalMs: extra.editIntervalMs ?? 0, jobs },
      discord,
    );
    bots.push(bot);
    return { bot, dreamloom };
  }

  async function run(bot: DiscordBot, options: Record<string, string | number>) {
    const raw = chatInputInteraction({
      appId: discord.appId,
      commandName: 'imagine',
      options,
      user: { id: '300000000000000042', username: 'mika', global_name: 'Mika ✨' },
    });
    discord.registerInteraction(raw.token, raw.channel.id);
    dispatchInteraction(bot.client, raw);
    await jobs.idle();
    return raw;
  }

  it('defers, edits the card with progress, and ends with the image attached', async () => {
    const { bot, dreamloom } = botWith({
      script: [
        { status: 'pending', queuePosition: 2, etaSeconds: 30 },
        { status: 'processing', progress: 45, etaSeconds: 10 },
        { status: 'completed', outputs: [{ url: 'http://media.test/one.png', width: 6, height: 6 }] },
      ],
      stepDelayMs: 40,
      status: { status: 'completed', creditsUsed: 3 },
    });

    const raw = await run(bot, { prompt: 'a shrine at dusk', ratio: '16:9', count: 1 });

    expect(dreamloom.created[0]).toMatchObject({
      user: { platform: 'discord', id: '300000000000000042', username: 'Mika ✨' },
      input: { prompt: 'a shrine at dusk', aspectRatio: '16:9', batchSize: 1 },
    });

    // The first call is the private deferral (type 5, ephemeral), made without the bot token.
    const [first] = discord.calls;
    expect(first.method).toBe('POST');
    expect(first.path).toBe(`/interactions/${raw.id}/${raw.token}/callback`);
    expect(first.body).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
    // The private answer says the job started; the card is a public follow-up.
    expect(discord.original(raw.token)).toMatchObject({
      content: '✅ Your /imagine job has started; its card is below.',
      flags: EPHEMERAL,
    });

    const edits = discord.publicMessageCalls(raw.token);
    expect(edits[0].method).toBe('POST');
    expect(edits.slice(1).every((e) => e.method === 'PATCH')).toBe(true);
    expect(edits.length).toBeGreaterThanOrEqual(3);
    const embedOf = (c: (typeof edits)[number]) => (c.body?.embeds as Array<Record<string, unknown>>)[0];
    expect(embedOf(edits[0]).title).toBe('🕒 Queued');
    expect(edits.some((e) => JSON.stringify(embedOf(e)).includes('#2'))).toBe(true);
    expect(edits.some((e) => JSON.stringify(embedOf(e)).includes('45%'))).toBe(true);

    const final = edits.at(-1)!;
    expect(embedOf(final)).toMatchObject({
      title: '✅ Completed',
      description: 'a shrine at dusk',
      image: { url: 'attachment://one.png' },
    });
    expect(JSON.stringify(embedOf(final).fields)).toContain('"Credits","value":"3"');
    // The card is a follow-up without Discord's "used /imagine" header, so it says who asked.
    expect(embedOf(final).fields).toEqual(
      expect.arrayContaining([
        { name: 'Requested by', value: '<@300000000000000042>', inline: true },
        { name: 'Settings', value: '16:9', inline: true },
      ]),
    );
    expect(final.body?.attachments).toMatchObject([{ id: '0' }]);
    expect(final.files).toHaveLength(1);
    expect(final.files[0]).toMatchObject({ field: 'files[0]', filename: 'one.png' });
    expect(isPng(final.files[0].bytes)).toBe(true);
    expect(Buffer.compare(final.files[0].bytes, Buffer.from(png))).toBe(0);

    const original = discord.publicMessage(raw.token)!;
    expect(original.attachments.map((a) => a.filename)).toEqual(['one.png']);
    expect(original.channel_id).toBe(raw.channel.id);
    expect(discord.calls.filter((c) => c.path.startsWith('/channels/'))).toEqual([]);
  });

  it('puts a batch into one grid image (see image-grid.test.ts)', async () => {
    const { bot } = botWith({
      script: [
        {
          status: 'completed',
          outputs: [{ url: 'http://media.test/one.png' }, { url: 'http://media.test/two.png' }],
        },
      ],
      status: { status: 'completed', creditsUsed: 2 },
    });
    const raw = await run(bot, { prompt: 'pair', count: 2 });
    const final = discord.publicMessageCalls(raw.token).at(-1)!;
    expect(final.files.map((f) => f.filename)).toEqual(['grid.jpg']);
    expect(final.files[0].contentType).toBe('image/jpeg');
  });

  it('shows a failed job on the public card', async () => {
    const { bot } = botWith({
      script: [{ status: 'failed', error: { code: 'CONTENT_BLOCKED', message: 'Blocked by the provider.' } }],
    });
    const raw = await run(bot, { prompt: 'x' });
    const embed = (discord.publicMessage(raw.token)!.embeds as Array<Record<string, unknown>>)[0];
    expect(embed.title).toBe('❌ Failed');
    expect(JSON.stringify(embed.fields)).toContain('Blocked by the provider.');
    expect(discord.publicMessage(raw.token)!.attachments).toEqual([]);
  });

  it('answers a refused job privately, in plain words, and posts nothing public', async () => {
    const { bot } = botWith({
      createError: new DreamloomApiError(
        'VALIDATION_ERROR',
        'body.prompt: Too big: expected string to have <=2000 characters',
        400,
      ),
    });
    const raw = await run(bot, { prompt: 'x' });
    expect(discord.original(raw.token)).toMatchObject({
      content:
        '❌ Your prompt is too long: images take up to 2000 characters, videos up to 5000. Shorten it and try again.',
      flags: EPHEMERAL,
    });
    expect(discord.publicMessage(raw.token)).toBeUndefined();
    expect(discord.followUps(raw.token)).toEqual([]);
    expect(discord.channelMessages(raw.channel.id)).toEqual([]);
  });

  it('catches a failing command in the error boundary and answers ephemerally', async () => {
    const dreamloom = new FakeDreamloomClient();
    const bot = createDiscordBot(
      {
        dreamloom,
        logger: silentLogger,
        editIntervalMs: 0,
        jobs,
        commands: [
          {
            data: createImagineCommand({ imagine: { dreamloom, logger: silentLogger, editIntervalMs: 0 } })
              .data,
            execute: async () => {
              throw new Error('database exploded');
            },
          },
        ],
      },
      { rest: { api: discord.api } },
    );
    prepareOfflineClient(bot.client, { appId: discord.appId });
    bots.push(bot);
    const raw = await run(bot, { prompt: 'x' });
    const [reply] = discord.callsTo(`POST /interactions/:id/${raw.token}/callback`);
    expect(reply.body).toMatchObject({ type: 4, data: { flags: EPHEMERAL } });
    const content = (reply.body?.data as { content: string }).content;
    expect(content).toContain('Sorry, something went wrong');
    expect(content).not.toContain('database');
  });

  it('continues the card as a channel message when the interaction token has expired', async () => {
    const dreamloom = new FakeDreamloomClient({
      media,
      script: [
        { status: 'processing', progress: 50 },
        { status: 'completed', outputs: [{ url: 'http://media.test/one.png' }] },
      ],
      stepDelayMs: 40,
      status: { status: 'completed', creditsUsed: 1 },
    });
    const bot = createOfflineDiscordBot(
      { dreamloom, logger: silentLogger, editIntervalMs: 0, jobs },
      discord,
    );
    bots.push(bot);
    const raw = chatInputInteraction({
      appId: discord.appId,
      commandName: 'imagine',
      options: { prompt: 'long job' },
    });
    discord.registerInteraction(raw.token, raw.channel.id);
    dispatchInteraction(bot.client, raw);
    // Let the deferral and the first card edit through, then expire the token.
    for (let i = 0; i < 100 && discord.publicMessageCalls(raw.token).length === 0; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    discord.expireToken(raw.token);
    await jobs.idle();

    const channel = discord.channelMessages(raw.channel.id);
    expect(channel).toHaveLength(1);
    expect(channel[0].content).toContain(`<@${raw.member.user.id}>`);
    expect((channel[0].embeds as Array<{ title: string }>)[0].title).toBe('✅ Completed');
    expect(channel[0].attachments.map((a) => a.filename)).toEqual(['one.png']);
    expect(isPng(channel[0].files.get('one.png')!)).toBe(true);
    const channelCalls = discord.calls.filter((c) => c.path.startsWith('/channels/'));
    expect(channelCalls.every((c) => c.authorization === 'Bot offline-test-token')).toBe(true);
  });

  it('stops using the interaction token at its deadline and finishes in the channel', async () => {
    const dreamloom = new FakeDreamloomClient({
      media,
      script: [
        { status: 'processing', progress: 30 },
        { status: 'processing', progress: 60 },
        { status: 'completed', outputs: [{ url: 'http://media.test/one.png' }] },
      ],
      stepDelayMs: 60,
      status: { status: 'completed', creditsUsed: 1 },
    });
    const imagine = createImagineCommand({
      imagine: { dreamloom, logger: silentLogger, editIntervalMs: 0 },
      // As if the 14-minute budget ran out while the job was generating.
      tokenDeadline: () => Date.now() + 90,
    });
    const bot = createOfflineDiscordBot(
      { dreamloom, logger: silentLogger, editIntervalMs: 0, jobs, commands: [imagine] },
      discord,
    );
    bots.push(bot);
    const raw = await run(bot, { prompt: 'a very long render' });

    const webhookEdits = discord.calls.filter((c) =>
      c.path.startsWith(`/webhooks/${discord.appId}/${raw.token}`),
    );
    expect(webhookEdits.length).toBeGreaterThanOrEqual(1);
    expect(webhookEdits.every((c) => c.files.length === 0)).toBe(true);
    const [post, ...patches] = discord.calls.filter((c) =>
      c.path.startsWith(`/channels/${raw.channel.id}/messages`),
    );
    expect(post.method).toBe('POST');
    expect(patches.length).toBeGreaterThanOrEqual(1);
    expect(patches.every((c) => c.method === 'PATCH')).toBe(true);
    // Nothing was sent with the token after the switch.
    expect(webhookEdits.every((c) => c.at <= post.at)).toBe(true);
    const [message] = discord.channelMessages(raw.channel.id);
    expect((message.embeds as Array<{ title: string }>)[0].title).toBe('✅ Completed');
    expect(isPng(message.files.get('one.png')!)).toBe(true);
  });

  it('registers the slash commands through REST', async () => {
    const rest = new REST({ api: discord.api });
    const { count } = await deployCommands({ token: 'deploy-token', appId: discord.appId, rest });
    // /imagine, /story (contract 002 story play), /balance, /quote, /history, /show (contracts 000/001), /video, /help.
    expect(count).toBe(8);
    const [put] = discord.callsTo(`PUT /applications/${discord.appId}/commands`);
    expect(put.authorization).toBe('Bot deploy-token');
    const [imagine, story] = put.body as unknown as Array<{
      name: string;
      options: Array<{ name: string; required?: boolean }>;
    }>;
    expect(story.name).toBe('story');
    expect(story.options.map((o) => o.name)).toEqual(['list', 'start', 'regenerate', 'end']);
    expect(imagine.name).toBe('imagine');
    expect(imagine.options.map((o) => o.name)).toEqual(['prompt', 'ratio', 'count']);
    expect(imagine.options[0].required).toBe(true);

    await deployCommands({
      token: 'deploy-token',
      appId: discord.appId,
      guildId: '400000000000000001',
      rest,
    });
    expect(
      discord.callsTo(`PUT /applications/${discord.appId}/guilds/400000000000000001/commands`),
    ).toHaveLength(1);
  });
});
