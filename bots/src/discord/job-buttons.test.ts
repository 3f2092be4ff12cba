import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DreamloomApiError } from '../shared/dreamloom-client.js';
import { JobTracker } from '../shared/job-tracker.js';
import { silentLogger } from '../shared/logger.js';
import {
  buttonInteraction,
  chatInputInteraction,
  dispatchInteraction,
  createOfflineDiscordBot,
} from '../testing/discord-interactions.js';
import { FakeDreamloomClient, type FakeDreamloomClientOptions } from '../testing/fake-dreamloom-client.js';
import {
  startFakeDiscordRest,
  type DiscordRestCall,
  type FakeDiscordRest,
} from '../testing/fake-discord-rest.js';
import { solidPng } from '../testing/png.js';
import { type DiscordBot } from './create-discord-bot.js';

const png = solidPng(6, 6);
const media = { 'http://media.test/one.png': { bytes: png, contentType: 'image/png', filename: 'one.png' } };
const done: FakeDreamloomClientOptions['script'] = [
  { status: 'processing', progress: 50 },
  { status: 'completed', outputs: [{ url: 'http://media.test/one.png' }] },
];
const EPHEMERAL = 64;
type Row = { components: Array<{ custom_id: string; label: string; style: number }> };
const buttonsOf = (call: DiscordRestCall) =>
  ((call.body?.components as Row[] | undefined) ?? []).flatMap((row) => row.components);

