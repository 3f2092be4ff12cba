import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDreamloomClient,
  JobTracker,
  silentLogger,
  type DiscordBot,
  type DreamloomClient,
} from '@dreamloom/bots';
import { isPng } from '@dreamloom/bots/testing';
import {
  buttonInteraction,
  chatInputInteraction,
  dispatchInteraction,
  createOfflineDiscordBot,
  startFakeDiscordRest,
  type DiscordRestCall,
  type FakeDiscordRest,
} from './fakes/discord-rest.js';
import { api, botHeaders } from './support/clients.js';
import { startSystem, type RunningSystem } from './support/system.js';
import { taskIdOnCard } from './support/cards.js';

/**
 * `/imagine` on Discord against the real system (server, worker, sandbox provider, Redis):
 * real discord.js interaction objects whose REST calls go to a fake Discord, and a Dreamloom
 * client talking to the real server over HTTP and socket.io.
 */
describe('Discord bot /imagine end to end', () => {
  let system: RunningSystem;
  let discord: FakeDiscordRest;
  let dreamloom: DreamloomClient;
  let bot: DiscordBot;
  const jobs = new JobTracker();

  beforeAll(async () => {
    system = await startSystem();
    discord = await startFakeDiscordRest();
    dreamloom = createDreamloomClient({
      baseUrl: system.baseUrl,
      botToken: system.botToken,
      pollIntervalMs: 500,
    });
    bot = createOfflineDiscordBot({ dreamloom, logger: silentLogger, editIntervalMs: 100, jobs }, discord);
  });
  afterAll(async () => {
    await bot?.stop();
    await dreamloom?.close();
    await discord?.close();
    await system?.stop();
  });

  it('defers, edits the card with progress, and finishes with the PNG attached', async () => {
    system.sandbox.state.setLatency(1500);
    const userId = `3${Date.now()}${Math.floor(Math.random() * 1000)}`.slice(0, 19);
    const raw = chatInputInteraction({
      appId: discord.appId,
      commandName: 'imagine',
      options: { prompt: 'a moonlit bamboo forest', ratio: '16:9' },
      user: { id: userId, username: 'ren', global_name: 'Ren' },
    });
    discord.registerInteraction(raw.token, raw.channel.id);
    dispatchInteraction(bot.client, raw);
    await jobs.idle();

    const [defer] = discord.calls;
    expect(defer.path).toBe(`/interactions/${raw.id}/${raw.token}/callback`);
    // Deferred privately: a refusal would stay the member's alone; the card is a public follow-up.
    expect(defer.body).toMatchObject({ type: 5, data: { flags: 64 } });

    const edits = discord.publicMessageCalls(raw.token);
    const embed = (call: DiscordRestCall) => (call.body?.embeds as Array<Record<string, unknown>>)[0];
    const running = edits.filter((e) => /Generating|▰|▱/.test(JSON.stringify(embed(e))));
    expect(running.length).toBeGreaterThanOrEqual(1);

    const final = edits.at(-1)!;
    expect(embed(final)).toMatchObject({ title: '✅ Completed', description: 'a moonlit bamboo forest' });
    expect(final.files).toHaveLength(1);
    const bytes = final.files[0].bytes;
    expect(isPng(bytes)).toBe(true);
    const meta = await sharp(bytes).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width! / meta.height!).toBeCloseTo(16 / 9, 1);
    expect((embed(final).image as { url: string }).url).toBe(`attachment://${final.files[0].filename}`);

    const original = discord.publicMessage(raw.token)!;
    expect(original.attachments).toHaveLength(1);
    expect(discord.calls.filter((c) => c.path.startsWith('/channels/'))).toEqual([]);

    // The attachment is the stored output of the Discord user's task.
    const taskId = await taskIdOnCard(system, JSON.stringify(embed(final)));
    expect(taskId).toBeDefined();
    const status = await api(system.baseUrl, 'GET', `/api/generation/status/${taskId}`, {
      headers: botHeaders(system.botToken, 'discord', userId),
    });
    expect(status.body.status).toBe('completed');
    const stored = Buffer.from(await (await fetch(status.body.results[0].image_url)).arrayBuffer());
    expect(Buffer.compare(stored, bytes)).toBe(0);
  });

  it('sends a batch as one 2×2 grid whose quadrants are the stored images, and the originals on a click', async () => {
    const userId = `3${Date.now()}${Math.floor(Math.random() * 1000)}`.slice(0, 19);
    const raw = chatInputInteraction({
      appId: discord.appId,
      commandName: 'imagine',
      options: { prompt: 'four seasons of one garden', ratio: '1:1', count: 4 },
      user: { id: userId, username: 'ren', global_name: 'Ren' },
    });
    discord.registerInteraction(raw.token, raw.channel.id);
    dispatchInteraction(bot.client, raw);
    await jobs.idle();

    const final = discord.publicMessageCalls(raw.token).at(-1)!;
    const embed = (final.body?.embeds as Array<Record<string, unknown>>)[0];
    expect(embed.title).toBe('✅ Completed');
    expect(final.files.map((f) => f.filename)).toEqual(['grid.jpg']);
    // The buttons name the generation: dl:<action>:<uuid>[…].
    const taskId = /dl:reroll:([0-9a-f-]{36})/.exec(JSON.stringify(final.body?.components))?.[1];
    expect(taskId).toBeDefined();
    const status = await api(system.baseUrl, 'GET', `/api/generation/status/${taskId}`, {
      headers: botHeaders(system.botToken, 'discord', userId),
    });
    const results = status.body.results as Array<{ image_url: string }>;
    expect(results).toHaveLength(4);
    const stored = await Promise.all(
      results.map(async (r) => Buffer.from(await (await fetch(r.image_url)).arrayBuffer())),
    );

    // Quadrant i is stored image i, scaled to the cell: compare mean colours per channel.
    const grid = final.files[0].bytes;
    const meta = await sharp(grid).metadata();
    const cell = { width: meta.width! / 2, height: meta.height! / 2 };
    const first = await sharp(stored[0]).metadata();
    expect(cell.width / cell.height).toBeCloseTo(first.width! / first.height!, 1);
    // stats() reads its input, not the pipeline's output: render the extract/resize first.
    const means = async (image: ReturnType<typeof sharp>) =>
      (await sharp(await image.toBuffer()).stats()).channels.slice(0, 3).map((c) => c.mean);
    for (const [i, source] of stored.entries()) {
      const quadrant = await means(
        sharp(grid).extract({
          left: (i % 2) * cell.width,
          top: Math.floor(i / 2) * cell.height,
          width: cell.width,
          height: cell.height,
        }),
      );
      const expected = await means(sharp(source).resize(cell.width, cell.height));
      quadrant.forEach((value, c) => expect(Math.abs(value - expected[c]), `image ${i + 1}`).toBeLessThan(6));
    }

    const rows = (
      final.body?.components as Array<{ components: Array<{ custom_id: string; label: string }> }>
    ).map((row) => row.components);
    expect(rows.flat().map((b) => b.label)).toEqual(
      expect.arrayContaining(['V1', 'V4', 'U1', 'U4', '🖼 Originals']),
    );
    const originals = rows.flat().find((b) => b.label === '🖼 Originals')!;
    const pressed = buttonInteraction({
      appId: discord.appId,
      customId: originals.custom_id,
      user: { id: '399999999999999999', username: 'neighbour' },
    });
    discord.registerInteraction(pressed.token, pressed.channel_id!);
    dispatchInteraction(bot.client, pressed);
    await jobs.idle();
    const answer = discord.original(pressed.token)!;
    expect(answer.flags & 64).toBe(64);
    expect([...answer.files.values()].map((bytes, i) => Buffer.compare(bytes, stored[i]))).toEqual([
      0, 0, 0, 0,
    ]);
  });
});
