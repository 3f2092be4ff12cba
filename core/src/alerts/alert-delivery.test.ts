import { describe, expect, it } from 'vitest';
import type { Logger } from '../shared/logger.js';
import { AlertDelivery } from './alert-delivery.js';
import type { Alert } from './alert.types.js';

const alert: Alert = {
  type: 'pool_low',
  condition: 'pool_low:image',
  severity: 'critical',
  message: 'No account can take image work',
  details: { kind: 'image', slots: 0 },
  at: new Date(),
};
const TOKEN_URL = 'https://api.telegram.org/bot123456:SECRET-token/sendMessage';

function recordingLogger() {
  const lines: string[] = [];
  const record = (object: unknown, message?: string) => lines.push(JSON.stringify(object) + ' ' + message);
  return { logger: { warn: record, info: record, error: record } as unknown as Logger, lines };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('alert delivery', () => {
  it('posts the formatted alert as JSON and returns before the receiver answers', async () => {
    const requests: Array<{ url: string; init: RequestInit }> = [];
    let answer: (response: Response) => void = () => undefined;
    const { logger } = recordingLogger();
    const delivery = new AlertDelivery({
      url: TOKEN_URL,
      format: 'telegram',
      telegramChatId: '42',
      retryMs: 10,
      logger,
      fetch: (url, init) => {
        requests.push({ url, init });
        return new Promise((resolve) => (answer = resolve));
      },
    });
    delivery.send(alert);
    await until(() => requests.length === 1);
    expect(requests[0]!.url).toBe(TOKEN_URL);
    expect(JSON.parse(String(requests[0]!.init.body))).toMatchObject({ chat_id: '42' });
    answer(new Response('ok'));
    await delivery.stop();
  });

  it('retries a failed delivery once, logging the host but never the token in the URL', async () => {
    let calls = 0;
    const { logger, lines } = recordingLogger();
    const delivery = new AlertDelivery({
      url: TOKEN_URL,
      format: 'telegram',
      telegramChatId: '42',
      retryMs: 10,
      logger,
      fetch: async (url) => {
        calls += 1;
        if (calls === 1) return new Response('no', { status: 500 });
        throw new TypeError(`fetch to ${url} failed`);
      },
    });
    delivery.send(alert);
    await until(() => lines.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).toBe(2);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('api.telegram.org');
    expect(lines[0]).toContain('HTTP 500');
    expect(lines[1]).toContain('dropped');
    expect(lines.join('\n')).not.toContain('SECRET-token');
    await delivery.stop();
  });

  it('a delivery that succeeds is not retried', async () => {
    let calls = 0;
    const { logger, lines } = recordingLogger();
    const delivery = new AlertDelivery({
      url: 'http://127.0.0.1:9/hook',
      format: 'json',
      retryMs: 5,
      logger,
      fetch: async () => {
        calls += 1;
        return new Response(null, { status: 204 });
      },
    });
    delivery.send(alert);
    await until(() => calls === 1);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(calls).toBe(1);
    expect(lines).toHaveLength(0);
    await delivery.stop();
  });
});
