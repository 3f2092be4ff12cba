import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifact, ensureAdminBuilt, launchChromium, signInWithToken } from './support/browser.js';
import { api, botHeaders } from './support/clients.js';
import { waitForBatch } from './support/jimeng.js';
import { createBatch, waitForTask } from './support/nanobanana/helpers.js';
import { startSystem, type RunningSystem } from './support/system.js';

/** Every page in the admin's menu (list routes under /admin). */
const PAGES = [
  '/',
  '/jimeng-accounts',
  '/jimeng-batches',
  '/jimeng-records',
  '/story-templates',
  '/prompt-templates',
  '/story-characters',
  '/stories',
  '/music',
  '/music-types',
  '/art-styles',
  '/languages',
  '/system-prompt-posts',
  '/ai-models',
  '/nanobanana',
  '/anime-users',
  '/anime-generations',
  '/anime-templates',
  '/anime-presets',
  '/anime-models',
] as const;

const VIEWPORTS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1440, height: 900 },
] as const;

/** One instant, written into several tables, must read the same on every page that shows it. */
const FIXED_INSTANT = new Date('2024-12-18T02:00:00Z');

interface Overflow {
  /** What overflows, for the failure message. */
  what: string;
  scrollWidth: number;
  clientWidth: number;
}

/**
 * What sticks out sideways on the current page. The rule: nothing scrolls sideways at either size —
 * not the document, not the header, and not a table either (no table is meant to scroll inside the
 * page; secondary columns collapse into the row's expandable detail instead). Table headers must
 * not be squeezed into one character per line, and no header control may stick out of the screen
 * or sit on top of the page title.
 */
function findOverflows(page: Page): Promise<Overflow[]> {
  return page.evaluate(() => {
    const found: Overflow[] = [];
    const doc = document.scrollingElement!;
    if (doc.scrollWidth > innerWidth)
      found.push({ what: 'document', scrollWidth: doc.scrollWidth, clientWidth: innerWidth });
    const header = document.querySelector<HTMLElement>('.ant-layout-header');
    if (header) {
      if (header.scrollWidth > header.clientWidth)
        found.push({ what: 'header', scrollWidth: header.scrollWidth, clientWidth: header.clientWidth });
      for (const control of header.querySelectorAll<HTMLElement>('button, a, [data-testid]')) {
        const box = control.getBoundingClientRect();
        if (box.width > 0 && (box.right > innerWidth + 0.5 || box.left < -0.5))
          found.push({
            what: `header control "${control.innerText || control.getAttribute('aria-label')}"`,
            scrollWidth: Math.round(box.right),
            clientWidth: innerWidth,
          });
      }
    }
    document.querySelectorAll<HTMLElement>('.ant-table-content, .ant-table-body').forEach((table, i) => {
      if (table.scrollWidth > table.clientWidth + 1)
        found.push({ what: `table #${i}`, scrollWidth: table.scrollWidth, clientWidth: table.clientWidth });
    });
    document.querySelectorAll<HTMLElement>('.ant-table-thead th').forEach((cell) => {
      const text = cell.innerText.trim();
      if (text.length >= 2 && cell.getBoundingClientRect().width < 40)
        found.push({ what: `column "${text}" squeezed`, scrollWidth: 40, clientWidth: cell.clientWidth });
    });
    const title = document.querySelector('.ant-page-header-heading-title, main h3, main h4');
    if (title) {
      const titleBox = title.getBoundingClientRect();
      for (const button of document.querySelectorAll<HTMLElement>('body > * button, header button')) {
        if (button.closest('main') || button.closest('.ant-layout-header')) continue;
        const box = button.getBoundingClientRect();
        const covers =
          box.width > 0 &&
          box.left < titleBox.right &&
          box.right > titleBox.left &&
          box.top < titleBox.bottom &&
          box.bottom > titleBox.top;
        if (covers)
          found.push({ what: 'a floating button covers the page title', scrollWidth: 0, clientWidth: 0 });
      }
    }
    return found;
  });
}

