import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, startWorker, type Core } from '@dreamloom/core';
import { artifact, ensureAdminBuilt, launchChromium } from './support/browser.js';
import { api } from './support/clients.js';
import { storyboards } from './support/jimeng.js';
import { OVERVIEW_DAY, seedOverviewWorld } from './support/overview.js';
import { startSystem, type RunningSystem } from './support/system.js';

/**
 * The dashboard on a seeded system shows the seeded figures (every family, seconds with their
 * decimals, credits, chat, failures by class, charts drawn by the chart library) in English and
 * Chinese; and the batch list's progress bars move with the socket's `batch.progress` events,
 * with no list request between them.
 */
describe('admin dashboard and live batch list (browser)', () => {
  let system: RunningSystem;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let worker: Core | undefined;

  beforeAll(async () => {
    ensureAdminBuilt();
    // No worker yet: it would pick up the seeded pending task. The batch test starts one.
    system = await startSystem({ worker: false });
    await seedOverviewWorld(system);
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await worker?.close();
    await system?.stop();
  });

  /** A signed-in page in `language`, its clock in Asia/Shanghai. */
  async function signedInPage(
    language: 'en' | 'zh-CN',
    viewport = { width: 1440, height: 900 },
  ): Promise<Page> {
    const context = await browser.newContext({ locale: 'en-US', timezoneId: 'Asia/Shanghai', viewport });
    contexts.push(context);
    await context.addInitScript(
      ([token, lang]) => {
        localStorage.setItem('dreamloom.admin.token', token);
        localStorage.setItem('dreamloom.admin.lang', lang);
      },
      [system.admin.token, language] as const,
    );
    return context.newPage();
  }

  const text = async (page: Page, testId: string) =>
    (await page.getByTestId(testId).innerText()).replace(/\s+/g, ' ');

  it('shows the seeded figures: every family, seconds with decimals, credits, chat and failures', async () => {
    const page = await signedInPage('en');
    await page.goto(`${system.baseUrl}/admin/?from=${OVERVIEW_DAY.from}&to=${OVERVIEW_DAY.to}`);
    await page.getByTestId('family-table').waitFor();
    // The window in the staff member's zone (Shanghai: UTC+8).
    expect(await text(page, 'overview-window')).toBe('2026-01-10 08:00:00 – 2026-01-11 08:00:00');

    await expect.poll(() => text(page, 'stat-tasks')).toContain('35');
    expect(await text(page, 'stat-tasks')).toContain('28 done · 5 failed · 1 pending · 1 cancelled');
    expect(await text(page, 'stat-avg')).toMatch(/7\.441 ?s/);
    expect(await text(page, 'stat-p95')).toMatch(/61\.0 ?s/);
    // 28 of the 33 done or failed tasks stored outputs (the cancelled one is neither).
    expect(await text(page, 'stat-success')).toMatch(/84\.8 ?%/);
    expect(await text(page, 'stat-success')).toContain('Of 33 done or failed');
    expect(await text(page, 'stat-credits')).toMatch(/35 ?MC/);
    expect(await text(page, 'stat-credits')).toContain('10 refunded · net 25 · 100 granted');
    expect(await text(page, 'stat-chat')).toContain('3 replies · 2 conversations · 2 members · 1 new');

    const row = (family: string) => text(page, `family-${family}`);
    expect(await row('jimeng')).toMatch(/Jimeng studio 24 20 2 1 1 90\.9% 1\.95 s 2\.8 s/);
    expect(await row('anime_image')).toContain('2.345 s 3.456 s');
    expect(await row('anime_video')).toContain('75.75 s 90.5 s');
    expect(await row('nanobanana')).toContain('5.0 s 5.5 s');
    // Sub-second: the "0 s".
    expect(await row('story_image')).toContain('0.8 s 0.8 s');
    expect(await row('all')).toContain('7.441 s 61.0 s');

    // Queue depth now, per queue (no worker runs yet: nothing waits).
    expect(await text(page, 'queue-generation')).toMatch(/^generation 0 0 0 0$/);

    await page.getByTestId('chart-errors').waitFor();
    const errors = await text(page, 'chart-errors');
    for (const name of ['Rate limited', 'Content blocked', 'Timed out', 'Retries ran out', 'Partly failed'])
      expect(errors).toContain(name);
    expect(await page.locator('[data-testid="chart-tasks"] .recharts-bar-rectangle').count()).toBeGreaterThan(
      0,
    );
    expect(await page.locator('[data-testid="chart-times"] .recharts-bar-rectangle').count()).toBe(10);
    await page.screenshot({ path: artifact('admin-overview.png'), fullPage: true });
  });

  it('speaks Chinese and fits a phone', async () => {
    const page = await signedInPage('zh-CN', { width: 390, height: 844 });
    await page.goto(`${system.baseUrl}/admin/?from=${OVERVIEW_DAY.from}&to=${OVERVIEW_DAY.to}`);
    await page.getByTestId('family-table').waitFor();
    await expect.poll(() => text(page, 'stat-avg')).toMatch(/7\.441 ?秒/);
    expect(await text(page, 'stat-tasks')).toContain('完成 28 · 失败 5');
    expect(await text(page, 'family-jimeng')).toContain('即梦工作室');
    await page.getByTestId('chart-tasks').waitFor();
    expect(await text(page, 'chart-errors')).toContain('限流');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: artifact('admin-overview-phone-zh.png'), fullPage: true });
  });

  it('moves a running batch’s bar in the list over the socket, with no list request in between', async () => {
    const page = await signedInPage('en');
    const listRequests: number[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/v1/jimeng/batch/list')) listRequests.push(Date.now());
    });
    await page.goto(`${system.baseUrl}/admin/jimeng-batches`);
    await expect.poll(() => text(page, 'batch-list-live-mode'), { timeout: 10_000 }).toBe('Live');

    worker = createCore(system.config);
    await startWorker(worker);

    // One quick shot and one slow one ([sandbox:slow]: five times the latency): the bar must read
    // 0/2, then 1/2 while the slow one runs, then 2/2.
    system.sandbox.state.setLatency(1_500);
    const [quick, slow] = storyboards(2, 'live-bar');
    const created = await api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', {
      token: system.admin.token,
      body: {
        work_id: 'w-live-bar',
        batch_data: [quick, { ...slow, prompt: `${slow.prompt} [sandbox:slow]` }],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const batchId = created.body.data.batch_id as string;
    const bar = page.locator('tr', { hasText: batchId }).getByTestId('batch-progress');

    // The new batch arrives over the room (batch.created reloads the list once).
    await bar.waitFor({ timeout: 5_000 });
    await expect.poll(() => bar.innerText(), { timeout: 5_000 }).toContain('0/2');
    const requestsAtZero = listRequests.length;
    await expect.poll(() => bar.innerText(), { timeout: 10_000 }).toContain('1/2');
    expect(listRequests.length, 'a list request moved the bar, not the socket').toBe(requestsAtZero);
    // It stays current while the slow shot runs (no 5 s poll), then the end reloads the list.
    await expect.poll(() => bar.innerText(), { timeout: 20_000 }).toContain('2/2');
    expect(listRequests.length).toBeLessThanOrEqual(requestsAtZero + 1);
  }, 60_000);
});
