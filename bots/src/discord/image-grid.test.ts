import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobTracker } from '../shared/job-tracker.js';
import { silentLogger } from '../shared/logger.js';
import {
  buttonInteraction,
  chatInputInteraction,
  createOfflineDiscordBot,
  dispatchInteraction,
} from '../testing/discord-interactions.js';
import { FakeDreamloomClient } from '../testing/fake-dreamloom-client.js';
import {
  startFakeDiscordRest,
  type DiscordRestCall,
  type FakeDiscordRest,
} from '../testing/fake-discord-rest.js';
import { solidPng } from '../testing/png.js';
import type { DiscordBot } from './create-discord-bot.js';
import { composeImageGrid } from './image-grid.js';

const EPHEMERAL = 64;
/** Four clearly different colours, so each quadrant tells which image it shows. */
const colours: Array<[number, number, number]> = [
  [230, 30, 30],
  [30, 200, 40],
  [40, 60, 230],
  [240, 220, 20],
];
const urls = colours.map((_, i) => `http://media.test/${i + 1}.png`);
const media = Object.fromEntries(
  urls.map((url, i) => [
    url,
    { bytes: solidPng(40, 30, colours[i]), contentType: 'image/png', filename: `${i + 1}.png` },
  ]),
);
type Row = { components: Array<{ custom_id: string; label: string; style: number }> };
const rowsOf = (call: DiscordRestCall) => (call.body?.components as Row[]).map((row) => row.components);

/** The colour at the centre of a grid cell. */
async function pixel(bytes: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  const offset = (y * info.width + x) * info.channels;
  return [...data.subarray(offset, offset + 3)];
}

function expectColour(actual: number[], expected: [number, number, number]) {
  // JPEG: close, not exact.
  actual.forEach((value, i) => expect(Math.abs(value - expected[i])).toBeLessThan(16));
}

describe('composeImageGrid', () => {
  it('places image 1 top left, 2 top right, 3 bottom left, 4 bottom right', async () => {
    const grid = await composeImageGrid(colours.map((c) => solidPng(40, 30, c)));
    expect(grid).toMatchObject({ width: 80, height: 60, cell: { width: 40, height: 30 } });
    const meta = await sharp(grid.bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 80, 60]);
    for (const [i, colour] of colours.entries())
      expectColour(await pixel(grid.bytes, (i % 2) * 40 + 20, Math.floor(i / 2) * 30 + 15), colour);
  });

  it('scales large images down to cells of at most 1024 px', async () => {
    const big = solidPng(2048, 1024, [10, 10, 10]);
    const grid = await composeImageGrid([big, big]);
    expect(grid).toMatchObject({ width: 2048, height: 512, cell: { width: 1024, height: 512 } });
  });
});

describe('Discord batch results as one grid', () => {
  let discord: FakeDiscordRest;
  let jobs: JobTracker;
  let bot: DiscordBot;
  let dreamloom: FakeDreamloomClient;

  beforeEach(async () => {
    discord = await startFakeDiscordRest();
    jobs = new JobTracker();
    dreamloom = new FakeDreamloomClient({
      media,
      script: [{ status: 'completed', outputs: urls.map((url) => ({ url, width: 40, height: 30 })) }],
      imageActions: ['reroll', 'variation', 'upscale'],
    });
    bot = createOfflineDiscordBot({ dreamloom, logger: silentLogger, editIntervalMs: 0, jobs }, discord);
  });
  afterEach(async () => {
    await bot.stop();
    await discord.close();
  });

  it('posts one 2×2 grid whose quadrants are V1…V4 / U1…U4, and the originals privately on a click', async () => {
    const raw = chatInputInteraction({
      appId: discord.appId,
      commandName: 'imagine',
      options: { prompt: 'four moons', count: 4 },
      user: { id: '300000000000000042', username: 'mika' },
    });
    discord.registerInteraction(raw.token, raw.channel.id);
    dispatchInteraction(bot.client, raw);
    await jobs.idle();

    const final = discord.publicMessageCalls(raw.token).at(-1)!;
    expect(final.files).toHaveLength(1);
    const [grid] = final.files;
    expect(grid.filename).toBe('grid.jpg');
    const meta = await sharp(grid.bytes).metadata();
    expect([meta.width, meta.height]).toEqual([80, 60]);
    for (const [i, colour] of colours.entries())
      expectColour(await pixel(grid.bytes, (i % 2) * 40 + 20, Math.floor(i / 2) * 30 + 15), colour);
    const embed = (final.body?.embeds as Array<Record<string, unknown>>)[0];
    expect(embed.image).toEqual({ url: 'attachment://grid.jpg' });
    expect(JSON.stringify(embed.fields)).toContain(
      '1 top left · 2 top right · 3 bottom left · 4 bottom right',
    );
    expect(discord.publicMessage(raw.token)!.attachments.map((a) => a.filename)).toEqual(['grid.jpg']);

    const taskId = dreamloom.created[0].taskId;
    const rows = rowsOf(final);
    expect(rows.map((row) => row.map((b) => b.label))).toEqual([
      ['🔁 Reroll', '🖼 Originals'],
      ['V1', 'V2', 'V3', 'V4'],
      ['U1', 'U2', 'U3', 'U4'],
    ]);
    expect(rows[1].map((b) => b.custom_id)).toEqual([0, 1, 2, 3].map((i) => `dl:variation:${taskId}:${i}`));
    expect(rows[0][1].custom_id).toBe(`dl:originals:${taskId}:300000000000000042`);

    // Someone else in the channel asks for the originals: they are the grid's, already public.
    const pressed = buttonInteraction({
      appId: discord.appId,
      customId: rows[0][1].custom_id,
      user: { id: '300000000000000099', username: 'other' },
    });
    discord.registerInteraction(pressed.token, pressed.channel_id!);
    dispatchInteraction(bot.client, pressed);
    await jobs.idle();
    const answer = discord.original(pressed.token)!;
    expect(answer.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(answer.content).toBe('The 4 images, in grid order:');
    expect(answer.attachments.map((a) => a.filename)).toEqual(['1-1.png', '2-2.png', '3-3.png', '4-4.png']);
    urls.forEach((url, i) =>
      expect(Buffer.compare(answer.files.get(`${i + 1}-${i + 1}.png`)!, Buffer.from(media[url].bytes))).toBe(
        0,
      ),
    );
    expect(discord.publicMessage(pressed.token)).toBeUndefined();
  });
});