/** Requests in flight, per page: a page has settled when none is left. */
const pending = new WeakMap<Page, Set<unknown>>();

function trackRequests(page: Page): void {
  const inFlight = new Set<unknown>();
  pending.set(page, inFlight);
  page.on('request', (request) => {
    // socket.io's long-polling request never finishes; everything else (API, lazy chunks) does.
    if (!request.url().includes('/socket.io/')) inFlight.add(request);
  });
  page.on('requestfinished', (request) => inFlight.delete(request));
  page.on('requestfailed', (request) => inFlight.delete(request));
}

/** Client-side navigation: the app stays loaded, so a language or zone choice is never reloaded away. */
async function navigate(page: Page, route: string): Promise<void> {
  const path = `/admin${route === '/' ? '/' : route}`;
  const main = page.locator('main').first();
  const same = await page.evaluate((to) => location.pathname === to, path);
  const before = same ? null : await main.innerText();
  await page.evaluate((to) => {
    history.pushState({}, '', to);
    dispatchEvent(new PopStateEvent('popstate'));
  }, path);
  // React keeps the old page on screen while the new one's chunk loads (a transition): wait until
  // the new page replaced it, then for its data.
  if (before !== null)
    await page.waitForFunction((old) => document.querySelector('main')?.innerText !== old, before, {
      timeout: 10_000,
    });
  await settle(page);
}

/**
 * Waits until the page's data arrived and is drawn: no API request in flight for 150 ms, no
 * spinner or skeleton, then two frames for layout.
 */
