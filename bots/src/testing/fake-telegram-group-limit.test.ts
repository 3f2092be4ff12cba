import { afterEach, describe, expect, it } from 'vitest';
import { startFakeTelegramBotApi, type FakeTelegramBotApi } from './fake-telegram-bot-api.js';

describe('fake Telegram Bot API: group flood limit', () => {
  let api: FakeTelegramBotApi | undefined;
  afterEach(async () => {
    await api?.close();
  });

  const call = async (method: string, params: Record<string, unknown>) => {
    const res = await fetch(`${api!.apiRoot}/bot1:t/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
    return (await res.json()) as { ok: boolean; error_code?: number; parameters?: { retry_after?: number } };
  };

  it('refuses the message over the limit in a group with 429 and retry_after; chat actions and private chats are free', async () => {
    api = await startFakeTelegramBotApi({ groupLimit: { messages: 3, windowMs: 60_000 } });
    for (let i = 0; i < 3; i++)
      expect((await call('sendMessage', { chat_id: -5, text: `m${i}` })).ok).toBe(true);
    const refused = await call('editMessageText', { chat_id: -5, message_id: 1000, text: 'edit' });
    expect(refused).toMatchObject({ ok: false, error_code: 429 });
    expect(refused.parameters?.retry_after).toBeGreaterThanOrEqual(59);
    expect((await call('sendChatAction', { chat_id: -5, action: 'typing' })).ok).toBe(true);
    expect((await call('sendMessage', { chat_id: 42, text: 'private' })).ok).toBe(true);
    expect((await call('sendMessage', { chat_id: -6, text: 'another group' })).ok).toBe(true);
  });
});
