import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifact, ensureAdminBuilt, launchChromium, signInWithToken } from './support/browser.js';
import { api } from './support/clients.js';
import { startSystem, type RunningSystem } from './support/system.js';
import { makeWav } from './support/wav.js';

/** What a catalog form's picture preview is showing: its address and whether it drew. */
async function previewOf(page: Page): Promise<{ src: string; loaded: boolean }> {
  const image = page.locator('.ant-form .ant-image img').first();
  await image.waitFor();
  return image.evaluate((img: HTMLImageElement) => ({
    src: img.currentSrc || img.src,
    loaded: img.complete && img.naturalWidth > 0,
  }));
}

/** The notice Refine shows after a save or delete (antd notification). */
function notice(page: Page, text: string) {
  return page.locator('.ant-notification-notice', { hasText: text }).first();
}

/**
 * The story catalogs' forms in a real browser: a picture uploaded through the server's image upload
 * and shown after saving, a URL that does not load refused with the preview's placeholder, the
 * music type chosen from the music types catalog, and page titles and notices naming one record
 * in English and Chinese.
 */
describe('story catalog forms (browser)', () => {
  let system: RunningSystem;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    ensureAdminBuilt();
    system = await startSystem({ worker: false });
    browser = await launchChromium();
    context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    await signInWithToken(context, system.admin.token);
    page = await context.newPage();
  }, 180_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await system?.stop();
  });

  it('uploads an art style thumbnail, saves it and shows it; a URL that does not load is refused', async () => {
    await page.goto(`${system.baseUrl}/admin/art-styles/create`);
    await page.getByText('New art style', { exact: true }).waitFor();
    await page.getByLabel('Name').fill('Ink wash');
    await page.getByLabel('Keywords').fill('ink wash, sumi-e');
    const png = await sharp({
      create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 40, b: 60 } },
    })
      .png()
      .toBuffer();
    await page.locator('.ant-form input[type=file]').setInputFiles({
      name: 'ink.png',
      mimeType: 'image/png',
      buffer: png,
    });
    const thumbnail = page.getByLabel('Thumbnail');
    await expect.poll(() => thumbnail.inputValue()).toMatch(/\/api\/v1\/images\/[\w-]+\.\w+$/);
    const uploaded = await thumbnail.inputValue();
    await expect.poll(() => previewOf(page)).toEqual({ src: uploaded, loaded: true });
    await page.screenshot({ path: artifact('story-catalog-form-upload.png') });

    await page.getByRole('button', { name: 'Save' }).click();
    await notice(page, 'Art style created').waitFor();
    await page.waitForURL(/\/admin\/art-styles(\?|$)/);
    const row = page.locator('.ant-table-tbody tr', { hasText: 'Ink wash' });
    await row.waitFor();
    // The list's thumbnail is the stored picture, drawn.
    const listed = row.locator('.ant-image img');
    await expect
      .poll(() => listed.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0))
      .toBe(true);
    expect(await listed.getAttribute('src')).toBe(uploaded);
    const styles = await api(system.baseUrl, 'GET', '/api/v1/art-styles', { token: system.admin.token });
    const saved = (styles.body as Array<{ id: string; name: string; thumbnail: string }>).find(
      (style) => style.name === 'Ink wash',
    );
    expect(saved?.thumbnail).toBe(uploaded);

    // Edit: a URL that does not load (404) shows the placeholder and an error, and is not saved.
    await row.getByRole('button', { name: /edit/i }).click();
    await page.getByText('Edit art style', { exact: true }).waitFor();
    await expect.poll(() => thumbnail.inputValue()).toBe(uploaded);
    const broken = `${system.baseUrl}/api/v1/images/no-such-picture.png`;
    await thumbnail.fill(broken);
    await page.getByText('This image does not load').waitFor();
    await expect.poll(async () => (await previewOf(page)).src).toMatch(/^data:image\/svg\+xml/);
    await page.screenshot({ path: artifact('story-catalog-form-broken.png') });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('This image does not load').waitFor();
    expect(page.url()).toContain('/art-styles/edit/');
    const unchanged = await api(system.baseUrl, 'GET', `/api/v1/art-styles/${saved!.id}`, {
      token: system.admin.token,
    });
    expect(unchanged.body.thumbnail).toBe(uploaded);

    // Something that is not a web address says so.
    await thumbnail.fill('ink.png');
    await page.getByText('Enter a web address').waitFor();

    // Back to the stored picture: saved, with the singular notice.
    await thumbnail.fill(uploaded);
    await expect.poll(() => previewOf(page)).toEqual({ src: uploaded, loaded: true });
    await page.getByRole('button', { name: 'Save' }).click();
    await notice(page, 'Art style saved').waitFor();
    await page.waitForURL(/\/admin\/art-styles(\?|$)/);

    // Deleted from its edit page: the notice names one art style too.
    await row.getByRole('button', { name: /edit/i }).click();
    await page.getByText('Edit art style', { exact: true }).waitFor();
    await page.locator('main').getByRole('button', { name: 'Delete' }).click();
    await page.locator('.ant-popover:visible').getByRole('button', { name: 'Delete' }).click();
    await notice(page, 'Art style deleted').waitFor();
    const gone = await api(system.baseUrl, 'GET', `/api/v1/art-styles/${saved!.id}`, {
      token: system.admin.token,
    });
    expect(gone.status).toBe(404);
  });

  it('chooses a music entry’s type from the music types, refuses audio that does not load, uploads a track', async () => {
    for (const name of ['calm', 'tense'])
      await api(system.baseUrl, 'POST', '/api/v1/music/types', {
        token: system.admin.token,
        body: { name },
      });
    await page.goto(`${system.baseUrl}/admin/music/create`);
    await page.getByText('New music track', { exact: true }).waitFor();
    await page.getByLabel('Name').fill('Storm at sea');
    // The type is a select over the music types catalog, not free text.
    const type = page.getByRole('combobox', { name: 'Type' });
    await type.click();
    const options = page.locator('.ant-select-dropdown:visible .ant-select-item-option');
    await expect.poll(() => options.allInnerTexts()).toEqual(expect.arrayContaining(['calm', 'tense']));
    await options.filter({ hasText: 'tense' }).click();
    // An address that is not audio is refused before saving.
    await page.getByLabel('Audio').fill(`${system.baseUrl}/api/v1/images/no-such-track.mp3`);
    await page.getByText('This audio does not load').waitFor();
    expect(await page.locator('.ant-form audio[controls]').count()).toBe(1);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('This audio does not load').waitFor();
    const before = await api(system.baseUrl, 'GET', '/api/v1/music', { token: system.admin.token });
    expect((before.body as Array<{ name: string }>).map((entry) => entry.name)).not.toContain('Storm at sea');

    // Uploaded instead: the field holds the stored track, which loads, and the entry saves.
    await page.locator('.ant-form input[type=file]').setInputFiles({
      name: 'storm.wav',
      mimeType: 'audio/wav',
      buffer: makeWav(),
    });
    const audio = page.getByLabel('Audio');
    await expect.poll(() => audio.inputValue()).toMatch(/\/media\/music\/[\w-]+\.wav$/);
    const uploaded = await audio.inputValue();
    await expect.poll(() => page.getByText('This audio does not load').count()).toBe(0);
    await expect
      .poll(() => page.locator('.ant-form audio').evaluate((player: HTMLAudioElement) => player.duration))
      .toBeGreaterThan(0.4);
    await page.screenshot({ path: artifact('story-catalog-form-music.png') });
    await page.getByRole('button', { name: 'Save' }).click();
    await notice(page, 'Music track created').waitFor();
    await page.waitForURL(/\/admin\/music(\?|$)/);
    const row = page.locator('.ant-table-tbody tr', { hasText: 'Storm at sea' });
    expect(await row.locator('audio[controls]').getAttribute('src')).toBe(uploaded);
    const after = await api(system.baseUrl, 'GET', '/api/v1/music', { token: system.admin.token });
    expect(
      (after.body as Array<{ name: string; url: string; type: string }>).find(
        (entry) => entry.name === 'Storm at sea',
      ),
    ).toMatchObject({ url: uploaded, type: 'tense' });
  });

  it('names one record in Chinese titles and notices', async () => {
    await page.evaluate(() => localStorage.setItem('dreamloom.admin.lang', 'zh-CN'));
    await context.addInitScript(() => localStorage.setItem('dreamloom.admin.lang', 'zh-CN'));
    await page.goto(`${system.baseUrl}/admin/languages/create`);
    await page.getByText('新建语言', { exact: true }).waitFor();
    await page.locator('.ant-form input').first().fill('Deutsch');
    await page.getByRole('button', { name: /保\s*存/ }).click();
    await notice(page, '语言已创建').waitFor();
    const row = page.locator('.ant-table-tbody tr', { hasText: 'Deutsch' });
    await row.locator('.ant-btn-dangerous').click();
    await page
      .locator('.ant-popover:visible')
      .getByRole('button', { name: /删\s*除/ })
      .click();
    await notice(page, '语言已删除').waitFor();
    await page.screenshot({ path: artifact('story-catalog-form-zh.png') });
  });
});
