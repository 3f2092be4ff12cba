import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemResolver, type ResolvedAddress, type Resolver } from '@dreamloom/core';
import { api } from './support/clients.js';
import { balanceOf, grant, member } from './support/anime.js';
import { storyboards } from './support/jimeng.js';
import { walletLogin } from './support/story.js';
import { startSystem, type RunningSystem } from './support/system.js';

/** What an internal service would say; it must never reach a caller. */
const SECRET = 'internal-secret-7f3a';

interface Listener {
  server: Server;
  port: number;
  hits: string[];
}

async function listen(
  host: string,
  handler: (req: IncomingMessage, res: import('node:http').ServerResponse) => void,
) {
  const listener = { hits: [] as string[] } as Listener;
  listener.server = createServer((req, res) => {
    listener.hits.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    listener.server.once('error', reject);
    listener.server.listen(0, host, resolve);
  });
  listener.port = (listener.server.address() as { port: number }).port;
  return listener;
}

const PRIVATE_NAMES: Record<string, ResolvedAddress[]> = {
  'rebind.ssrf.test': [{ address: '127.0.0.1', family: 4 }],
  'metadata.ssrf.test': [
    { address: '93.184.216.34', family: 4 },
    { address: '169.254.169.254', family: 4 },
  ],
  'v6.ssrf.test': [{ address: '::ffff:7f00:1', family: 6 }],
};
const hostileResolver: Resolver = async (hostname) => PRIVATE_NAMES[hostname] ?? systemResolver(hostname);

/**
 * SSRF table (security issue): every field whose URL a caller chooses — 004 apiBase (anonymous
 * and signed in, NANOBANANA_ANONYMOUS on and off), 003 callback_url and compose input_images,
 * 001 video frames, 000 reference images, 002 image parts of i2t and chat completions — against
 * every spelling of a local address, pointed at a local listener that is not on the allow-list
 * and must receive nothing; each refusal is the field's contract 400 and stores and charges
 * nothing. Plus redirects from a trusted host to that listener, and upstream bodies kept out of
 * the errors callers see.
 */
