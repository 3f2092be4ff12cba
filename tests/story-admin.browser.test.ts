import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  artifact,
  ensureAdminBuilt,
  launchChromium,
  newAdminContext,
  signInWithToken,
} from './support/browser.js';
import { api } from './support/clients.js';
import { startSystem, type RunningSystem } from './support/system.js';

/**
 * The story catalogs in the admin against the real system (demo data seeded): AI models with
 * usage counts, characters with avatar previews, music with a player, and a create round trip.
 */
describe('story admin (browser)', () => {
  let system: RunningSystem;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    ensureAdminBuilt();
    system = await startSystem({ worker: false });
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });
  beforeEach(async () => {
    context = await newAdminContext(browser);
    await signInWithToken(context, system.admin.token);
    page = await context.newPage();
  });
  afterEach(async () => {
    await context?.close();
  });

  it('lists AI models with usage counts and last use', async () => {
    const claimed = await api(system.baseUrl, 'GET', '/api/v1/ai/models/least-used/chat', {
      token: system.admin.token,
    });
    await page.goto(`${system.baseUrl}/admin/ai-models`);
    await page.getByRole('columnheader', { name: 'Uses' }).waitFor({ timeout: 15_000 });
    const row = page.getByRole('row').filter({ hasText: claimed.body.llm_id }).first();
    await row.waitFor();
    // Claimed once above: its usage count shows 1 and a last-used time.
    await expect(row.getByRole('cell', { name: '1', exact: true }).count()).resolves.toBeGreaterThan(0);
    await expect(page.getByRole('columnheader', { name: 'Last used' }).count()).resolves.toBe(1);
    await page.screenshot({ path: artifact('story-admin-ai-models.png') });
  });

  it('shows characters with avatar previews and music with a player', async () => {
    await api(system.baseUrl, 'PUT', '/api/v1/characters/' + (await firstCharacterId(system)), {
      token: system.admin.token,
      body: { avatar: `${system.baseUrl}/admin/favicon.svg` },
    });
    await page.goto(`${system.baseUrl}/admin/story-characters`);
    await page.getByRole('cell', { name: 'Mira', exact: true }).waitFor({ timeout: 15_000 });
    expect(await page.locator('img.ant-image-img').count()).toBeGreaterThan(0);

    await api(system.baseUrl, 'POST', '/api/v1/music', {
      token: system.admin.token,
      body: { name: 'Rain on the inn', url: `${system.baseUrl}/media/none.mp3`, type: 'calm' },
    });
    await page.goto(`${system.baseUrl}/admin/music`);
    await page.getByRole('cell', { name: 'Rain on the inn' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('audio[controls]').count()).toBe(1);
  });

  it('imports a character card from the characters page', async () => {
    await page.goto(`${system.baseUrl}/admin/story-characters`);
    await page.getByRole('button', { name: 'Import card' }).waitFor({ timeout: 15_000 });
    const card = {
      spec: 'chara_card_v2',
      data: { name: 'Card Wren', personality: 'Curious', scenario: 'A library' },
    };
    await page.locator('input[type=file]').setInputFiles({
      name: 'wren.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(card)),
    });
    await page.getByRole('cell', { name: 'Card Wren', exact: true }).waitFor({ timeout: 15_000 });
    await page.screenshot({ path: artifact('story-admin-character-import.png') });
    const listed = await api(system.baseUrl, 'GET', '/api/v1/story-admin/characters?page=1&limit=50', {
      token: system.admin.token,
    });
    expect(listed.body.items.find((c: { name: string }) => c.name === 'Card Wren')).toMatchObject({
      personality: 'Curious',
      background: 'A library',
    });
  });

  it('creates a language through the form', async () => {
    await page.goto(`${system.baseUrl}/admin/languages/create`);
    await page.locator('.ant-form input').first().fill('Français', { timeout: 10_000 });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/admin\/languages(\?|$)/, { timeout: 15_000 });
    await page.getByRole('cell', { name: 'Français' }).waitFor({ timeout: 15_000 });
    const listed = await api(system.baseUrl, 'GET', '/api/v1/languages', { token: system.admin.token });
    expect(listed.body.map((l: { language: string }) => l.language)).toContain('Français');
  });
});

async function firstCharacterId(system: RunningSystem): Promise<string> {
  const list = await api(system.baseUrl, 'GET', '/api/v1/story-admin/characters?page=1&limit=50', {
    token: system.admin.token,
  });
  return list.body.items.find((c: { name: string }) => c.name === 'Mira').id;
}
