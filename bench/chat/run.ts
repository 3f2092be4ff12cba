/**
 * `npm run bench:chat` — time to first token of story chat through Dreamloom against the same
 * upstream measured directly, in the same run (not part of the test suite).
 *
 * The upstream is the provider sandbox's OpenAI-compatible stream (first token after
 * BENCH_FIRST_TOKEN_MS). Each round starts BENCH_CONCURRENCY conversations at once:
 *  - direct:  POST <sandbox>/openai/v1/chat/completions (stream) → first content chunk;
 *  - through: POST /api/v1/story_chat/generate-response (SSE, stored conversation, real
 *             server + SQLite + Redis) → first content event.
 * Added latency = p50(through) − p50(direct); the target is ≤ 10 ms at 50 concurrent.
 *
 * Env: BENCH_CONCURRENCY (50), BENCH_ROUNDS (6), BENCH_FIRST_TOKEN_MS (300), REDIS_URL.
 * Writes bench/results/chat.json and bench/results/chat.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { loadConfig } from '@dreamloom/core';
import { bootstrap, createServer } from '@dreamloom/server';
import { startSandbox } from '@dreamloom/sandbox';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const FIRST_TOKEN_MS = Number(process.env.BENCH_FIRST_TOKEN_MS ?? 300);

interface Stats {
  samples: number;
  p50: number;
  p95: number;
  max: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return { samples: sorted.length, p50: round(at(0.5)), p95: round(at(0.95)), max: round(sorted.at(-1)!) };
}

/** Milliseconds from sending the request until the first SSE `data:` line satisfying `isToken`. */
async function timeToFirstToken(
  url: string,
  init: RequestInit,
  isToken: (event: string, data: string) => boolean,
): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, init);
  if (!response.ok || !response.body) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let first: number | null = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let boundary = buffer.indexOf('\n\n');
    while (boundary !== -1) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      boundary = buffer.indexOf('\n\n');
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = /^data: (.*)$/m.exec(block)?.[1] ?? '';
      if (first === null && isToken(event, data)) first = performance.now() - started;
    }
  }
  if (first === null) throw new Error(`${url}: no token arrived`);
  return first;
}