async function settle(page: Page): Promise<void> {
  await page.locator('main').first().waitFor();
  const inFlight = pending.get(page)!;
  const deadline = Date.now() + 10_000;
  let quietSince = Date.now();
  while (Date.now() - quietSince < 150) {
    if (Date.now() > deadline) throw new Error(`requests still in flight on ${page.url()}`);
    if (inFlight.size > 0) quietSince = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  await page.waitForFunction(
    () => document.querySelector('.ant-spin-spinning, .ant-skeleton-active') === null,
    undefined,
    { timeout: 10_000 },
  );
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
}

async function chooseLanguage(page: Page, label: 'English' | '简体中文'): Promise<void> {
  await page.getByTestId('language-switch').click();
  await page.locator('.ant-dropdown-menu-item', { hasText: label }).click();
}

/**
 * The admin's layouts, language and clock in a real browser: every menu page at 390×844 and
 * 1440×900 in English and Chinese without anything sticking out sideways; the language switch
 * without a reload; one instant read the same on two pages in the staff member's chosen zone.
 */
describe('admin layout, language and clock (browser)', () => {
  let system: RunningSystem;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let batchId: string;

  beforeAll(async () => {
    ensureAdminBuilt();
    system = await startSystem({
      env: { NANOBANANA_RATE_PER_SEC: '100000', NANOBANANA_RATE_BURST: '100000' },
    });
    const staff = { token: system.admin.token };
    // Rows on every data page, so the tables are measured with content, not only their headers.
    const batch = await api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', {
      ...staff,
      body: {
        project_id: 'p-layout',
        project_name: 'Layout test with a rather long project name',
        work_id: 'w-layout',
        batch_data: [1, 2, 3].map((i) => ({
          storyboard_id: `sb-${i}`,
          prompt: `Shot ${i}: a lantern-lit street at night, rain on the cobblestones, wide angle`,
        })),
      },
    });
    expect(batch.status, JSON.stringify(batch.body)).toBe(200);
    const member = botHeaders(system.botToken, 'telegram', '4242');
    const image = await api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
      headers: member,
      body: { prompt: 'a fox spirit under lanterns', batch_size: 1 },
    });
    expect(image.status, JSON.stringify(image.body)).toBe(200);
    const auth = { authorization: `Bearer ${system.admin.token}` };
    const nano = await createBatch(system.baseUrl, { prompt: 'cyberpunk city at night', count: 2 }, auth);
    await waitForTask(system.baseUrl, nano.body.data.id, auth);
    batchId = batch.body.data.batch_id;
    await waitForBatch(system, system.admin.token, batchId);

    // The fixed instant: the first Jimeng account's creation, the member's sign-up, the batch's
    // creation and start, the first storyboard's record and the NanoBanana task's creation.
    const { ProviderAccount, User, Identity, GenerationTask } = system.core.models;
    const account = await ProviderAccount.findOne({ order: [['create_time', 'ASC']] });
    await account!.update({ create_time: FIXED_INSTANT });
    const identity = await Identity.findOne({ where: { subject: '4242' } });
    await User.update({ created_at: FIXED_INSTANT }, { where: { id: identity!.user_id } });
    const { JimengBatch, JimengRecord } = system.core.jimeng.models;
    await JimengBatch.update(
      { create_time: FIXED_INSTANT, start_time: FIXED_INSTANT },
      { where: { id: batchId } },
    );
    await JimengRecord.update(
      { create_time: FIXED_INSTANT },
      { where: { batch_id: batchId, storyboard_id: 'sb-1' } },
    );
    await GenerationTask.update({ created_at: FIXED_INSTANT }, { where: { id: nano.body.data.id } });

    browser = await launchChromium();
    // A browser zone that is neither the server's (Asia/Shanghai) nor the zone chosen below.
    context = await browser.newContext({
      locale: 'en-US',
      timezoneId: 'Asia/Tokyo',
      viewport: { width: 1440, height: 900 },
    });
    context.setDefaultTimeout(10_000);
    await signInWithToken(context, system.admin.token);
    page = await context.newPage();
    trackRequests(page);
    await page.goto(`${system.baseUrl}/admin/`);
    await settle(page);
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await system?.stop();
  });

  it('switches the language without a reload: the switch and the column headers follow', async () => {
    await navigate(page, '/prompt-templates');
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));
    expect(await page.getByTestId('language-switch').innerText()).toContain('English');
    const headers = () => page.locator('.ant-table-thead th').allInnerTexts();
    expect(await headers()).toContain('Actions');

    await chooseLanguage(page, '简体中文');
    await expect.poll(() => page.getByTestId('language-switch').innerText()).toContain('简体中文');
    await expect.poll(headers).toContain('操作');
    expect(await headers()).not.toContain('Actions');
    // No raw enum values: the AI models' type column reads 对话, not chat.
    await navigate(page, '/ai-models');
    const cells = await page.locator('.ant-table-tbody td').allInnerTexts();
    expect(cells).not.toContain('chat');
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(
      true,
    );

    await chooseLanguage(page, 'English');
    await expect.poll(() => page.getByTestId('language-switch').innerText()).toContain('English');
  });

  it('fits every page at 390 and 1440 px in English and Chinese', async () => {
    const problems: string[] = [];
    for (const language of ['English', '简体中文'] as const) {
      await chooseLanguage(page, language);
      await expect.poll(() => page.getByTestId('language-switch').innerText()).toContain(language);
      for (const viewport of VIEWPORTS) {
        await page.setViewportSize({ width: viewport.width, height: viewport.height });
        // Every menu page, and a batch's own page (its items table and summary).
        for (const route of [...PAGES, `/jimeng-batches/show/${batchId}`]) {
          await navigate(page, route);
          const name = `${language === 'English' ? 'en' : 'zh'}-${viewport.width}${route.replace(/\//g, '-').replace(/-show-\d+$/, '-show')}`;
          for (const overflow of await findOverflows(page))
            problems.push(`${name}: ${overflow.what} ${overflow.scrollWidth} > ${overflow.clientWidth}`);
          await page.screenshot({ path: artifact(`admin-layout-${name.replace(/-$/, '-dashboard')}.png`) });
        }
      }
    }
    expect(problems).toEqual([]);
    // 21 pages × 2 sizes × 2 languages; about 50 s on an idle machine.
  }, 240_000);

  it('shows one instant the same on every page, in the zone chosen in the user menu', async () => {
    await chooseLanguage(page, 'English');
    // Wide enough (xxl) that every Created / Started column is in the row, not in its expandable detail.
    await page.setViewportSize({ width: 1700, height: 900 });
    const pages = [
      '/jimeng-accounts',
      '/anime-users',
      '/jimeng-batches',
      `/jimeng-batches/show/${batchId}`,
      '/jimeng-records',
      '/nanobanana',
    ];
    const fixedOn = async (route: string) => {
      await navigate(page, route);
      return page.locator('main').innerText();
    };
    // Contract 003 keeps its Asia/Shanghai wall-clock fields; `_iso` carries the instant the admin shows.
    const listed = await api(system.baseUrl, 'GET', '/api/v1/jimeng/accounts/list?page=1&size=50', {
      token: system.admin.token,
    });
    const fixed = (listed.body.data.list as Array<Record<string, unknown>>).find(
      (account) => account.create_time_iso === FIXED_INSTANT.toISOString(),
    );
    expect(fixed?.create_time).toBe('2024-12-18 10:00:00');
    const status = await api(system.baseUrl, 'GET', `/api/v1/jimeng/batch/${batchId}/status`, {
      token: system.admin.token,
    });
    expect(status.body.data).toMatchObject({
      start_time: '2024-12-18 10:00:00',
      start_time_iso: FIXED_INSTANT.toISOString(),
    });
    // The browser's zone by default (Tokyo: 11:00 on the 18th).
    for (const route of pages) expect(await fixedOn(route), route).toContain('2024-12-18 11:00:00');

    await page.getByTestId('user-menu').click();
    await page.getByRole('menuitem', { name: /Time zone/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('combobox').fill('America/New_York');
    await page.locator('.ant-select-item-option', { hasText: 'America/New_York' }).click();
    await dialog.getByRole('button', { name: 'OK' }).click();

    for (const route of pages) expect(await fixedOn(route), route).toContain('2024-12-17 21:00:00');
    await page.screenshot({ path: artifact('admin-layout-time-zone.png') });
    // Remembered across a reload.
    await page.reload();
    await settle(page);
    expect(await page.locator('main').innerText()).toContain('2024-12-17 21:00:00');
  }, 90_000);

  it('filters records by a time range picked in the chosen zone (sent as instants)', async () => {
    // Still New York (chosen above): 20:30–21:30 on the 17th there holds the fixed instant (21:00),
    // which the same wall clock read in Tokyo (the browser's zone) or Shanghai would not.
    await navigate(page, '/jimeng-records');
    const range = page.locator('main .ant-picker-range');
    const [from, to] = [range.locator('input').nth(0), range.locator('input').nth(1)];
    await from.click();
    await from.fill('2024-12-17 20:30:00');
    await from.press('Enter');
    await to.fill('2024-12-17 21:30:00');
    await to.press('Enter');
    await expect.poll(() => decodeURIComponent(page.url())).toContain('2024-12-18T01:30:00.000Z');
    expect(decodeURIComponent(page.url())).toContain('2024-12-18T02:30:00.000Z');
    await settle(page);
    const rows = page.locator('.ant-table-tbody tr.ant-table-row');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().innerText()).toContain('sb-1');
    await page.screenshot({ path: artifact('admin-layout-records-range.png') });
    // The link keeps the instants: reopened, the picker shows the same wall clock in the chosen zone.
    await page.reload();
    await settle(page);
    await expect.poll(() => from.inputValue()).toBe('2024-12-17 20:30:00');
    expect(await to.inputValue()).toBe('2024-12-17 21:30:00');
    await expect.poll(() => rows.count()).toBe(1);
  }, 60_000);
});
