import { randomInt } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDreamloomClient,
  createTelegramBot,
  JobTracker,
  silentLogger,
  type DreamloomClient,
} from '@dreamloom/bots';
import { isPng } from '@dreamloom/bots/testing';
import {
  startFakeTelegramBotApi,
  textMessageUpdate,
  type FakeTelegramBotApi,
} from './fakes/telegram-bot-api.js';
import { api, botHeaders } from './support/clients.js';
import { startSystem, type RunningSystem } from './support/system.js';
import { taskIdOnCard } from './support/cards.js';

/**
 * `/imagine` on Telegram against the real system (server, worker, sandbox provider, Redis):
 * a real grammY bot whose Bot API calls go to a fake Telegram, and whose Dreamloom calls go
 * to the real server over HTTP and socket.io.
 */
describe('Telegram bot /imagine end to end', () => {
  let system: RunningSystem;
  let telegram: FakeTelegramBotApi;
  let dreamloom: DreamloomClient;

  beforeAll(async () => {
    system = await startSystem();
    telegram = await startFakeTelegramBotApi();
    dreamloom = createDreamloomClient({
      baseUrl: system.baseUrl,
      botToken: system.botToken,
      pollIntervalMs: 500,
    });
  });
  afterAll(async () => {
    await dreamloom?.close();
    await telegram?.close();
    await system?.stop();
  });

  it('posts a job card, edits it with progress, sends the PNG and ends with a completed card', async () => {
    // Slow the provider down so the job is visibly running for a while.
    system.sandbox.state.setLatency(1500);
    const jobs = new JobTracker();
    const bot = createTelegramBot(
      '700000:e2e-token',
      { dreamloom, logger: silentLogger, editIntervalMs: 100, jobs },
      { botInfo: telegram.botInfo, client: { apiRoot: telegram.apiRoot } },
    );
    const userId = randomInt(100_000, 2_000_000_000);
    await bot.handleUpdate(
      textMessageUpdate({
        updateId: 1,
        text: '/imagine a paper lantern festival on a river',
        from: { id: userId, first_name: 'Aiko', username: `aiko_${userId}` },
      }),
    );
    await jobs.idle();

    const cards = telegram.callsTo('sendMessage');
    expect(cards).toHaveLength(1);
    expect(cards[0].params).toMatchObject({ chat_id: userId, reply_parameters: { message_id: 1 } });
    const cardId = 1000;

    const edits = telegram.callsTo('editMessageText');
    expect(edits.every((e) => e.params.message_id === cardId && e.params.chat_id === userId)).toBe(true);
    const running = edits.filter((e) => /Generating|Progress: /.test(String(e.params.text)));
    expect(running.length).toBeGreaterThanOrEqual(1);

    const photos = telegram.callsTo('sendPhoto');
    expect(photos).toHaveLength(1);
    const [upload] = photos[0].uploads;
    expect(isPng(upload.bytes)).toBe(true);
    const meta = await sharp(upload.bytes).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBeGreaterThan(0);

    const last = telegram.calls.at(-1)!;
    expect(last.method).toBe('editMessageText');
    expect(String(last.params.text)).toContain('✅ Completed');
    expect(telegram.textOf(userId, cardId)).toContain('Status: Completed');

    // The server provisioned the Telegram user and the photo is the stored output of their task.
    const taskId = await taskIdOnCard(system, String(last.params.text));
    expect(taskId).toBeDefined();
    const status = await api(system.baseUrl, 'GET', `/api/generation/status/${taskId}`, {
      headers: botHeaders(system.botToken, 'telegram', String(userId)),
    });
    expect(status.status).toBe(200);
    expect(status.body.status).toBe('completed');
    const stored = Buffer.from(await (await fetch(status.body.results[0].image_url)).arrayBuffer());
    expect(Buffer.compare(stored, upload.bytes)).toBe(0);
  });
});
