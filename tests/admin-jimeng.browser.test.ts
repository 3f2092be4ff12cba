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

interface Envelope<T> {
  code: number;
  message: string;
  data: T;
}

async function staffApi<T>(system: RunningSystem, method: 'GET' | 'POST', path: string, body?: unknown) {
  const response = await api<Envelope<T>>(system.baseUrl, method, path, { token: system.admin.token, body });
  expect(response.status, `${method} ${path}: ${JSON.stringify(response.body)}`).toBe(200);
  return response.body.data;
}

/** Status text of each storyboard row on the batch page, keyed by storyboard id. */
async function rowStatuses(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const out: Record<string, string> = {};
    for (const row of document.querySelectorAll('[data-testid="batch-items-table"] tr[data-storyboard]')) {
      const tag = row.querySelector('[data-status]');
      out[row.getAttribute('data-storyboard') ?? ''] = tag?.getAttribute('data-status') ?? '';
    }
    return out;
  });
}

/**
 * The contract-003 admin screens against the real system (server serving admin/dist, worker,
 * sandbox gateway): the accounts page's "test now", a batch page whose rows turn completed live
 * over socket.io without a reload, and the dashboard's numbers after that batch.
 */
describe('admin: Jimeng accounts, batches and dashboard (browser)', () => {
  let system: RunningSystem;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    ensureAdminBuilt();
    system = await startSystem();
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

  it('tests an account now and shows whether its session is live and its credits', async () => {
    await page.goto(`${system.baseUrl}/admin/jimeng-accounts`);
    const row = page.getByTestId('jimeng-accounts-table').locator('tr', { hasText: 'demo-cn-1@dreamloom.local' });
    await row.waitFor();
    await page.getByTestId('account-stats').waitFor();

    await row.getByRole('button', { name: 'Test now' }).click();
    const result = page.getByTestId('account-test-result');
    await result.waitFor();
    const text = await result.innerText();
    expect(text).toContain('Session is live');
    expect(text).toMatch(/Credits left\s*[\d,]+/);

    // The test refreshed the account's credits: the list shows them once the dialog closes.
    await page.getByRole('button', { name: 'Close' }).click();
    await row.getByTestId('account-credits').waitFor();
    await page.screenshot({ path: artifact('admin-jimeng-accounts.png'), fullPage: true });
  });

  it('updates the batch page live as storyboards complete, without reloading', async () => {
    system.sandbox.state.updateSettings({ latencyMs: 1500 });
    const batch = await staffApi<{ batch_id: string; total_count: number }>(
      system,
      'POST',
      '/api/v1/jimeng/images/batch-generate',
      {
        project_id: 'p-browser',
        project_name: 'Browser test',
        work_id: 'w-browser',
        batch_data: Array.from({ length: 12 }, (_, i) => ({
          storyboard_id: `sb-${String(i + 1).padStart(2, '0')}`,
          prompt: `Shot ${i + 1}: a lantern-lit street at night`,
        })),
      },
    );
    expect(batch.total_count).toBe(12);

    await page.goto(`${system.baseUrl}/admin/jimeng-batches/show/${batch.batch_id}`);
    await page.getByTestId('batch-items-table').waitFor();
    // The socket joined the batch room (not the 5 s polling fallback).
    await expect
      .poll(() => page.getByTestId('batch-live-mode').innerText(), { timeout: 10_000 })
      .toBe('Live');
    await page.evaluate(() => {
      (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
    });

    const before = await rowStatuses(page);
    expect(Object.keys(before)).toHaveLength(12);
    const waiting = Object.entries(before).find(([, status]) => status !== 'completed')?.[0];
    expect(waiting, `some storyboard still running when the page opened: ${JSON.stringify(before)}`).toBeDefined();

    // That row turns completed in place, with its thumbnail.
    const row = page.locator(`tr[data-storyboard="${waiting}"]`);
    await row.locator('[data-status="completed"]').waitFor({ timeout: 20_000 });
    await row.getByTestId('media-thumbs').waitFor();
    await expect.poll(async () => Object.values(await rowStatuses(page)).every((s) => s === 'completed'), {
      timeout: 20_000,
    }).toBe(true);
    await page.getByTestId('batch-status').getByText('Completed').waitFor();
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    system.sandbox.state.updateSettings({ latencyMs: 30 });

    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: artifact('admin-jimeng-batch.png'), fullPage: true });
  }, 60_000);

  it('shows today’s tasks, success rate, available accounts and the daily chart on the dashboard', async () => {
    await page.goto(`${system.baseUrl}/admin/`);
    await page.getByTestId('daily-chart').waitFor();
    const dashboard = await staffApi<{ tasks: { total_tasks: number } }>(system, 'GET', '/api/v1/jimeng/dashboard');
    expect(dashboard.tasks.total_tasks).toBeGreaterThanOrEqual(12);

    await expect
      .poll(async () => Number((await page.getByTestId('stat-tasks-today').locator('.ant-statistic-content').innerText()).trim()))
      .toBeGreaterThanOrEqual(12);
    expect(await page.getByTestId('stat-success-rate').innerText()).toContain('100');
    const accounts = await page.getByTestId('stat-accounts').innerText();
    expect(accounts).toMatch(/3\s*\n?.*3/);
    // One bar group per day of the week.
    expect(await page.locator('[data-testid="daily-chart"] g[data-date]').count()).toBe(7);
    expect(await page.title()).toBe('Dashboard | Dreamloom');

    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: artifact('admin-jimeng-dashboard.png'), fullPage: true });
  });
});
