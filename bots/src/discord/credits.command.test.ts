import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DreamloomApiError } from '../shared/dreamloom-client.js';
import { JobTracker } from '../shared/job-tracker.js';
import { silentLogger } from '../shared/logger.js';
import {
  chatInputInteraction,
  dispatchInteraction,
  createOfflineDiscordBot,
} from '../testing/discord-interactions.js';
import { FakeDreamloomClient, type FakeDreamloomClientOptions } from '../testing/fake-dreamloom-client.js';
import { startFakeDiscordRest, type FakeDiscordRest } from '../testing/fake-discord-rest.js';
import { commandData } from './commands/index.js';
import { type DiscordBot } from './create-discord-bot.js';

const EPHEMERAL = 64;

describe('Discord /balance and /quote (discord.js against a fake REST API)', () => {
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

  async function run(
    options: FakeDreamloomClientOptions,
    commandName: string,
    args: Record<string, string | number>,
  ) {
    const dreamloom = new FakeDreamloomClient(options);
    const bot = createOfflineDiscordBot(
      { dreamloom, logger: silentLogger, editIntervalMs: 0, jobs },
      discord,
    );
    bots.push(bot);
    const raw = chatInputInteraction({
      appId: discord.appId,
      commandName,
      options: args,
      user: { id: '300000000000000077', username: 'rin', global_name: 'Rin' },
    });
    discord.registerInteraction(raw.token, raw.channel.id);
    dispatchInteraction(bot.client, raw);
    await jobs.idle();
    const [deferral] = discord.calls;
    const edits = discord.callsTo(`PATCH /webhooks/${discord.appId}/${raw.token}/messages/@original`);
    return { dreamloom, deferral, content: edits.at(-1)?.body?.content };
  }

  it('registers both commands and answers /balance privately', async () => {
    expect(commandData.map((data) => data.name)).toEqual(expect.arrayContaining(['balance', 'quote']));
    const { deferral, content } = await run({ balance: 777 }, 'balance', {});
    expect(deferral.body).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
    expect(content).toBe('Your balance: 777 MC');
  });

  it('shows the generations in flight and the limit in /balance (staff: no limit)', async () => {
    const member = await run(
      { balance: 40, jobs: { running: 2, queued: 1, limit: 3, dailyUsed: 3, dailyQuota: null } },
      'balance',
      {},
    );
    expect(member.deferral.body).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
    expect(member.content).toBe('Your balance: 40 MC\nGenerations: 2 running, 1 queued (limit 3 at once)');
    const staff = await run(
      { balance: 0, jobs: { running: 0, queued: 5, limit: null, dailyUsed: 5, dailyQuota: null } },
      'balance',
      {},
    );
    expect(staff.content).toBe('Your balance: 0 MC\nGenerations: 0 running, 5 queued');
  });

  it('quotes a video privately and explains refusals', async () => {
    const quoted = await run(
      { quote: { credits: 2100, explain: 'Kling 3.0 (kling-3.0/video), mode pro, 5 s: 2100 MC' } },
      'quote',
      { model: 'kling-3.0/video', quality: 'pro' },
    );
    expect(quoted.dreamloom.quotes).toEqual([
      { modelId: 'kling-3.0/video', durationSeconds: undefined, mode: 'pro' },
    ]);
    expect(quoted.deferral.body).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
    expect(quoted.content).toBe('Kling 3.0 (kling-3.0/video), mode pro, 5 s: 2100 MC');
    const refused = await run(
      { quote: new DreamloomApiError('VALIDATION_ERROR', 'Kling 3.0 takes no resolution', 400) },
      'quote',
      { model: 'kling-3.0/video', quality: '1080p', duration: 5 },
    );
    expect(refused.content).toBe('Cannot quote that: Kling 3.0 takes no resolution; leave it out.');
  });

  it('answers /help privately with every slash command, the prices and the next step at 0 MC', async () => {
    const help = await run(
      { balance: 0, imageQuote: { credits: 5, explain: 'jimeng-4.0, 2K: 5 MC × 1 image = 5 MC' } },
      'help',
      {},
    );
    expect(help.deferral.body).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
    const content = String(help.content);
    for (const name of commandData.map((data) => data.name))
      expect(content).toMatch(new RegExp(`^/${name}\\b`, 'm'));
    expect(content).toContain('Images: 5 MC per image');
    expect(content).toContain('You have 0 MC.\nCredits (MC) are added by the community staff');
  });

  it('answers /history privately, naming each generation by its short id', async () => {
    const taskId = '00000000-0000-4000-8000-000000000456';
    const history = await run(
      {
        history: {
          total: 1,
          entries: [
            {
              taskId,
              kind: 'video',
              status: 'failed',
              prompt: 'a storm',
              createdAt: '2026-01-01T00:00:00Z',
              outputs: [],
            },
          ],
        },
      },
      'history',
      {},
    );
    expect(history.content).toBe('Your latest generations (1 of 1):\n❌ 00000000 · video · a storm');
  });
});