async function main() {
  const sandbox = await startSandbox({ port: 0, latencyMs: 0 });
  sandbox.state.updateSettings({ chatFirstTokenMs: FIRST_TOKEN_MS, chatChunkIntervalMs: 20, chatTokensPerChunk: 3 });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dreamloom-bench-chat-'));
  const prefix = `dlbench-${randomBytes(4).toString('hex')}`;
  const botToken = `bench-${randomBytes(12).toString('hex')}`;
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: `sqlite:${path.join(dataDir, 'bench.sqlite')}`,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: prefix,
    DATA_DIR: dataDir,
    SECRET_KEY: randomBytes(32).toString('hex'),
    BOT_API_TOKEN: botToken,
    ADMIN_PASSWORD: randomBytes(12).toString('hex'),
    LLM_BASE_URL: `${sandbox.url}/openai/v1`,
    JIMENG_BASE_URL: `${sandbox.url}/jimeng`,
    ADMIN_DIST_DIR: path.join(ROOT, 'admin/dist'),
  });
  const { core } = await bootstrap(config, { seedDemo: true });
  const server = await createServer(core);
  const { url } = await server.listen(0, '127.0.0.1');

  try {
    const story = await core.story.models.Story.findOne({ where: { title: 'The Lantern Inn' } });
    if (!story) throw new Error('demo story missing');
    const characterId = (JSON.parse(story.character_ids) as string[])[0];
    // One member (bot-provisioned user) and one stored conversation per concurrent stream.
    const members = Array.from({ length: CONCURRENCY }, (_, index) => ({
      authorization: `Bot ${botToken}`,
      'x-platform': 'discord',
      'x-platform-user-id': `bench${index}`,
      'content-type': 'application/json',
    }));
    const conversations: string[] = [];
    for (const headers of members) {
      const created = await fetch(`${url}/api/v1/conversation`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ story_id: story.id }),
      });
      conversations.push(((await created.json()) as { id: string }).id);
    }
    const prompt = [
      { role: 'system', content: 'You are Mira, the innkeeper of the Lantern Inn.' },
      { role: 'user', content: 'Mira, who just came in?' },
    ];
    const direct = (index: number) =>
      timeToFirstToken(
        `${sandbox.url}/openai/v1/chat/completions`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${config.LLM_API_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'sandbox-chat', messages: prompt, stream: true, user: String(index) }),
        },
        (_event, data) => data.includes('"content":"') && !data.includes('"content":""'),
      );
    const through = (index: number, round: number) =>
      timeToFirstToken(
        `${url}/api/v1/story_chat/generate-response`,
        {
          method: 'POST',
          headers: members[index],
          body: JSON.stringify({
            history_length: 25,
            character_id: characterId,
            conversation_id: conversations[index],
            user_message: `Mira, who just came in? (round ${round})`,
            is_first_response: true,
          }),
        },
        (event) => event === 'message',
      );

    // Warm-up: connections, prepared statements, JIT.
    await Promise.all(Array.from({ length: 5 }, (_, i) => Promise.all([direct(i), through(i, -1)])));

    const directSamples: number[] = [];
    const throughSamples: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      // Alternate which side goes first so drift affects both equally.
      const sides = round % 2 === 0 ? (['direct', 'through'] as const) : (['through', 'direct'] as const);
      for (const side of sides) {
        const batch = await Promise.all(
          Array.from({ length: CONCURRENCY }, (_, index) => (side === 'direct' ? direct(index) : through(index, round))),
        );
        (side === 'direct' ? directSamples : throughSamples).push(...batch);
      }
    }
    const directStats = stats(directSamples);
    const throughStats = stats(throughSamples);
    const addedP50 = Math.round((throughStats.p50 - directStats.p50) * 100) / 100;
    const addedP95 = Math.round((throughStats.p95 - directStats.p95) * 100) / 100;
    const result = {
      benchmark: 'story chat time to first token',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
      settings: {
        concurrency: CONCURRENCY,
        rounds: ROUNDS,
        upstreamFirstTokenMs: FIRST_TOKEN_MS,
        database: 'sqlite',
        path: 'POST /api/v1/story_chat/generate-response (stored conversation, user message persisted first)',
      },
      directMs: directStats,
      throughDreamloomMs: throughStats,
      addedLatencyMs: { p50: addedP50, p95: addedP95 },
      targetAddedP50Ms: 10,
      meetsTarget: addedP50 <= 10,
    };
    writeFileSync(path.join(ROOT, 'bench/results/chat.json'), `${JSON.stringify(result, null, 2)}\n`);
    const md = [
      '# Story chat: time to first token',
      '',
      `Run ${result.date} on ${result.machine.cpus} × ${result.machine.cpu ?? 'CPU'}, Node ${result.machine.node}.`,
      `${CONCURRENCY} concurrent conversations × ${ROUNDS} rounds; the sandbox's OpenAI-compatible stream sends its first token after ${FIRST_TOKEN_MS} ms.`,
      '',
      '| path | samples | p50 ms | p95 ms | max ms |',
      '| --- | --- | --- | --- | --- |',
      `| sandbox stream, direct | ${directStats.samples} | ${directStats.p50} | ${directStats.p95} | ${directStats.max} |`,
      `| generate-response through Dreamloom | ${throughStats.samples} | ${throughStats.p50} | ${throughStats.p95} | ${throughStats.max} |`,
      '',
      `Added latency: **${addedP50} ms at p50**, ${addedP95} ms at p95 (target ≤ 10 ms at p50: ${result.meetsTarget ? 'met' : 'not met'}).`,
      '',
      'Through Dreamloom each request authenticates the member (bot credential), checks the conversation,',
      'stores the user message, builds the prompt from the story, the window of history and the',
      'staff posts, and relays the upstream stream as SSE while publishing socket.io events.',
      '',
      'Reproduce: `npm run bench:chat` (needs Redis; env BENCH_CONCURRENCY, BENCH_ROUNDS, BENCH_FIRST_TOKEN_MS).',
      '',
    ].join('\n');
    writeFileSync(path.join(ROOT, 'bench/results/chat.md'), md);
    console.log(md);
  } finally {
    await server.close();
    await core.close();
    await sandbox.close();
    const redis = new Redis(config.REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