describe('outbound requests refuse local and private targets (SSRF)', () => {
  let system: RunningSystem;
  /** Must receive zero requests: loopback (all interfaces), not allow-listed. */
  let internal: Listener;
  /** A host staff trust (on OUTBOUND_ALLOWED_HOSTS) that redirects to the internal one, or answers with a body. */
  let trusted: Listener;
  let forms: string[];
  let memberHeaders: Record<string, string>;
  let memberId: string;
  let storyToken: string;

  beforeAll(async () => {
    internal = await listen('::', (_req, res) => res.end(SECRET)).catch(() =>
      listen('127.0.0.1', (_req, res) => res.end(SECRET)),
    );
    trusted = await listen('127.0.0.1', (req, res) => {
      const path = req.url ?? '/';
      if (path.includes('/redirect')) {
        res.statusCode = 302;
        res.setHeader('location', `http://127.0.0.1:${internal.port}/latest/meta-data/`);
        return res.end();
      }
      // An allow-listed Gemini proxy that fails with a body that must not be echoed.
      res.statusCode = 404;
      res.setHeader('content-type', 'text/html');
      res.end(`<html>${SECRET}</html>`);
    });
    const p = internal.port;
    forms = [
      `127.0.0.1:${p}`,
      `[::1]:${p}`,
      `0x7f000001:${p}`,
      `2130706433:${p}`,
      `127.1:${p}`,
      `0177.0.0.1:${p}`,
      `localhost:${p}`,
      `[::ffff:127.0.0.1]:${p}`,
      `0.0.0.0:${p}`,
      '169.254.169.254',
      '10.0.0.1',
      // Names a resolver maps to private addresses: refused after resolution, whatever the spelling.
      `rebind.ssrf.test:${p}`,
      'metadata.ssrf.test',
      `v6.ssrf.test:${p}`,
    ];
    system = await startSystem({
      db: 'sqlite',
      // The test resolver: three names that resolve privately (as a hostile DNS zone would answer).
      overrides: { outboundResolver: hostileResolver },
      env: {
        NANOBANANA_ANONYMOUS: 'true',
        OUTBOUND_ALLOWED_HOSTS: `127.0.0.1:${trusted.port}`,
        NANOBANANA_API_BASE_ALLOWLIST: `https://generativelanguage.googleapis.com,http://127.0.0.1:${trusted.port}/gemini-proxy`,
        ANIME_IMAGE_CREDITS_PER_IMAGE: '5',
        CALLBACK_MAX_ATTEMPTS: '1',
        // The table sends ~40 contract-004 requests at once.
        NANOBANANA_RATE_PER_SEC: '1000',
        NANOBANANA_RATE_BURST: '1000',
      },
    });
    ({ headers: memberHeaders, userId: memberId } = await member(system, 'ssrf-member'));
    expect((await grant(system, memberId, 10_000)).status).toBe(200);
    storyToken = (await walletLogin(system)).token;
  }, 60_000);
  afterAll(async () => {
    await system?.stop();
    for (const each of [internal, trusted]) {
      each?.server.closeAllConnections();
      await new Promise<void>((resolve) => (each ? each.server.close(() => resolve()) : resolve()));
    }
  });

  const counts = async () => ({
    tasks: await system.core.models.GenerationTask.count(),
    nanobanana: await system.core.nanobanana.models.NanobananaTask.count(),
    batches: await system.core.jimeng.models.JimengBatch.count(),
    balance: (await balanceOf(system, memberHeaders)).balance,
  });

  it('refuses every local address form in every URL field with the contract 400, storing and charging nothing', async () => {
    const before = await counts();
    const hitsBefore = internal.hits.length;
    const nanobanana = (apiBase: string, token?: string) =>
      api(system.baseUrl, 'POST', '/api/v1/generate/batch', {
        token,
        body: { prompt: 'a cat', model: 'gemini-2.5-flash-image', count: 2, apiKey: 'AIza-test', apiBase },
      });
    for (const form of forms) {
      const url = `http://${form}/latest/meta-data/x.png`;

      // 004 apiBase: anonymous (NANOBANANA_ANONYMOUS on), signed in, and signed in with it off.
      const anonymous = await nanobanana(`http://${form}`);
      const signedIn = await nanobanana(`http://${form}`, system.admin.token);
      system.core.config.NANOBANANA_ANONYMOUS = false;
      const anonymousOff = await nanobanana(`http://${form}`, system.admin.token);
      system.core.config.NANOBANANA_ANONYMOUS = true;
      for (const answer of [anonymous, signedIn, anonymousOff]) {
        expect(answer.status, form).toBe(400);
        expect(answer.body.code, form).toBe(400);
        expect(answer.body.message, form).toContain('apiBase');
      }

      // 003 callback_url and compose input_images (staff).
      const callback = await api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', {
        token: system.admin.token,
        body: { work_id: 'ssrf', batch_data: storyboards(1), global_config: { callback_url: url } },
      });
      expect(callback.status, form).toBe(400);
      expect(callback.body, form).toMatchObject({ code: 400 });
      expect(callback.body.message, form).toContain('callback_url');
      const compose = await api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-compose', {
        token: system.admin.token,
        body: { work_id: 'ssrf', batch_data: [{ ...storyboards(1)[0], input_images: [url] }] },
      });
      expect(compose.status, form).toBe(400);
      expect(compose.body.message, form).toContain('input_images');

      // 001 video frames (kie fetches them itself: checked before anything is charged).
      const video = await api(system.baseUrl, 'POST', '/api/anime-video/create-task', {
        headers: memberHeaders,
        body: {
          prompt: 'a fox',
          model_id: 'wan/2.5',
          resolution: '720p',
          duration_seconds: 5,
          reference_image_urls: [url],
        },
      });
      expect(video.status, form).toBe(400);
      expect(video.body.error.code, form).toBe('REFERENCE_IMAGE_REFUSED');
      // The names are refused for what they resolve to (the test resolver answered), not as unknown.
      if (form.includes('.ssrf.test'))
        expect(video.body.error.message, form).toMatch(/resolves to a non-public address/);

      // 000 reference images (downloaded by the server).
      const image = await api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
        headers: memberHeaders,
        body: { gen_type: 'anime', prompt: 'a fox', reference_image_urls: [url] },
      });
      expect(image.status, form).toBe(400);
      expect(image.body.error.code, form).toBe('REFERENCE_IMAGE_REFUSED');

      // 002 image parts handed to a vision / chat model.
      const content = [
        { type: 'text', text: 'describe' },
        { type: 'image_url', image_url: { url } },
      ];
      for (const [path, model] of [
        ['/api/v1/ai/i2t/chat/completions', 'vision-1'],
        ['/api/v1/llm/chat/completions', 'sandbox-chat'],
      ]) {
        const answer = await api(system.baseUrl, 'POST', path!, {
          token: storyToken,
          body: { model_id: model, messages: [{ role: 'user', content }] },
        });
        expect(answer.status, `${path} ${form}`).toBe(400);
        expect(answer.body.error.code, `${path} ${form}`).toBe('image_url_refused');
        expect(JSON.stringify(answer.body)).not.toContain(SECRET);
      }
    }
    expect(internal.hits.length).toBe(hitsBefore);
    expect(await counts()).toEqual(before);
  });

  it('004: a base outside NANOBANANA_API_BASE_ALLOWLIST is refused even when public; an allowed one redirecting inside fails without reaching it or echoing bodies', async () => {
    const before = await counts();
    const outside = await api(system.baseUrl, 'POST', '/api/v1/generate/batch', {
      body: {
        prompt: 'a cat',
        model: 'gemini-2.5-flash-image',
        count: 1,
        apiKey: 'AIza-test',
        apiBase: 'https://generativelanguage.googleapis.com.evil.example',
      },
    });
    expect(outside.status).toBe(400);
    expect(outside.body).toMatchObject({ code: 400 });
    expect(await counts()).toEqual(before);

    const hitsBefore = internal.hits.length;
    for (const [path, expected] of [
      ['/gemini-proxy/redirect', /outbound policy: (redirect|private_address)/],
      ['/gemini-proxy/answer', /HTTP 404/],
    ] as const) {
      const submitted = await api(system.baseUrl, 'POST', '/api/v1/generate/batch', {
        body: {
          prompt: 'a cat',
          model: 'gemini-2.5-flash-image',
          count: 1,
          apiKey: 'AIza-test',
          apiBase: `http://127.0.0.1:${trusted.port}${path}`,
        },
      });
      expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
      const taskId = submitted.body.data.id as string;
      const deadline = Date.now() + 20_000;
      let task: any;
      for (;;) {
        task = (await api(system.baseUrl, 'GET', `/api/v1/generate/status/${taskId}`)).body.data;
        if (task.status === 'failed' || task.status === 'completed' || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(task.status).toBe('failed');
      expect(task.errorMessage).toMatch(expected);
      expect(task.errorMessage).not.toContain(SECRET);
    }
    expect(internal.hits.length).toBe(hitsBefore);
  });

  it('000: a reference on a trusted host that redirects inside is refused and charges nothing', async () => {
    const before = await counts();
    const answer = await api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
      headers: memberHeaders,
      body: {
        gen_type: 'anime',
        prompt: 'a fox',
        reference_image_urls: [`http://127.0.0.1:${trusted.port}/redirect/a.png`],
      },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('REFERENCE_IMAGE_REFUSED');
    expect(await counts()).toEqual(before);
  });

  it('003: a callback on a trusted host that redirects inside counts as a failed delivery and is not followed', async () => {
    const hitsBefore = internal.hits.length;
    const submitted = await api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', {
      token: system.admin.token,
      body: {
        work_id: 'ssrf-callback',
        batch_data: storyboards(1),
        global_config: { callback_url: `http://127.0.0.1:${trusted.port}/redirect/hook` },
      },
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    const batchId = submitted.body.data.batch_id as string;
    const deadline = Date.now() + 30_000;
    let deliveries: Array<{ ok: boolean; error: string | null; status_code: number | null }> = [];
    while (Date.now() < deadline) {
      deliveries = await system.core.jimeng.models.CallbackDelivery.findAll({ where: { batch_id: batchId } });
      if (deliveries.length) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]!.ok).toBe(false);
    expect(deliveries[0]!.error).toMatch(/redirect/i);
    expect(trusted.hits.some((hit) => hit.startsWith('POST /redirect/hook'))).toBe(true);
    expect(internal.hits.length).toBe(hitsBefore);
  });
});
