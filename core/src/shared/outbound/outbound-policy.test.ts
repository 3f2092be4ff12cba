import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundRefusedError } from './outbound-errors.js';
import { OutboundPolicy, type Resolver } from './outbound-policy.js';

interface Listener {
  server: Server;
  port: number;
  hits: IncomingMessage[];
  bodies: string[];
}

async function listen(
  handler: (req: IncomingMessage, res: import('node:http').ServerResponse, port: number) => void,
) {
  const listener = { hits: [], bodies: [] } as unknown as Listener;
  listener.server = createServer((req, res) => {
    listener.hits.push(req);
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      listener.bodies.push(raw);
      handler(req, res, listener.port);
    });
  });
  await new Promise<void>((resolve) => listener.server.listen(0, '127.0.0.1', resolve));
  listener.port = (listener.server.address() as { port: number }).port;
  return listener;
}

/** A resolver with a fixed table; anything else does not resolve. */
function tableResolver(table: Record<string, string[]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolver = async (hostname: string) => {
    calls.push(hostname);
    const addresses = table[hostname];
    if (!addresses)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: (address.includes(':') ? 6 : 4) as 4 | 6 }));
  };
  return Object.assign(resolver, { calls });
}

const refused = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OutboundRefusedError);
  return error as OutboundRefusedError;
};

