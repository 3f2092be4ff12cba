import { readFileSync } from 'node:fs';
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
import { createBatch, waitForTask } from './support/nanobanana/helpers.js';
import { readZipEntries } from './support/nanobanana/zip.js';

/** The NanoBanana gallery in the admin: history with search, previews, multi-select ZIP export, delete. */
describe('NanoBanana gallery (browser)', () => {
  let system: RunningSystem;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const tasks: Record<string, { id: string; images: { id: string }[] }> = {};

  beforeAll(async () => {
    ensureAdminBuilt();
    system = await startSystem({
      env: { NANOBANANA_RATE_PER_SEC: '100000', NANOBANANA_RATE_BURST: '100000' },
    });
    const auth = { authorization: `Bearer ${system.admin.token}` };
    for (const [name, prompt] of [
      ['cat', '一只可爱的猫咪在花园里玩耍'],
      ['city', 'cyberpunk city at night'],
    ] as const) {
      const created = await createBatch(system.baseUrl, { prompt, count: 3 }, auth);
      tasks[name] = await waitForTask(system.baseUrl, created.body.data.id, auth);
    }
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

  it('lists tasks with thumbnails and finds them by a Chinese keyword', async () => {
    await page.goto(`${system.baseUrl}/admin/nanobanana`);
    await page.getByText('cyberpunk city at night').waitFor({ timeout: 15_000 });
    await page.getByText('一只可爱的猫咪在花园里玩耍').waitFor();
    expect(await page.locator('img.ant-image-img').count()).toBe(6);
    await page.getByPlaceholder('Search prompts (Chinese or English)').fill('猫');
    await page.getByPlaceholder('Search prompts (Chinese or English)').press('Enter');
    await page.getByText('cyberpunk city at night').waitFor({ state: 'detached', timeout: 15_000 });
    await page.getByText('一只可爱的猫咪在花园里玩耍').waitFor();
    await page.screenshot({ path: artifact('nanobanana-gallery.png') });
  });

  it('exports the selected images as a ZIP and deletes one image', async () => {
    const task = tasks.cat!;
    await page.goto(`${system.baseUrl}/admin/nanobanana/show/${task.id}`);
    await page.locator('.ant-card img.ant-image-img').first().waitFor({ timeout: 15_000 });
    const imageCards = page.locator('.ant-card:has(> .ant-card-cover)');
    expect(await imageCards.count()).toBe(3);
    await page.getByText('Select all').click();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: /Export ZIP \(3\)/ }).click();
    const file = await (await download).path();
    const entries = readZipEntries(readFileSync(file));
    expect(entries.map((entry) => entry.name).sort()).toEqual(
      task.images.map((image) => `${image.id}.png`).sort(),
    );

    await imageCards.first().locator('[title="Delete image"]').click();
    await page
      .getByRole('button', { name: /OK|Delete|Yes/ })
      .last()
      .click();
    await expect.poll(async () => imageCards.count(), { timeout: 15_000 }).toBe(2);
    const status = await api(system.baseUrl, 'GET', `/api/v1/generate/status/${task.id}`, {
      token: system.admin.token,
    });
    expect(status.body.data.completedCount).toBe(2);
    expect(status.body.data.images).toHaveLength(2);
  });
});
