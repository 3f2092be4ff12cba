import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  artifact,
  ensureAdminBuilt,
  launchChromium,
  newAdminContext,
  signInWithToken,
} from './support/browser.js';
import { api } from './support/clients.js';
import { grant, member, waitForEnd } from './support/anime.js';
import { startSystem, type RunningSystem } from './support/system.js';

/**
 * The admin's Trace page: staff open it from the menu, paste an output's media URL and see the
 * generation's timeline (created, charged, output stored, the staff grant), where it ran and the
 * member's platform identity; in Chinese too.
 */
describe('Trace page (browser)', () => {
  let system: RunningSystem;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    ensureAdminBuilt();
    system = await startSystem({ db: 'sqlite', env: { ANIME_IMAGE_CREDITS_PER_IMAGE: '4' } });
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await system?.stop();
  });

  it('opens a trace from a media URL and shows its timeline, account and member', async () => {
    const { headers, userId } = await member(system, 'trace-browser-1');
    await grant(system, userId, 100);
    const created = await api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
      headers,
      body: { gen_type: 'anime', prompt: 'a heron in the rain' },
    });
    const uuid = created.body.data.generation_uuid as string;
    await waitForEnd(system, uuid, headers);
    const status = await api(system.baseUrl, 'GET', `/api/generation/status/${uuid}`, { headers });
    const url = JSON.stringify(status.body).match(/https?:\/\/[^"]*\/media\/[^"]+/)![0];

    const context = await newAdminContext(browser);
    contexts.push(context);
    await signInWithToken(context, system.admin.token);
    const page = await context.newPage();
    await page.goto(`${system.baseUrl}/admin/`);
    await page.getByRole('menuitem', { name: 'Trace' }).click();
    await page.getByPlaceholder(/Media URL/).fill(url);
    await page.getByPlaceholder(/Media URL/).press('Enter');

    const view = page.getByTestId('trace-view');
    await expect.poll(() => view.isVisible(), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => view.innerText()).toContain(uuid);
    const text = await view.innerText();
    expect(text).toContain('Media file');
    expect(text).toContain('a heron in the rain');
    expect(text).toContain('charged 4 MC');
    expect(text).toContain('discord:trace-browser-1');
    expect(text).toContain('pool account');
    expect(text).toContain('credits.grant');
    expect(page.url()).toContain(`q=${encodeURIComponent(url)}`);
    await page.screenshot({ path: artifact('staff-trace.png'), fullPage: true });

    // The trace is a link: opened directly in Chinese it shows the same view with Chinese labels.
    const zh = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 800 } });
    contexts.push(zh);
    await zh.addInitScript((value) => {
      localStorage.setItem('dreamloom.admin.token', value);
      localStorage.setItem('dreamloom.admin.lang', 'zh-CN');
    }, system.admin.token);
    const zhPage = await zh.newPage();
    await zhPage.goto(`${system.baseUrl}/admin/trace?q=${encodeURIComponent(url)}`);
    const zhView = zhPage.getByTestId('trace-view');
    await expect.poll(() => zhView.isVisible(), { timeout: 10_000 }).toBe(true);
    const zhText = await zhView.innerText();
    expect(zhText).toContain('时间线');
    expect(zhText).toContain('号池账号');
    expect(zhText).toContain(uuid);
  }, 60_000);
});
