import { writeFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  artifact,
  collectCspViolations,
  ensureAdminBuilt,
  launchChromium,
  newAdminContext,
  signInWithToken,
} from './support/browser.js';
import { startSystem, type RunningSystem } from './support/system.js';

interface Transfer {
  url: string;
  status: number;
  /** Bytes that came over the wire (headers and body, compressed as sent), as DevTools counts them. */
  bytes: number;
  encoding: string;
  cacheControl: string;
  fromCache: boolean;
}

/**
 * Records every response of a page through the DevTools protocol: `Network.loadingFinished`'s
 * encodedDataLength is what the browser's network panel shows as "transferred" (0 for what the
 * HTTP cache answered without asking the server).
 */
async function recordTransfers(page: Page): Promise<Transfer[]> {
  const session = await page.context().newCDPSession(page);
  const byId = new Map<string, Transfer>();
  const done: Transfer[] = [];
  session.on('Network.responseReceived', (event) => {
    const headers = Object.fromEntries(
      Object.entries(event.response.headers).map(([name, value]) => [name.toLowerCase(), String(value)]),
    );
    byId.set(event.requestId, {
      url: event.response.url,
      status: event.response.status,
      bytes: 0,
      encoding: headers['content-encoding'] ?? '',
      cacheControl: headers['cache-control'] ?? '',
      fromCache: Boolean(event.response.fromDiskCache || event.response.fromPrefetchCache),
    });
  });
  session.on('Network.requestServedFromCache', (event) => {
    const entry = byId.get(event.requestId);
    if (entry) entry.fromCache = true;
  });
  session.on('Network.loadingFinished', (event) => {
    const entry = byId.get(event.requestId);
    if (!entry) return;
    entry.bytes = event.encodedDataLength;
    done.push(entry);
  });
  await session.send('Network.enable');
  return done;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const total = (transfers: Transfer[]) => transfers.reduce((sum, t) => sum + t.bytes, 0);
const overWire = (transfers: Transfer[]) => transfers.filter((t) => !t.fromCache && t.bytes > 0);
const describeTransfers = (transfers: Transfer[]) =>
  transfers.map(
    (t) =>
      `${String(t.status).padEnd(4)}${kb(t.bytes).padStart(10)}  ${(t.encoding || '-').padEnd(5)} ` +
      `${t.fromCache ? '(cache) ' : ''}${new URL(t.url).pathname}  [${t.cacheControl}]`,
  );

/**
 * What the admin costs a browser: a first visit (fresh profile) to /admin/ lands on the login page
 * and must stay within 700 KB over the wire (scripts precompressed, pages split off the login); a
 * repeat visit fetches index.html alone (hashed assets are immutable for a year). The same for a
 * signed-in first visit to the dashboard, for information. Figures go to artifacts/admin-load.json.
 */
describe('admin first load (browser)', () => {
  let system: RunningSystem;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const report: Record<string, unknown> = {};

  beforeAll(async () => {
    ensureAdminBuilt();
    system = await startSystem({ worker: false });
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await system?.stop();
    writeFileSync(artifact('admin-load.json'), `${JSON.stringify(report, null, 2)}\n`);
  });

  async function visit(context: BrowserContext, path: string, ready: (page: Page) => Promise<unknown>) {
    const page = await context.newPage();
    const transfers = await recordTransfers(page);
    await page.goto(`${system.baseUrl}${path}`);
    await ready(page);
    await page.waitForLoadState('networkidle');
    await page.close();
    return transfers;
  }

  it('loads the login page within 700 KB, then again with index.html alone', async () => {
    const context = await newAdminContext(browser);
    contexts.push(context);
    const violations = await collectCspViolations(context);
    const loginShown = (page: Page) =>
      page
        .getByRole('heading', { name: 'Sign in to Dreamloom' })
        .waitFor({ state: 'visible', timeout: 15_000 });

    const first = await visit(context, '/admin/', loginShown);
    const repeat = await visit(context, '/admin/', loginShown);
    report.login = {
      first: { bytes: total(first), requests: describeTransfers(first) },
      repeat: { bytes: total(repeat), requests: describeTransfers(repeat) },
    };
    console.log(
      `admin login, first visit: ${kb(total(first))} in ${overWire(first).length} responses\n  ` +
        describeTransfers(first).join('\n  ') +
        `\nadmin login, repeat visit: ${kb(total(repeat))} in ${overWire(repeat).length} responses\n  ` +
        describeTransfers(repeat).join('\n  '),
    );

    const assets = first.filter((t) => /\/admin\/assets\/.+\.(js|css)$/.test(new URL(t.url).pathname));
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      expect(asset.cacheControl, asset.url).toBe('public, max-age=31536000, immutable');
      // The build leaves files under 1 KB uncompressed (about the size of the headers around them).
      if (asset.bytes > 3 * 1024) expect(asset.encoding, asset.url).toMatch(/^(br|gzip)$/);
    }
    expect(assets.filter((t) => t.encoding).length).toBeGreaterThan(assets.length / 2);
    expect(total(first)).toBeLessThanOrEqual(700 * 1024);

    // Repeat visit: the documents (index.html, revalidated) come from the server, every asset from
    // the cache.
    const fetched = overWire(repeat).map((t) => new URL(t.url).pathname);
    expect(fetched.filter((p) => p.startsWith('/admin/assets/'))).toEqual([]);
    expect(total(repeat)).toBeLessThan(10 * 1024);
    expect(violations).toEqual([]);
  });

  it('signed in: the dashboard loads its own pages on top of the shell', async () => {
    const context = await newAdminContext(browser);
    contexts.push(context);
    const violations = await collectCspViolations(context);
    await signInWithToken(context, system.admin.token);
    const first = await visit(context, '/admin/', (page) => page.getByTestId('dashboard').waitFor());
    const scripts = first.filter((t) => /\/admin\/assets\/.+\.js$/.test(new URL(t.url).pathname));
    report.dashboard = { first: { bytes: total(first), requests: describeTransfers(first) } };
    console.log(
      `admin dashboard (signed in), first visit: ${kb(total(first))}, ` +
        `${kb(total(scripts))} of it scripts\n  ` +
        describeTransfers(first).join('\n  '),
    );
    expect(total(scripts)).toBeLessThanOrEqual(700 * 1024);
    expect(violations).toEqual([]);
  });
});
