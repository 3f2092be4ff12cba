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
  chatInputInteraction,
  dispatchInteraction,
  createOfflineDiscordBot,
  startFakeDiscordRest,
  type DiscordRestCall,
  type FakeDiscordRest,
} from './fakes/discord-rest.js';
import { api, botHeaders } from './support/clients.js';
import { startSystem, type RunningSystem } from './support/system.js';

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
    const taskId = /Task ([0-9a-f-]{36})/.exec(JSON.stringify(embed(final)))?.[1];
    expect(taskId).toBeDefined();
    const status = await api(system.baseUrl, 'GET', `/api/generation/status/${taskId}`, {
      headers: botHeaders(system.botToken, 'discord', userId),
    });
    expect(status.body.status).toBe('completed');
    const stored = Buffer.from(await (await fetch(status.body.results[0].image_url)).arrayBuffer());
    expect(Buffer.compare(stored, bytes)).toBe(0);
  });
});
