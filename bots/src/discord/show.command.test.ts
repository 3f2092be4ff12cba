import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobTracker } from '../shared/job-tracker.js';
import { silentLogger } from '../shared/logger.js';
import {
  chatInputInteraction,
  createOfflineDiscordBot,
  dispatchInteraction,
} from '../testing/discord-interactions.js';
import { FakeDreamloomClient } from '../testing/fake-dreamloom-client.js';
import { startFakeDiscordRest, type FakeDiscordRest } from '../testing/fake-discord-rest.js';
import { solidPng } from '../testing/png.js';
import { commandData } from './commands/index.js';
import type { DiscordBot } from './create-discord-bot.js';

const EPHEMERAL = 64;
const RIN = { platform: 'discord' as const, id: '300000000000000077' };
const LANTERN = 'c0ffee12-0000-4000-8000-000000000001';
const THEIRS = 'deadbeef-0000-4000-8000-000000000002';

/** `/show <short id>` on Discord (issue 15): the card again, publicly, with its image and buttons. */
describe('Discord /show (discord.js against a fake REST API)', () => {
  let discord: FakeDiscordRest;
  let jobs: JobTracker;
  let bot: DiscordBot;

  beforeEach(async () => {
    discord = await startFakeDiscordRest();
    jobs = new JobTracker();
    const dreamloom = new FakeDreamloomClient({
      status: { status: 'completed', creditsUsed: 5, outputs: [{ url: 'http://media.test/lantern.png' }] },
      media: {
        'http://media.test/lantern.png': {
          bytes: solidPng(4, 4),
          contentType: 'image/png',
          filename: 'lantern.png',
        },
      },
      imageActions: ['reroll', 'variation', 'upscale'],
    });
    dreamloom.generations.set(LANTERN, {
      taskId: LANTERN,
      owner: RIN,
      kind: 'image',
      prompt: 'a paper lantern',
      input: { prompt: 'a paper lantern' },
    });
    dreamloom.generations.set(THEIRS, {
      taskId: THEIRS,
      owner: { platform: 'discord', id: '300000000000000099' },
      kind: 'image',
      prompt: 'not yours',
      input: { prompt: 'not yours' },
    });
    bot = createOfflineDiscordBot({ dreamloom, logger: silentLogger, editIntervalMs: 0, jobs }, discord);
  });
  afterEach(async () => {
    await bot.stop();
    await discord.close();
  });

  async function show(id: string) {
    const raw = chatInputInteraction({
      appId: discord.appId,
      commandName: 'show',
      options: { id },
      user: { id: RIN.id, username: 'rin', global_name: 'Rin' },
    });
    discord.registerInteraction(raw.token, raw.channel.id);
    dispatchInteraction(bot.client, raw);
    await jobs.idle();
    return raw;
  }

  it('posts the card again with its image and its buttons, after a private note', async () => {
    expect(commandData.find((data) => data.name === 'show')?.toJSON().options?.[0]).toMatchObject({
      name: 'id',
      min_length: 6,
      max_length: 36,
    });
    const raw = await show('c0ffee12');
    expect(discord.original(raw.token)).toMatchObject({
      content: '✅ Here is c0ffee12 again; its card is below.',
      flags: EPHEMERAL,
    });
    const card = discord.publicMessage(raw.token)!;
    expect(card.attachments.map((a) => a.filename)).toEqual(['lantern.png']);
    const final = discord.publicMessageCalls(raw.token).at(-1)!;
    const [embed] = final.body!.embeds as Array<{
      title: string;
      description: string;
      footer: { text: string };
      image: { url: string };
    }>;
    expect(embed).toMatchObject({
      title: '✅ Completed',
      description: 'a paper lantern',
      footer: { text: 'ID c0ffee12 · /show c0ffee12' },
      image: { url: 'attachment://lantern.png' },
    });
    const buttons = (
      final.body!.components as Array<{ components: Array<{ label: string; custom_id: string }> }>
    )
      .flatMap((row) => row.components)
      .map((button) => [button.label, button.custom_id]);
    expect(buttons).toEqual([
      ['🔁 Reroll', `dl:reroll:${LANTERN}`],
      ['🔀 Vary', `dl:variation:${LANTERN}:0`],
      ['⬆ Upscale 4K', `dl:upscale:${LANTERN}:0`],
    ]);
  });

  it('answers privately, with no card, for another member’s short id', async () => {
    const raw = await show('deadbeef');
    expect(discord.original(raw.token)).toMatchObject({
      content:
        '❌ None of your generations has an id starting with deadbeef. /history lists yours with their ids.',
      flags: EPHEMERAL,
    });
    expect(discord.publicMessage(raw.token)).toBeUndefined();
  });
});
