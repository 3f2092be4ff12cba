import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifact, ensureAdminBuilt, launchChromium, newAdminContext, signIn } from './support/browser.js';
import { api, botHeaders } from './support/clients.js';
import { waitForEnd } from './support/anime.js';
import { startSystem, type RunningSystem } from './support/system.js';

/**
 * The anime screens of the admin against the whole system: a Telegram member (provisioned by the
 * bot API) gets credits granted from the users page and the grant shows in their ledger; then the
 * templates, presets (one created through the form), models with prices, and the generations list
 * with image and video previews.
 */
describe('anime admin (browser)', () => {
  let system: RunningSystem;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const member = () => botHeaders(system.botToken, 'telegram', '123');

  beforeAll(async () => {
    ensureAdminBuilt();
    system = await startSystem({ db: 'sqlite' });
    browser = await launchChromium();
    context = await newAdminContext(browser);
    page = await context.newPage();
  }, 180_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await system?.stop();
  });

  it('grants credits to a member and shows the entry in their ledger', async () => {
    // Images are free by default: the first request provisions the member and leaves a generation.
    const image = await api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
      headers: member(),
      body: { prompt: 'a fox spirit under lanterns', batch_size: 2 },
    });
    expect(image.status).toBe(200);

    await page.goto(`${system.baseUrl}/admin/anime-users`);
    await page.waitForURL(/\/admin\/login/);
    await signIn(page, system);
    await page.waitForURL(/\/admin\/anime-users/);
    await page.getByPlaceholder('Search by user ID, name or platform ID').fill('123');
    await page.getByPlaceholder('Search by user ID, name or platform ID').press('Enter');
    const row = page.locator('tr', { hasText: 'telegram:123' });
    await row.waitFor({ timeout: 15_000 });
    expect(await row.innerText()).toContain('0 MC');

    await row.getByRole('button', { name: 'Grant credits' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Amount').fill('1000');
    await dialog.getByLabel('Note').fill('welcome bonus');
    await page.screenshot({ path: artifact('anime-admin-grant.png') });
    await dialog.getByRole('button', { name: 'Grant' }).click();
    await page.getByText('1000 MC granted; the balance is now 1000 MC').waitFor();
    await row.getByText('1,000 MC').waitFor();

    await row.getByRole('button', { name: 'Ledger' }).click();
    await page.waitForURL(/\/admin\/anime-users\/show\//);
    const ledger = page.getByTestId('credit-ledger');
    const entry = ledger.locator('tr', { hasText: 'welcome bonus' });
    await entry.waitFor();
    const text = await entry.innerText();
    expect(text).toContain('Grant');
    expect(text).toContain('+1,000');
    await page.waitForLoadState('networkidle');
    await page.locator('.ant-spin-blur').waitFor({ state: 'detached', timeout: 5000 });
    await page.screenshot({ path: artifact('anime-admin-ledger.png'), fullPage: true });

    // The ledger links to the member's generations, filtered by their id.
    const userId = decodeURIComponent(new URL(page.url()).pathname.split('/show/')[1]!);
    await page.getByRole('link', { name: 'Show their generations' }).click();
    await page.waitForURL(/\/admin\/anime-generations/);
    await page.locator('tr', { hasText: 'a fox spirit under lanterns' }).waitFor();
    await expect(page.getByPlaceholder('User ID').inputValue()).resolves.toBe(userId);

    // The server agrees: one grant entry, balance 1000.
    const credits = await api(system.baseUrl, 'GET', '/api/generation/credits', { headers: member() });
    expect(credits.body.data.balance).toBe(1000);
    expect(credits.body.data.ledger.filter((e: { kind: string }) => e.kind === 'grant')).toHaveLength(1);
  });

  it('lists templates and presets, and creates a preset through the form', async () => {
    await page.goto(`${system.baseUrl}/admin/anime-templates`);
    await page.locator('tr', { hasText: 'world-cover' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('tr', { hasText: 'world-cover' }).innerText()).toContain('world_name*');
    await page.screenshot({ path: artifact('anime-admin-templates.png'), fullPage: true });

    // Editing keeps every variable and the template text; only the name changes.
    await page.locator('tr', { hasText: 'world-cover' }).getByRole('button').click();
    await page.waitForURL(/\/admin\/anime-templates\/edit\/world-cover/);
    const name = page.getByLabel('Name', { exact: true });
    await expect(name.inputValue()).resolves.toBe('World cover');
    await name.fill('World cover art');
    await page.screenshot({ path: artifact('anime-admin-template-edit.png'), fullPage: true });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/admin\/anime-templates(\?|$)/);
    await page.locator('tr', { hasText: 'World cover art' }).waitFor();
    const templates = await api(system.baseUrl, 'GET', '/api/anime-generation/admin/templates', {
      token: system.admin.token,
    });
    const saved = templates.body.data.find(
      (row: { template_key: string }) => row.template_key === 'world-cover',
    );
    expect(saved.name).toBe('World cover art');
    expect(saved.template).toContain('{{world_name}}');
    expect(saved.variables.map((variable: { name: string }) => variable.name)).toEqual([
      'world_name',
      'world_genre',
      'world_description',
      'scene_hint',
    ]);
    expect(saved.variables.filter((variable: { required: boolean }) => variable.required)).toHaveLength(3);

    await page.goto(`${system.baseUrl}/admin/anime-presets/create`);
    await page.getByLabel('Key').fill('ink-wash');
    await page.getByLabel('Name').fill('Ink wash');
    await page.getByLabel('Prompt').fill('sumi-e ink wash painting, soft paper texture');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/admin\/anime-presets(\?|$)/);
    const created = page.locator('tr', { hasText: 'ink-wash' });
    await created.waitFor();
    expect(await created.innerText()).toContain('Style');
    await page.screenshot({ path: artifact('anime-admin-presets.png'), fullPage: true });
    const presets = await api(system.baseUrl, 'GET', '/api/anime-generation/presets?kind=style', {
      headers: member(),
    });
    expect(presets.body.data).toContainEqual({
      kind: 'style',
      key: 'ink-wash',
      name: 'Ink wash',
      prompt: 'sumi-e ink wash painting, soft paper texture',
    });
  });

  it('shows the configured models with their prices', async () => {
    await page.goto(`${system.baseUrl}/admin/anime-models`);
    const wan = page.locator('tr', { hasText: 'wan/2.5' });
    await wan.waitFor({ timeout: 15_000 });
    const text = await wan.innerText();
    expect(text).toContain('720p · 5 s: 300 MC');
    expect(text).toContain('1080p · 10 s: 1000 MC');
    await page.locator('tr', { hasText: 'jimeng-4.5' }).getByText('Default', { exact: true }).waitFor();
    await page.screenshot({ path: artifact('anime-admin-models.png'), fullPage: true });
  });

  it('edits image and video prices (staff), which quotes then follow, and lists each change', async () => {
    await page.goto(`${system.baseUrl}/admin/anime-models`);
    // The models' rows (the price-changes table below names the models too).
    const jimeng = page.locator('tr', { has: page.getByTestId('edit-price-jimeng-4.5') });
    await jimeng.waitFor({ timeout: 15_000 });
    expect(await jimeng.innerText()).toContain('Configured default');

    await page.getByTestId('edit-price-jimeng-4.5').click();
    let dialog = page.getByRole('dialog');
    await dialog.getByText('Price of jimeng-4.5').waitFor();
    await dialog.getByLabel('4K').fill('');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('Enter a price').waitFor();
    for (const [resolution, credits] of [
      ['1K', '2'],
      ['2K', '4'],
      ['4K', '8'],
    ] as const)
      await dialog.getByLabel(resolution).fill(credits);
    await page.screenshot({ path: artifact('anime-admin-price-edit.png') });
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Price of jimeng-4.5 saved').waitFor();
    await jimeng.getByText('4K: 8 MC per image').waitFor();
    await jimeng.getByText(/^Set by admin at /).waitFor();
    const quote = await api(system.baseUrl, 'POST', '/api/anime-generation/quote', {
      headers: member(),
      body: { image_resolution: '4K', batch_size: 2 },
    });
    expect(quote.body.data.estimated_credits).toBe(16);

    const kling = page.locator('tr', { has: page.getByTestId('edit-price-kling-3.0/video') });
    await page.getByTestId('edit-price-kling-3.0/video').click();
    dialog = page.getByRole('dialog');
    await dialog.getByText('Price of kling-3.0/video').waitFor();
    // Pre-filled from the documented rule (std 1050, pro 2100 at any duration).
    await expect(dialog.getByLabel('pro · 10 s').inputValue()).resolves.toBe('2100');
    await dialog.getByLabel('std · 5 s').fill('900');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Price of kling-3.0/video saved').waitFor();
    await kling.getByText('std · 5 s: 900 MC').waitFor();
    const videoQuote = await api(system.baseUrl, 'POST', '/api/anime-video/quote', {
      headers: member(),
      body: { model_id: 'kling-3.0/video', mode: 'std', duration_seconds: 5 },
    });
    expect(videoQuote.body.estimated_credits).toBe(900);

    const changes = page.getByTestId('price-changes');
    await changes.getByText('kling-3.0/video').first().waitFor();
    expect(await changes.innerText()).toContain('Configured default → 1K 2 · 2K 4 · 4K 8');
    await page.screenshot({ path: artifact('anime-admin-prices.png'), fullPage: true });

    // Back to the configured prices (the documented 1050 MC for Kling 3.0 std).
    for (const row of [kling, jimeng]) {
      await row.getByRole('button', { name: 'Restore default' }).click();
      await page.locator('.ant-popconfirm').getByRole('button', { name: 'Restore default' }).click();
      await row.getByText('Configured default').waitFor();
    }
    await kling.getByText('std · any: 1050 MC').waitFor();
    const members = await api(
      system.baseUrl,
      'PUT',
      '/api/anime-generation/admin/models/image/jimeng-4.5/price',
      {
        headers: member(),
        body: { price: { type: 'flat', credits: 0 } },
      },
    );
    expect(members.status).toBe(403);
  });

  it('lists image and video generations across users with previews and status', async () => {
    const video = await api(system.baseUrl, 'POST', '/api/anime-video/create-task', {
      headers: member(),
      body: {
        model_id: 'wan/2.5',
        resolution: '720p',
        duration_seconds: 5,
        prompt: 'lanterns drifting upward',
      },
    });
    expect(video.status).toBe(200);
    await waitForEnd(system, video.body.data.generation_uuid, member(), 40_000);
    const history = await api(system.baseUrl, 'GET', '/api/anime-generation/history', { headers: member() });
    for (const record of history.body.data.records)
      await waitForEnd(system, record.generation_uuid, member());

    await page.goto(`${system.baseUrl}/admin/anime-generations`);
    const imageRow = page.locator('tr', { hasText: 'a fox spirit under lanterns' });
    await imageRow.waitFor({ timeout: 15_000 });
    await imageRow.getByText('Completed').waitFor();
    await expect(imageRow.getByTestId('media-thumbs').locator('img').count()).resolves.toBe(2);
    const videoRow = page.locator('tr', { hasText: 'lanterns drifting upward' });
    expect(await videoRow.innerText()).toContain('300 MC');
    await videoRow.getByRole('button', { name: 'Play' }).first().waitFor();
    // Image thumbnails really load.
    await page.waitForLoadState('networkidle');
    await page.locator('.ant-spin-blur').waitFor({ state: 'detached', timeout: 5000 });
    const loaded = await imageRow
      .locator('img')
      .evaluateAll((images) => images.every((img) => (img as HTMLImageElement).naturalWidth > 0));
    expect(loaded).toBe(true);
    await page.screenshot({ path: artifact('anime-admin-generations.png'), fullPage: true });

    await page.getByRole('combobox').first().click();
    await page.getByTitle('Videos').click();
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/kind/);
    await imageRow.waitFor({ state: 'detached' });
    await videoRow.waitFor();

    // Chinese: same screen, translated.
    await page.evaluate(() => localStorage.setItem('dreamloom.admin.lang', 'zh-CN'));
    await page.reload();
    await page.getByText('动漫生成记录').first().waitFor();
    await page.getByText('已完成').first().waitFor();
    await page.waitForLoadState('networkidle');
    await page.locator('.ant-spin-blur').waitFor({ state: 'detached', timeout: 5000 });
    await page.screenshot({ path: artifact('anime-admin-generations-zh.png'), fullPage: true });
  });
});
