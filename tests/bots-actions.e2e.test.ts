import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDreamloomClient,
  createTelegramBot,
  JobTracker,
  silentLogger,
  type DiscordBot,
  type DreamloomClient,
} from '@dreamloom/bots';
import { buttonInteraction, callbackQueryUpdate, isPng } from '@dreamloom/bots/testing';
import {
  chatInputInteraction,
  dispatchInteraction,
  createOfflineDiscordBot,
  startFakeDiscordRest,
  type DiscordRestCall,
  type FakeDiscordRest,
} from './fakes/discord-rest.js';
import {
  startFakeTelegramBotApi,
  textMessageUpdate,
  type FakeTelegramBotApi,
  type TelegramApiCall,
} from './fakes/telegram-bot-api.js';
import { botHeaders } from './support/clients.js';
import { balanceOf, grant } from './support/anime.js';
import { startSystem, type RunningSystem } from './support/system.js';
import { taskIdOnCard } from './support/cards.js';

const PRICE = 5; // MC per image, charged when the task is created

async function until(check: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(check()).toBe(true);
}

/**
 * Job card buttons and refusals on both platforms against the real system (server, worker,
 * sandbox providers, Redis): /imagine to the final images then reroll, cancel while queued
 * (refunded), and the insufficient-credits message.
 */