describe('OutboundPolicy', () => {
  /** Must never be reached: loopback, not trusted by any policy below. */
  let forbidden: Listener;
  /** A trusted service (127.0.0.1:<port> on the allow-list) that redirects and echoes. */
  let trusted: Listener;

  beforeAll(async () => {
    forbidden = await listen((_req, res) => res.end('internal secret'));
    trusted = await listen((req, res, port) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/ok') {
        res.setHeader('content-type', 'text/plain');
        return res.end('fine');
      }
      if (url.pathname === '/echo') {
        res.setHeader('content-type', 'application/json');
        return res.end(JSON.stringify({ method: req.method, auth: req.headers.authorization ?? null }));
      }
      if (url.pathname === '/to') {
        res.statusCode = Number(url.searchParams.get('status') ?? 302);
        res.setHeader('location', url.searchParams.get('location')!);
        return res.end();
      }
      if (url.pathname === '/loop') {
        res.statusCode = 302;
        res.setHeader('location', `http://127.0.0.1:${port}/loop`);
        return res.end();
      }
      if (url.pathname === '/big') return res.end(Buffer.alloc(4096));
      if (url.pathname === '/stream') {
        res.write(Buffer.alloc(600));
        setTimeout(() => res.end(Buffer.alloc(600)), 20);
        return;
      }
      if (url.pathname === '/slow') return; // never answers
      res.statusCode = 404;
      res.end();
    });
  });
  afterAll(async () => {
    for (const each of [forbidden, trusted]) {
      each.server.closeAllConnections();
      await new Promise<void>((resolve) => each.server.close(() => resolve()));
    }
  });

  const policy = (resolver: Resolver = tableResolver({}), extra: string[] = []) =>
    new OutboundPolicy({
      allowedHosts: [`127.0.0.1:${trusted.port}`, ...extra],
      resolver,
      timeoutMs: 2000,
      maxResponseBytes: 1024,
    });

  it('refuses every spelling of a local or private address without connecting', async () => {
    const port = () => forbidden.port;
    const forms = [
      `http://127.0.0.1:${port()}/`,
      `http://[::1]:${port()}/`,
      `http://0x7f000001:${port()}/`,
      `http://2130706433:${port()}/`,
      `http://127.1:${port()}/`,
      `http://0177.0.0.1:${port()}/`,
      `http://localhost:${port()}/`,
      `http://api.localhost:${port()}/`,
      `http://[::ffff:127.0.0.1]:${port()}/`,
      `http://0.0.0.0:${port()}/`,
      `http://0:${port()}/`,
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/',
      'http://[fd00::1]/',
      'http://[64:ff9b::7f00:1]/',
      'http://[2002:7f00:1::]/',
    ];
    const before = forbidden.hits.length;
    for (const url of forms) {
      const assertion = await refused(policy().assertAllowed(url));
      expect(assertion.reason, url).toBe('private_address');
      await refused(policy().fetch(url));
    }
    expect(forbidden.hits.length).toBe(before);
  });

  it('refuses other schemes, credentials and garbage', async () => {
    for (const [url, reason] of [
      ['file:///etc/passwd', 'scheme'],
      ['gopher://example.com/', 'scheme'],
      ['ftp://example.com/a.png', 'scheme'],
      ['data:image/png;base64,AAAA', 'scheme'],
      ['http://user:pass@example.com/', 'credentials'],
      ['not a url', 'invalid_url'],
    ] as const) {
      expect((await refused(policy().assertAllowed(url))).reason, url).toBe(reason);
    }
  });

  it('checks every address a name resolves to (injected resolver); unresolvable names are refused', async () => {
    const resolver = tableResolver({
      'public.test': ['93.184.216.34', '2606:4700::1111'],
      'private.test': ['10.1.2.3'],
      'mixed.test': ['93.184.216.34', '127.0.0.1'],
      'metadata.test': ['169.254.169.254'],
      'mapped.test': ['::ffff:192.168.1.1'],
    });
    await expect(policy(resolver).assertAllowed('https://public.test/a.png')).resolves.toBeInstanceOf(URL);
    for (const host of ['private.test', 'mixed.test', 'metadata.test', 'mapped.test']) {
      const error = await refused(policy(resolver).assertAllowed(`https://${host}/a.png`));
      expect(error.reason).toBe('private_address');
      expect(error.message).toContain(host);
    }
    expect((await refused(policy(resolver).assertAllowed('https://nowhere.test/'))).reason).toBe(
      'unresolvable',
    );
  });

  it('re-checks the address at connect time: a name that rebinds to loopback after the check is refused', async () => {
    let calls = 0;
    const rebinding: Resolver = async () => {
      calls += 1;
      return [{ address: calls === 1 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
    };
    const before = forbidden.hits.length;
    const error = await refused(policy(rebinding).fetch(`http://rebind.test:${forbidden.port}/`));
    expect(error.reason).toBe('private_address');
    expect(calls).toBe(2);
    expect(forbidden.hits.length).toBe(before);
  });

  it('lets trusted hosts through (host:port only on that port; a trusted name resolved by the resolver)', async () => {
    const answer = await policy().fetch(`http://127.0.0.1:${trusted.port}/ok`);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe('fine');
    await expect(policy().assertAllowed(`http://127.0.0.1:${trusted.port}/ok`)).resolves.toBeInstanceOf(URL);
    const byName = policy(tableResolver({ 'sandbox.test': ['127.0.0.1'] }), ['sandbox.test']);
    expect(await (await byName.fetch(`http://sandbox.test:${trusted.port}/ok`)).text()).toBe('fine');
    const before = forbidden.hits.length;
    await refused(policy().fetch(`http://127.0.0.1:${forbidden.port}/`));
    expect(forbidden.hits.length).toBe(before);
  });

  it('re-checks every redirect hop: a trusted host redirecting to loopback or metadata is refused', async () => {
    const before = forbidden.hits.length;
    for (const location of [
      `http://127.0.0.1:${forbidden.port}/`,
      `http://localhost:${forbidden.port}/`,
      `http://[::1]:${forbidden.port}/`,
      'http://169.254.169.254/latest/meta-data/',
      'file:///etc/passwd',
    ]) {
      for (const status of [301, 302, 303, 307, 308]) {
        const url = `http://127.0.0.1:${trusted.port}/to?status=${status}&location=${encodeURIComponent(location)}`;
        await refused(policy().fetch(url));
        await refused(policy().fetch(url, { method: 'POST', body: '{}', redirect: 'error' }));
      }
    }
    expect(forbidden.hits.length).toBe(before);
    // Followed within the trusted host, at most three hops.
    const hop = `http://127.0.0.1:${trusted.port}/to?location=${encodeURIComponent('/ok')}`;
    expect(await (await policy().fetch(hop)).text()).toBe('fine');
    expect((await refused(policy().fetch(`http://127.0.0.1:${trusted.port}/loop`))).reason).toBe('redirect');
    // manual hands back the 3xx; error refuses it.
    expect((await policy().fetch(hop, { redirect: 'manual' })).status).toBe(302);
    expect((await refused(policy().fetch(hop, { redirect: 'error' }))).reason).toBe('redirect');
  });

  it('turns POST into GET on 303 and drops credentials on a cross-origin hop', async () => {
    const resolver = tableResolver({ 'other.test': ['127.0.0.1'] });
    const p = policy(resolver, [`other.test:${trusted.port}`]);
    const target = `http://other.test:${trusted.port}/echo`;
    const answer = await p.fetch(
      `http://127.0.0.1:${trusted.port}/to?status=303&location=${encodeURIComponent(target)}`,
      { method: 'POST', body: 'x', headers: { authorization: 'Bearer secret' } },
    );
    expect(await answer.json()).toEqual({ method: 'GET', auth: null });
    const same = await p.fetch(
      `http://127.0.0.1:${trusted.port}/to?status=307&location=${encodeURIComponent('/echo')}`,
      { method: 'POST', body: 'x', headers: { authorization: 'Bearer secret' } },
    );
    expect(await same.json()).toEqual({ method: 'POST', auth: 'Bearer secret' });
  });

  it('caps the answer size (declared and streamed) and times out', async () => {
    expect((await refused(policy().fetch(`http://127.0.0.1:${trusted.port}/big`))).reason).toBe('too_large');
    const streamed = await policy().fetch(`http://127.0.0.1:${trusted.port}/stream`);
    expect(streamed.status).toBe(200);
    const error = await refused(streamed.arrayBuffer());
    expect(error.reason).toBe('too_large');
    const started = Date.now();
    const slow = await refused(policy().fetch(`http://127.0.0.1:${trusted.port}/slow`, { timeoutMs: 200 }));
    expect(slow.reason).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
