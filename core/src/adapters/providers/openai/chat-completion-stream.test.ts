import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatProviderError } from '../../../ports/chat-provider.port.js';
import { createStreamAgents, streamChatCompletion } from './chat-completion-stream.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>) => void;

let server: Server;
let baseUrl: string;
let handler: Handler = () => undefined;
const connections: number[] = [];
const agents = createStreamAgents();

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => handler(req, res, JSON.parse(text) as Record<string, unknown>));
  });
  server.on('connection', () => connections.push(Date.now()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/`;
});
afterAll(async () => {
  agents.http.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const chunk = (content: string) =>
  `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] })}\n\n`;

function sse(res: ServerResponse, parts: string[], gapMs = 0) {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  let index = 0;
  const next = () => {
    if (index === parts.length) return res.end();
    res.write(parts[index++]);
    setTimeout(next, gapMs);
  };
  next();
}

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const deltas: string[] = [];
  for await (const delta of iterable) deltas.push(delta);
  return deltas;
}

const request = (signal?: AbortSignal) =>
  streamChatCompletion({
    baseUrl,
    apiKey: 'sk-test',
    body: { model: 'm', messages: [{ role: 'user', content: 'hi' }] },
    agents,
    timeoutMs: 2000,
    signal,
  });

describe('streamChatCompletion', () => {
  it('sends a streaming request with the key and yields content deltas until [DONE]', async () => {
    let seen: { auth?: string; path?: string; body?: Record<string, unknown> } = {};
    handler = (req, res, body) => {
      seen = { auth: req.headers.authorization, path: req.url, body };
      // The role chunk carries empty content; events may be split anywhere and use CRLF.
      const role = `data: ${JSON.stringify({ choices: [{ delta: { role: 'assistant', content: '' } }] })}\r\n\r\n`;
      const text = `${role}${chunk('Hello')}${chunk(', 世界')}: keep-alive comment\n\ndata: [DONE]\n\n`;
      sse(res, [text.slice(0, 7), text.slice(7, 90), text.slice(90)]);
    };
    expect(await collect(request())).toEqual(['Hello', ', 世界']);
    expect(seen.auth).toBe('Bearer sk-test');
    expect(seen.path).toBe('/v1/chat/completions');
    expect(seen.body).toMatchObject({ model: 'm', stream: true });
  });

  it('reuses one keep-alive connection for consecutive streams', async () => {
    handler = (_req, res) => sse(res, [chunk('a'), 'data: [DONE]\n\n']);
    // The stream ends at [DONE]; what follows it (the end of the response) is still read, and
    // then the socket goes back to the pool: each next stream waits for that, not for a timer.
    const freeSocket = () =>
      expect.poll(() => Object.values(agents.http.freeSockets).flat().length).toBeGreaterThan(0);
    await collect(request());
    await freeSocket();
    const before = connections.length;
    for (let i = 0; i < 3; i += 1) {
      expect(await collect(request())).toEqual(['a']);
      await freeSocket();
    }
    expect(connections.length).toBe(before);
  });

  it('maps HTTP errors to ChatProviderError with the status and whether another model may succeed', async () => {
    for (const [status, retryable] of [
      [401, true],
      [429, true],
      [400, false],
      [503, true],
    ] as const) {
      handler = (_req, res) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `nope ${status}`, type: 'x' } }));
      };
      const error = await collect(request()).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(ChatProviderError);
      expect(error).toMatchObject({ status, retryable, message: `${status} nope ${status}` });
    }
  });

  it('throws an error event that arrives mid-stream after the deltas before it', async () => {
    handler = (_req, res) =>
      sse(res, [
        chunk('partial'),
        `data: ${JSON.stringify({ error: { message: 'The server had an error' } })}\n\n`,
      ]);
    const deltas: string[] = [];
    const error = await (async () => {
      for await (const delta of request()) deltas.push(delta);
    })().catch((thrown: unknown) => thrown);
    expect(deltas).toEqual(['partial']);
    expect(error).toMatchObject({
      name: 'ChatProviderError',
      message: 'The server had an error',
      status: null,
    });
  });

  it('reports a refused connection as a retryable provider error', async () => {
    const error = await collect(
      streamChatCompletion({
        baseUrl: 'http://127.0.0.1:1/v1',
        apiKey: 'k',
        body: {},
        agents,
        timeoutMs: 2000,
      }),
    ).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ name: 'ChatProviderError', retryable: true });
    expect((error as Error).message).toMatch(/^Connection error/);
  });

  it('aborts a running stream with an AbortError and closes the upstream response', async () => {
    let upstreamClosed = false;
    handler = (_req, res) => {
      res.on('close', () => (upstreamClosed = true));
      sse(res, [chunk('one'), chunk('two'), chunk('three'), 'data: [DONE]\n\n'], 200);
    };
    const controller = new AbortController();
    const deltas: string[] = [];
    const error = await (async () => {
      for await (const delta of request(controller.signal)) {
        deltas.push(delta);
        controller.abort();
      }
    })().catch((thrown: unknown) => thrown);
    expect(deltas).toEqual(['one']);
    expect((error as Error).name).toBe('AbortError');
    await expect.poll(() => upstreamClosed).toBe(true);
  });

  it('times out when the headers do not arrive in time', async () => {
    handler = () => undefined;
    const error = await collect(
      streamChatCompletion({ baseUrl, apiKey: 'k', body: {}, agents, timeoutMs: 50 }),
    ).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({
      name: 'ChatProviderError',
      message: 'Request timed out.',
      retryable: true,
    });
  });
});