describe('Discord job card buttons', () => {
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

  function botWith(options: FakeDreamloomClientOptions, jobTimeoutMs?: number) {
    const dreamloom = new FakeDreamloomClient({ media, ...options });
    return { bot: botOn(dreamloom, jobTimeoutMs), dreamloom };
  }

  /** A bot process on the given (fake) server; several may share one, as after a restart. */
  function botOn(dreamloom: FakeDreamloomClient, jobTimeoutMs?: number) {
    const bot = createOfflineDiscordBot(
      { dreamloom, logger: silentLogger, editIntervalMs: 0, jobs, jobTimeoutMs },
      discord,
    );
    bots.push(bot);
    return bot;
  }

  function imagine(bot: DiscordBot, prompt: string) {
    const raw = chatInputInteraction({
      appId: discord.appId,
      commandName: 'imagine',
      options: { prompt, count: 2 },
    });
    discord.registerInteraction(raw.token, raw.channel.id);
    dispatchInteraction(bot.client, raw);
    return raw;
  }

  function press(bot: DiscordBot, customId: string, user?: { id: string; username: string }) {
    const raw = buttonInteraction({ appId: discord.appId, customId, user });
    discord.registerInteraction(raw.token, raw.channel_id!);
    dispatchInteraction(bot.client, raw);
    return raw;
  }

  async function until(check: () => boolean) {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(check()).toBe(true);
  }

  it('rerolls a finished job on the server from a restarted bot, into a new card', async () => {
    const { bot: first, dreamloom } = botWith({ script: done, stepDelayMs: 10 });
    const raw = imagine(first, 'a lighthouse at dawn');
    await jobs.idle();
    const final = discord.publicMessageCalls(raw.token).at(-1)!;
    const [reroll] = buttonsOf(final);
    expect(reroll).toMatchObject({
      custom_id: `dl:reroll:${dreamloom.created[0].taskId}`,
      label: '🔁 Reroll',
    });

    // The bot restarted: the press reaches a new instance that never saw the job.
    await first.stop();
    const pressed = press(botOn(dreamloom), reroll.custom_id);
    await jobs.idle();

    expect(dreamloom.created).toHaveLength(1);
    expect(dreamloom.actions.map((a) => a.from)).toEqual([
      { action: 'reroll', taskId: dreamloom.created[0].taskId },
    ]);
    const [ack] = discord.callsTo(`POST /interactions/:id/${pressed.token}/callback`);
    expect(ack.body).toMatchObject({ type: 5 });
    const card = discord.publicMessageCalls(pressed.token).at(-1)!;
    expect((card.body?.embeds as Array<{ title: string }>)[0].title).toBe('✅ Completed');
    expect(card.files).toHaveLength(1);
    expect(buttonsOf(card)[0].custom_id).toBe(`dl:reroll:${dreamloom.actions[0].taskId}`);
  });

  it('lays out V1…V4 and U1…U4 under a grid; variation and upscale start new cards', async () => {
    const grid = [1, 2, 3, 4].map((n) => `http://media.test/${n}.png`);
    const { bot, dreamloom } = botWith({
      script: [{ status: 'completed', outputs: grid.map((url) => ({ url })) }],
      media: Object.fromEntries(grid.map((url) => [url, media['http://media.test/one.png']])),
      imageActions: ['reroll', 'variation', 'upscale'],
    });
    const raw = imagine(bot, 'four moons');
    await jobs.idle();
    const final = discord.publicMessageCalls(raw.token).at(-1)!;
    const rows = (final.body?.components as Row[]).map((row) => row.components);
    expect(rows.map((row) => row.map((b) => b.label))).toEqual([
      ['🔁 Reroll', '🖼 Originals'],
      ['V1', 'V2', 'V3', 'V4'],
      ['U1', 'U2', 'U3', 'U4'],
    ]);
    // Discord: at most 5 rows of 5 buttons, custom ids of at most 100 characters.
    expect(rows.length).toBeLessThanOrEqual(5);
    expect(rows.every((row) => row.length <= 5)).toBe(true);
    const original = dreamloom.created[0].taskId;
    expect(rows[1][1].custom_id).toBe(`dl:variation:${original}:1`);

    const vary = press(bot, rows[1][1].custom_id);
    const upscale = press(bot, rows[2][0].custom_id);
    await jobs.idle();
    expect(dreamloom.actions.map((a) => a.from)).toEqual([
      { action: 'variation', taskId: original, imageIndex: 1 },
      { action: 'upscale', taskId: original, imageIndex: 0 },
    ]);
    for (const pressed of [vary, upscale]) {
      const card = discord.publicMessageCalls(pressed.token).at(-1)!;
      expect((card.body?.embeds as Array<{ title: string }>)[0].title).toBe('✅ Completed');
      // Four images again, as one grid.
      expect(card.files.map((f) => f.filename)).toEqual(['grid.jpg']);
    }
  });

  it("answers privately when someone presses reroll on another member's job", async () => {
    const { bot, dreamloom } = botWith({ script: done });
    imagine(bot, 'a quiet library');
    await jobs.idle();
    const pressed = press(bot, `dl:reroll:${dreamloom.created[0].taskId}`, {
      id: '300000000000000099',
      username: 'other',
    });
    await jobs.idle();
    expect(dreamloom.actions).toHaveLength(0);
    // Deferred privately, so the refusal is the member's alone and nothing public appears.
    expect(discord.original(pressed.token)).toMatchObject({
      content: '❌ Only the member who started this job can use its buttons.',
      flags: EPHEMERAL,
    });
    expect(discord.publicMessage(pressed.token)).toBeUndefined();
  });

  it('cancels a queued job; the card reads Cancelled with the refund and loses its cancel button', async () => {
    const { bot, dreamloom } = botWith({ script: [{ status: 'pending', queuePosition: 2, creditsUsed: 4 }] });
    const raw = imagine(bot, 'a crowded night market');
    const edits = () => discord.publicMessageCalls(raw.token);
    await until(() => edits().some((e) => buttonsOf(e).length > 0));
    const queued = edits().findLast((e) => buttonsOf(e).length > 0)!;
    expect((queued.body?.embeds as Array<{ title: string }>)[0].title).toBe('🕒 Queued');
    const [cancel] = buttonsOf(queued);
    expect(cancel).toMatchObject({
      custom_id: `dl:cancel:${dreamloom.created[0].taskId}`,
      label: '✖ Cancel',
    });

    const pressed = press(bot, cancel.custom_id, { id: '300000000000000001', username: 'mika' });
    await jobs.idle();

    expect(dreamloom.cancelled.map((c) => c.taskId)).toEqual([dreamloom.created[0].taskId]);
    expect(discord.callsTo(`POST /interactions/:id/${pressed.token}/callback`)[0].body).toMatchObject({
      type: 6,
    });
    // The presser reads the outcome at once, privately, with what was refunded.
    const [answer] = discord.followUps(pressed.token);
    expect(answer).toMatchObject({ content: '🚫 Cancelled — 4 MC refunded.', flags: EPHEMERAL });
    const final = edits().at(-1)!;
    const embed = (final.body?.embeds as Array<{ title: string; fields: unknown }>)[0];
    expect(embed.title).toBe('🚫 Cancelled');
    expect(JSON.stringify(embed.fields)).toContain('"Status","value":"Cancelled — 4 MC refunded"');
    expect(JSON.stringify(embed.fields)).not.toContain('Error');
    expect(buttonsOf(final).map((b) => b.label)).toEqual(['🔁 Reroll']);
  });

  it("answers privately when someone presses cancel on another member's job", async () => {
    const { bot, dreamloom } = botWith(
      {
        script: [{ status: 'pending', queuePosition: 1 }],
        cancelError: new DreamloomApiError('TASK_NOT_FOUND', 'Generation not found', 404),
      },
      300,
    );
    imagine(bot, 'a quiet library');
    await until(() => dreamloom.created.length === 1);
    const pressed = press(bot, `dl:cancel:${dreamloom.created[0].taskId}`, {
      id: '300000000000000099',
      username: 'other',
    });
    await jobs.idle();
    const [followUp] = discord.followUps(pressed.token);
    expect(followUp.content).toBe('❌ Only the member who started this job can cancel it.');
    expect(followUp.flags & EPHEMERAL).toBe(EPHEMERAL);
  });
});
