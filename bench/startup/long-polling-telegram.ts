/**
 * A Telegram Bot API stand-in for measuring the bots at rest: it answers what the bots call while
 * starting (getMe, deleteWebhook, setMyCommands) and holds getUpdates open for the `timeout` the
 * bot asks for, as Telegram's long polling does. The test fake answers getUpdates at once, which
 * would keep an idle bot polling in a tight loop and make its idle figures meaningless.
 */
import { createServer, type ServerResponse } from 'node:http';

export interface LongPollingTelegram {
  /** TELEGRAM_API_ROOT for the bots. */
  apiRoot: string;
  close(): Promise<void>;
}

const BOT = {
  id: 7000000002,
  is_bot: true,
  first_name: 'Dreamloom bench',
  username: 'dreamloom_bench_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
};

export async function startLongPollingTelegram(): Promise<LongPollingTelegram> {
  const held = new Set<ServerResponse>();
  const answer = (response: ServerResponse, result: unknown) => {
    held.delete(response);
    if (response.writableEnded) return;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ ok: true, result }));
  };
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const method = (request.url ?? '').split('/').at(-1)?.split('?')[0] ?? '';
      if (method === 'getMe') return answer(response, BOT);
      if (method === 'getUpdates') {
        const timeoutSeconds = Number((JSON.parse(body || '{}') as { timeout?: number }).timeout ?? 30);
        held.add(response);
        setTimeout(() => answer(response, []), timeoutSeconds * 1000).unref();
        return;
      }
      // deleteWebhook, setMyCommands and anything else a starting bot may ask: plain success.
      answer(response, true);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    apiRoot: `http://127.0.0.1:${port}`,
    async close() {
      for (const response of held) answer(response, []);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