describe('bots job card actions end to end', () => {
  let system: RunningSystem;
  let dreamloom: DreamloomClient;

  beforeAll(async () => {
    system = await startSystem({ env: { ANIME_IMAGE_CREDITS_PER_IMAGE: String(PRICE) } });
    dreamloom = createDreamloomClient({
      baseUrl: system.baseUrl,
      botToken: system.botToken,
      pollIntervalMs: 300,
    });
  });
  afterAll(async () => {
    await dreamloom?.close();
    await system?.stop();
  });

  /** Provisions the platform user (first contact) with `amount` MC. */
  async function memberWith(platform: 'discord' | 'telegram', platformUserId: string, amount: number) {
    const headers = botHeaders(system.botToken, platform, platformUserId);
    const { user_id } = await balanceOf(system, headers);
    if (amount > 0) expect((await grant(system, user_id, amount)).status).toBe(200);
    return headers;
  }

  describe('Discord', () => {
    let discord: FakeDiscordRest;
    let bot: DiscordBot;
    const jobs = new JobTracker();

    beforeAll(async () => {
      discord = await startFakeDiscordRest();
      bot = createOfflineDiscordBot({ dreamloom, logger: silentLogger, editIntervalMs: 50, jobs }, discord);
    });
    afterAll(async () => {
      await bot?.stop();
      await discord?.close();
    });

    type Row = { components: Array<{ custom_id: string }> };
    const buttonsOf = (call: DiscordRestCall) =>
      ((call.body?.components as Row[] | undefined) ?? []).flatMap((r) =>
        r.components.map((c) => c.custom_id),
      );
    const titleOf = (call: DiscordRestCall) => (call.body?.embeds as Array<{ title: string }>)[0].title;
    const newUserId = () => `3${Date.now()}${randomInt(1000)}`.slice(0, 19);

    function imagine(userId: string, prompt: string) {
      const raw = chatInputInteraction({
        appId: discord.appId,
        commandName: 'imagine',
        options: { prompt, count: 1 },
        user: { id: userId, username: 'ren' },
      });
      discord.registerInteraction(raw.token, raw.channel.id);
      dispatchInteraction(bot.client, raw);
      return raw;
    }
    function press(userId: string, customId: string, on: DiscordBot = bot) {
      const raw = buttonInteraction({
        appId: discord.appId,
        customId,
        user: { id: userId, username: 'ren' },
      });
      discord.registerInteraction(raw.token, raw.channel_id!);
      dispatchInteraction(on.client, raw);
      return raw;
    }
    /** Another bot process on the same server, as after a restart: it never saw the first card. */
    function restartedBot(): DiscordBot {
      const fresh = createOfflineDiscordBot(
        { dreamloom, logger: silentLogger, editIntervalMs: 50, jobs },
        discord,
      );
      return fresh;
    }
    const rowsOf = (call: DiscordRestCall) =>
      ((call.body?.components as Row[] | undefined) ?? []).map((r) => r.components.map((c) => c.custom_id));

    it('/imagine to the final image, then reroll on a restarted bot into a second card', async () => {
      const userId = newUserId();
      const headers = await memberWith('discord', userId, 100);
      const raw = imagine(userId, 'a moonlit bamboo forest');
      await jobs.idle();

      const final = discord.publicMessageCalls(raw.token).at(-1)!;
      expect(titleOf(final)).toBe('✅ Completed');
      expect(isPng(final.files[0].bytes)).toBe(true);
      const [reroll] = buttonsOf(final);
      expect(reroll).toMatch(/^dl:reroll:/);

      const restarted = restartedBot();
      const pressed = press(userId, reroll, restarted);
      await jobs.idle();
      await restarted.stop();
      const second = discord.publicMessageCalls(pressed.token).at(-1)!;
      expect(titleOf(second)).toBe('✅ Completed');
      expect(isPng(second.files[0].bytes)).toBe(true);
      expect(buttonsOf(second)[0]).not.toBe(reroll);
      expect((await balanceOf(system, headers)).balance).toBe(100 - 2 * PRICE);
      const rerolledId = /dl:reroll:([0-9a-f-]{36})/.exec(buttonsOf(lastEdit(pressed.token))[0])![1];
      const original = reroll.slice('dl:reroll:'.length);
      const [a, b] = await Promise.all(
        [original, rerolledId].map((id) => system.core.models.GenerationTask.findByPk(id)),
      );
      expect(b!.prompt).toBe(a!.prompt);
      expect(JSON.parse(b!.params).request).toEqual(JSON.parse(a!.params).request);
    });

    const lastEdit = (token: string) => discord.publicMessageCalls(token).at(-1)!;

    it('variation and upscale buttons start new cards from the chosen image, read from our storage', async () => {
      const userId = newUserId();
      await memberWith('discord', userId, 200);
      const raw = imagine(userId, 'a red torii gate in fog');
      await jobs.idle();
      const final = lastEdit(raw.token);
      const original = buttonsOf(final)[0].slice('dl:reroll:'.length);
      expect(rowsOf(final)).toEqual([
        [`dl:reroll:${original}`],
        [`dl:variation:${original}:0`],
        [`dl:upscale:${original}:0`],
      ]);
      const output = await system.core.models.MediaAsset.findOne({
        where: { task_id: original, position: 0 },
      });
      const outputUrl = system.core.media.urlFor(output!.storage_key);

      const restarted = restartedBot();
      const vary = press(userId, `dl:variation:${original}:0`, restarted);
      await jobs.idle();
      const varied = lastEdit(vary.token);
      expect(titleOf(varied)).toBe('✅ Completed');
      expect(isPng(varied.files[0].bytes)).toBe(true);
      const variationId = buttonsOf(varied)[0].slice('dl:reroll:'.length);
      const variation = JSON.parse((await system.core.models.GenerationTask.findByPk(variationId))!.params);
      expect(variation.request.reference_image_urls).toEqual([outputUrl]);
      expect(variation.referenceImages).toHaveLength(1);

      const up = press(userId, `dl:upscale:${original}:0`, restarted);
      await jobs.idle();
      await restarted.stop();
      const upscaled = lastEdit(up.token);
      expect(titleOf(upscaled)).toBe('✅ Completed');
      const upscaleId = buttonsOf(upscaled)[0].slice('dl:reroll:'.length);
      const upscale = JSON.parse((await system.core.models.GenerationTask.findByPk(upscaleId))!.params);
      expect(upscale.resolution).toBe('4k');
      expect(upscale.request).toMatchObject({ batch_size: 1, reference_image_urls: [outputUrl] });
      // Already 4K: the upscaled card offers no further upscale.
      expect(
        rowsOf(upscaled)
          .flat()
          .some((id) => id.startsWith('dl:upscale:')),
      ).toBe(false);
    });

    it("answers privately when another member presses a job's reroll", async () => {
      const owner = newUserId();
      await memberWith('discord', owner, 100);
      const raw = imagine(owner, 'a single paper lantern');
      await jobs.idle();
      const [reroll] = buttonsOf(lastEdit(raw.token));
      const other = newUserId();
      await memberWith('discord', other, 100);
      const pressed = press(other, reroll);
      await jobs.idle();
      expect(discord.original(pressed.token)).toMatchObject({
        content: '❌ Only the member who started this job can use its buttons.',
        flags: 64,
      });
      expect(discord.publicMessage(pressed.token)).toBeUndefined();
    });

    it('cancels a job while it is queued; the card says so and the charge comes back', async () => {
      system.sandbox.state.setLatency(2000);
      try {
        const userId = newUserId();
        const headers = await memberWith('discord', userId, 100);
        const raw = imagine(userId, 'a crowded night market');
        const edits = () => discord.publicMessageCalls(raw.token);
        await until(() => edits().some((e) => buttonsOf(e).some((b) => b.startsWith('dl:cancel:'))));
        const cancel = buttonsOf(edits().findLast((e) => buttonsOf(e).length > 0)!)[0];
        expect(cancel).toMatch(/^dl:cancel:/);
        press(userId, cancel);
        await jobs.idle();

        const final = edits().at(-1)!;
        expect(titleOf(final)).toBe('🚫 Cancelled');
        expect(JSON.stringify(final.body?.embeds)).toContain(`Cancelled — ${PRICE} MC refunded`);
        const deadline = Date.now() + 5000;
        let balance = (await balanceOf(system, headers)).balance;
        while (balance !== 100 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 100));
          balance = (await balanceOf(system, headers)).balance;
        }
        expect(balance).toBe(100);
      } finally {
        system.sandbox.state.setLatency(30);
      }
    });

    it('tells a member without credits privately', async () => {
      const userId = newUserId();
      await memberWith('discord', userId, 0);
      const raw = imagine(userId, 'a castle in the clouds');
      await jobs.idle();
      const reply = discord.original(raw.token)!;
      expect(reply.content).toMatch(
        new RegExp(
          `^❌ This costs ${PRICE} MC and you have 0 MC\\. Credits \\(MC\\) are added by the community staff`,
        ),
      );
      expect(reply.flags & 64).toBe(64);
      expect(discord.publicMessage(raw.token)).toBeUndefined();
      expect(discord.channelMessages(raw.channel.id)).toEqual([]);
    });
  });

  describe('Telegram', () => {
    let telegram: FakeTelegramBotApi;
    const jobs = new JobTracker();
    let bot: ReturnType<typeof createTelegramBot>;
    let updateId = 1;

    beforeAll(async () => {
      telegram = await startFakeTelegramBotApi();
      bot = createTelegramBot(
        '700002:e2e-actions-token',
        { dreamloom, logger: silentLogger, editIntervalMs: 50, jobs },
        { botInfo: telegram.botInfo, client: { apiRoot: telegram.apiRoot } },
      );
    });
    afterAll(async () => {
      await telegram?.close();
    });

    type Keyboard = { inline_keyboard: Array<Array<{ callback_data: string }>> };
    const buttonsOf = (call: TelegramApiCall) =>
      ((call.params.reply_markup as Keyboard | undefined)?.inline_keyboard ?? [])
        .flat()
        .map((b) => b.callback_data);
    const inChat = (chatId: number, method: string) =>
      telegram.callsTo(method).filter((c) => c.params.chat_id === chatId);
    const from = (id: number) => ({ id, first_name: 'Aiko', username: `aiko_${id}` });
    const restartedBot = () =>
      createTelegramBot(
        '700002:e2e-actions-token',
        { dreamloom, logger: silentLogger, editIntervalMs: 50, jobs },
        { botInfo: telegram.botInfo, client: { apiRoot: telegram.apiRoot } },
      );
    const taskOf = (call: TelegramApiCall) => taskIdOnCard(system, String(call.params.text));

    it('variation and upscale buttons each start a new card from the chosen photo', async () => {
      const userId = randomInt(100_000, 2_000_000_000);
      await memberWith('telegram', String(userId), 200);
      await bot.handleUpdate(
        textMessageUpdate({ updateId: updateId++, text: '/imagine koi under a bridge', from: from(userId) }),
      );
      await jobs.idle();
      const final = inChat(userId, 'editMessageText').at(-1)!;
      const original = await taskOf(final);
      expect(buttonsOf(final)).toEqual([
        `dl:reroll:${original}`,
        `dl:variation:${original}:0`,
        `dl:upscale:${original}:0`,
      ]);
      const output = await system.core.models.MediaAsset.findOne({
        where: { task_id: original, position: 0 },
      });
      const outputUrl = system.core.media.urlFor(output!.storage_key);

      const restarted = restartedBot();
      for (const data of [`dl:variation:${original}:0`, `dl:upscale:${original}:0`]) {
        await restarted.handleUpdate(
          callbackQueryUpdate({
            updateId: updateId++,
            data,
            messageId: Number(final.params.message_id),
            from: from(userId),
          }),
        );
        await jobs.idle();
      }
      expect(inChat(userId, 'sendPhoto')).toHaveLength(3);
      const cards = inChat(userId, 'editMessageText').filter((c) => String(c.params.text).startsWith('✅'));
      const [variationId, upscaleId] = await Promise.all(cards.slice(-2).map(taskOf));
      const params = async (id: string) =>
        JSON.parse((await system.core.models.GenerationTask.findByPk(id))!.params);
      expect((await params(variationId)).request.reference_image_urls).toEqual([outputUrl]);
      const upscale = await params(upscaleId);
      expect(upscale.resolution).toBe('4k');
      expect(upscale.request.reference_image_urls).toEqual([outputUrl]);
      const answers = telegram
        .callsTo('answerCallbackQuery')
        .slice(-2)
        .map((c) => c.params.text);
      expect(answers).toEqual(['Making a variation…', 'Upscaling…']);
    });

    it('/imagine to the final photo, then reroll on a restarted bot into a second card', async () => {
      const userId = randomInt(100_000, 2_000_000_000);
      const headers = await memberWith('telegram', String(userId), 100);
      await bot.handleUpdate(
        textMessageUpdate({
          updateId: updateId++,
          text: '/imagine a paper lantern festival',
          from: from(userId),
        }),
      );
      await jobs.idle();
      const final = inChat(userId, 'editMessageText').at(-1)!;
      expect(String(final.params.text)).toContain('✅ Completed');
      expect(isPng(inChat(userId, 'sendPhoto')[0].uploads[0].bytes)).toBe(true);
      const [reroll] = buttonsOf(final);
      expect(reroll).toMatch(/^dl:reroll:/);

      // A new bot process handles the press: the job lives only on the server.
      await restartedBot().handleUpdate(
        callbackQueryUpdate({
          updateId: updateId++,
          data: reroll,
          messageId: Number(final.params.message_id),
          from: from(userId),
        }),
      );
      await jobs.idle();
      expect(inChat(userId, 'sendMessage')).toHaveLength(2);
      expect(inChat(userId, 'sendPhoto')).toHaveLength(2);
      expect(String(inChat(userId, 'editMessageText').at(-1)!.params.text)).toContain('✅ Completed');
      expect((await balanceOf(system, headers)).balance).toBe(100 - 2 * PRICE);
    });

    it('cancels a job while it is queued; the card says so and the charge comes back', async () => {
      system.sandbox.state.setLatency(2000);
      try {
        const userId = randomInt(100_000, 2_000_000_000);
        const headers = await memberWith('telegram', String(userId), 100);
        await bot.handleUpdate(
          textMessageUpdate({ updateId: updateId++, text: '/imagine a snowy station', from: from(userId) }),
        );
        const cards = () => [...inChat(userId, 'sendMessage'), ...inChat(userId, 'editMessageText')];
        await until(() => cards().some((c) => buttonsOf(c).some((b) => b.startsWith('dl:cancel:'))));
        const cancel = cards()
          .flatMap(buttonsOf)
          .find((b) => b.startsWith('dl:cancel:'))!;
        await bot.handleUpdate(
          callbackQueryUpdate({ updateId: updateId++, data: cancel, messageId: 1, from: from(userId) }),
        );
        await jobs.idle();
        const last = String(inChat(userId, 'editMessageText').at(-1)!.params.text);
        expect(last).toContain('🚫 Cancelled');
        expect(last).toContain(`Cancelled — ${PRICE} MC refunded`);
        const deadline = Date.now() + 5000;
        let balance = (await balanceOf(system, headers)).balance;
        while (balance !== 100 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 100));
          balance = (await balanceOf(system, headers)).balance;
        }
        expect(balance).toBe(100);
      } finally {
        system.sandbox.state.setLatency(30);
      }
    });

    it('tells a member without credits in a reply, with how to get credits, and posts no card', async () => {
      const userId = randomInt(100_000, 2_000_000_000);
      await memberWith('telegram', String(userId), 0);
      await bot.handleUpdate(
        textMessageUpdate({
          updateId: updateId++,
          text: '/imagine a castle in the clouds',
          from: from(userId),
        }),
      );
      await jobs.idle();
      const texts = inChat(userId, 'sendMessage').map((c) => String(c.params.text));
      expect(texts).toHaveLength(1);
      expect(texts[0]).toMatch(
        new RegExp(`^❌ This costs ${PRICE} MC and you have 0 MC\\. Credits \\(MC\\) are added`),
      );
      expect(inChat(userId, 'editMessageText')).toHaveLength(0);
      expect(inChat(userId, 'sendPhoto')).toHaveLength(0);
    });
  });
});
