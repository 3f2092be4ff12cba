import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from './index.js';

let sandbox: Sandbox;
const client = (apiKey = 'sk-sandbox-test') =>
  new OpenAI({ apiKey, baseURL: `${sandbox.url}/openai/v1`, maxRetries: 0 });

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, log: () => undefined });
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  await sandbox.state.reset();
  sandbox.state.updateSettings({ chatFirstTokenMs: 5, chatChunkIntervalMs: 1, chatTokensPerChunk: 2 });
});

const persona = (name: string, user: string): OpenAI.ChatCompletionMessageParam[] => [
  { role: 'system', content: `You are ${name}, a character in a fantasy story. Stay in character.` },
  { role: 'user', content: user },
];

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('openai-compatible chat: completions', () => {
  it('answers in character, differently per persona', async () => {
    const ai = client();
    const [mira, kaito] = await Promise.all(
      ['Mira', 'Kaito'].map((name) =>
        ai.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: persona(name, 'Where were you last night?'),
        }),
      ),
    );
    expect(mira.object).toBe('chat.completion');
    expect(mira.choices[0].finish_reason).toBe('stop');
    expect(mira.choices[0].message.content).toContain('Mira');
    expect(kaito.choices[0].message.content).toContain('Kaito');
    expect(mira.choices[0].message.content).toContain('Where were you last night?');
    expect(mira.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('streams chunks with finish_reason null until the last, then [DONE]', async () => {
    const stream = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: persona('Mira', 'Tell me a secret.'),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const withChoices = chunks.filter((chunk) => chunk.choices.length > 0);
    expect(withChoices[0].choices[0].delta.role).toBe('assistant');
    expect(withChoices.slice(0, -1).every((chunk) => chunk.choices[0].finish_reason === null)).toBe(true);
    expect(withChoices.at(-1)?.choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1)?.usage?.completion_tokens).toBeGreaterThan(0);
    const text = withChoices.map((chunk) => chunk.choices[0].delta.content ?? '').join('');
    expect(text).toContain('Mira');
    expect(withChoices.length).toBeGreaterThan(5);
  });

  it('makes time-to-first-token measurable', async () => {
    sandbox.state.updateSettings({ chatFirstTokenMs: 150 });
    const started = Date.now();
    const stream = await client().chat.completions.create({
      model: 'm',
      messages: persona('Mira', 'hi'),
      stream: true,
    });
    let firstAt: number | undefined;
    for await (const chunk of stream)
      if (chunk.choices[0]?.delta.content && firstAt === undefined) firstAt = Date.now();
    expect(firstAt! - started).toBeGreaterThanOrEqual(140);
  });

  it('answers json_schema with JSON that matches the schema', async () => {
    const response = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: persona('Mira', 'Describe the next scene as an image prompt.'),
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'scene',
          strict: true,
          schema: {
            type: 'object',
            additionalProperties: false,
            required: ['prompt', 'mood', 'characters', 'shots'],
            properties: {
              prompt: { type: 'string' },
              mood: { type: 'string', enum: ['calm', 'tense', 'joyful'] },
              characters: { type: 'array', minItems: 1, maxItems: 2, items: { $ref: '#/$defs/character' } },
              shots: { type: 'integer', minimum: 1, maximum: 4 },
            },
            $defs: {
              character: {
                type: 'object',
                additionalProperties: false,
                required: ['name', 'age'],
                properties: {
                  name: { type: 'string' },
                  age: { type: ['integer', 'null'], minimum: 10, maximum: 90 },
                },
              },
            },
          },
        },
      },
    });
    const value = JSON.parse(response.choices[0].message.content!) as Record<string, any>;
    expect(typeof value.prompt).toBe('string');
    expect(['calm', 'tense', 'joyful']).toContain(value.mood);
    expect(value.characters.length).toBeGreaterThanOrEqual(1);
    expect(value.characters.length).toBeLessThanOrEqual(2);
    for (const character of value.characters) {
      expect(character.name).toBe('Mira');
      expect(Number.isInteger(character.age) && character.age >= 10 && character.age <= 90).toBe(true);
    }
    expect(Number.isInteger(value.shots) && value.shots >= 1 && value.shots <= 4).toBe(true);
  });

  it('answers json_object with a JSON object', async () => {
    const response = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: persona('Kaito', 'Reply in JSON.'),
      response_format: { type: 'json_object' },
    });
    expect(JSON.parse(response.choices[0].message.content!)).toMatchObject({ speaker: 'Kaito' });
  });

  it('truncates at max_tokens with finish_reason "length"', async () => {
    const response = await client().chat.completions.create({
      model: 'm',
      messages: persona('Mira', 'hi'),
      max_tokens: 3,
    });
    expect(response.choices[0].finish_reason).toBe('length');
    expect(response.usage?.completion_tokens).toBe(3);
  });

  it('lists models', async () => {
    const models = await client().models.list();
    expect(models.data.map((model) => model.id)).toContain('gpt-4o-mini');
  });
});

describe('openai-compatible chat: failures', () => {
  it('refuses a bad key with 401', async () => {
    sandbox.state.setOpenAiKey('sk-revoked-key', 'invalid');
    const error = await caught(
      client('sk-revoked-key').chat.completions.create({ model: 'm', messages: persona('A', 'hi') }),
    );
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('invalid_api_key');
  });

  it.each([
    [401, OpenAI.AuthenticationError],
    [429, OpenAI.RateLimitError],
    [500, OpenAI.InternalServerError],
  ])('injects HTTP %i', async (code, type) => {
    sandbox.state.injectFault({ provider: 'openai', credential: 'sk-sandbox-test', code });
    const error = await caught(
      client().chat.completions.create({ model: 'm', messages: persona('A', 'hi') }),
    );
    expect(error).toBeInstanceOf(type);
    expect(
      (await client().chat.completions.create({ model: 'm', messages: persona('A', 'hi') })).choices,
    ).toHaveLength(1);
  });

  it('breaks a stream with an error event', async () => {
    const response = await fetch(`${sandbox.url}/__sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'openai', kind: 'stream-error' }),
    });
    expect(response.status).toBe(200);
    const stream = await client().chat.completions.create({
      model: 'm',
      messages: persona('Mira', 'hi'),
      stream: true,
    });
    const received: string[] = [];
    const error = await caught(
      (async () => {
        for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
      })(),
    );
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(received.join('').length).toBeGreaterThan(0);
  });

  it('truncates by fault (finish_reason "length") and by prompt marker (content_filter)', async () => {
    sandbox.state.injectFault({ provider: 'openai', kind: 'length' });
    const truncated = await client().chat.completions.create({
      model: 'm',
      messages: persona('Mira', 'json please'),
      response_format: { type: 'json_object' },
    });
    expect(truncated.choices[0].finish_reason).toBe('length');
    expect(() => JSON.parse(truncated.choices[0].message.content!)).toThrow();
    const filtered = await client().chat.completions.create({
      model: 'm',
      messages: persona('Mira', '[sandbox:content-filter]'),
    });
    expect(filtered.choices[0].finish_reason).toBe('content_filter');
  });

  it('counts calls and concurrency per key', async () => {
    sandbox.state.updateSettings({ chatFirstTokenMs: 50 });
    await Promise.all(
      [1, 2, 3].map(() =>
        client('sk-counted').chat.completions.create({ model: 'm', messages: persona('A', 'hi') }),
      ),
    );
    expect(sandbox.state.callCount('openai', 'sk-counted', 'chat/completions')).toBe(3);
    expect(sandbox.state.stats().maxConcurrent.openai['sk-counted']).toBe(3);
  });
});
