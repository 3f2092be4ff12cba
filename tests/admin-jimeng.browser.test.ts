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
    context.setDefaultTimeout(10_000);
    await signInWithToken(context, system.admin.token);
    page = await context.newPage();
  });

  afterEach(async () => {
    // A test that failed while the sandbox held its calls must not hold the next test's.
    system?.sandbox.state.gate.release();
    await context?.close();
  });

  it('tests an account now and shows whether its session is live and its credits', async () => {
    await page.goto(`${system.baseUrl}/admin/jimeng-accounts`);
    const row = page
      .getByTestId('jimeng-accounts-table')
      .locator('tr', { hasText: 'demo-cn-1@dreamloom.local' });
    await row.waitFor();
    await page.getByTestId('account-stats').waitFor();

    await row.getByRole('button', { name: 'Test now' }).click();
    const result = page.getByTestId('account-test-result');
    await result.waitFor();
    const text = await result.innerText();
    expect(text).toContain('Session is live');
    expect(text).toMatch(/Credits left\s*[\d,]+/);
    await page.waitForTimeout(400); // the dialog's opening animation
    await page.screenshot({ path: artifact('admin-jimeng-accounts.png'), fullPage: true });

    // The test refreshed the account's credits: the list shows them once the dialog closes.
    await page.locator('.ant-modal-footer').getByRole('button', { name: 'Close' }).click();
    await row.getByTestId('account-credits').waitFor();
  });

  it('updates the batch page live as storyboards complete, without reloading', async () => {
    // The sandbox holds the calls until the page is live, so storyboards are still running when it
    // opens however slow the machine; then two waves of 2 s over the demo pool (3 accounts × 3).
    system.sandbox.state.updateSettings({ latencyMs: 2000 });
    system.sandbox.state.gate.hold();
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
    system.sandbox.state.gate.release();
    expect(Object.keys(before)).toHaveLength(12);
    const waiting = Object.entries(before).find(([, status]) => status !== 'completed')?.[0];
    expect(
      waiting,
      `some storyboard still running when the page opened: ${JSON.stringify(before)}`,
    ).toBeDefined();

    // That row turns completed in place, with its thumbnail.
    const row = page.locator(`tr[data-storyboard="${waiting}"]`);
    await row.locator('[data-status="completed"]').waitFor({ timeout: 20_000 });
    await row.getByTestId('media-thumbs').waitFor();
    await expect
      .poll(async () => Object.values(await rowStatuses(page)).every((s) => s === 'completed'), {
        timeout: 20_000,
      })
      .toBe(true);
    await page.getByTestId('batch-status').getByText('Completed').waitFor();
    expect(
      await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument),
    ).toBe(true);
    system.sandbox.state.updateSettings({ latencyMs: 30 });

    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: artifact('admin-jimeng-batch.png'), fullPage: true });
  }, 60_000);

  it('cancels a running batch with a reason, then retries what was cancelled', async () => {
    // Held at the sandbox until the cancel has landed, so there is something to cancel however
    // slow the machine.
    system.sandbox.state.updateSettings({ latencyMs: 2500 });
    system.sandbox.state.gate.hold();
    const batch = await staffApi<{ batch_id: string }>(
      system,
      'POST',
      '/api/v1/jimeng/images/batch-generate',
      {
        project_name: 'Browser test',
        work_id: 'w-cancel',
        batch_data: Array.from({ length: 12 }, (_, i) => ({
          storyboard_id: `c-${i + 1}`,
          prompt: `Cancel me ${i + 1}`,
        })),
      },
    );
    await page.goto(`${system.baseUrl}/admin/jimeng-batches/show/${batch.batch_id}`);
    await page.getByTestId('batch-items-table').waitFor();

    await page.getByTestId('batch-cancel').click();
    const cancelDialog = page.locator('.ant-modal-content', { hasText: 'Cancel this batch?' });
    await cancelDialog.getByRole('button', { name: 'Cancel batch' }).click();
    await cancelDialog.getByText('Please give a reason').waitFor(); // the reason is required
    await cancelDialog.getByLabel('Reason').fill('Wrong prompts');
    await cancelDialog.getByRole('button', { name: 'Cancel batch' }).click();
    await page.getByText(/\d+ storyboards cancelled, \d+ already completed/).waitFor();
    await page.getByTestId('batch-status').getByText('Cancelled').waitFor();
    system.sandbox.state.gate.release();
    // Rows settle through live events that may trail the batch status by a moment.
    const settleBy = Date.now() + 10_000;
    let statuses = Object.values(await rowStatuses(page));
    while (statuses.some((s) => s === 'pending' || s === 'processing') && Date.now() < settleBy) {
      await page.waitForTimeout(200);
      statuses = Object.values(await rowStatuses(page));
    }
    const cancelled = statuses.filter((s) => s === 'cancelled').length;
    expect(cancelled).toBeGreaterThan(0);
    // Cancelled items are shown as cancelled, neither as failures nor as progress.
    await expect
      .poll(() => page.getByTestId('batch-progress').innerText(), { timeout: 5_000 })
      .toContain(`${cancelled} cancelled`);
    const progress = await page.getByTestId('batch-progress').innerText();
    expect(progress).toContain(`${12 - cancelled}/12`);
    expect(progress).not.toMatch(/failed/);
    system.sandbox.state.updateSettings({ latencyMs: 30 });

    await page.getByTestId('batch-retry').click();
    const retryDialog = page.locator('.ant-modal-content', { hasText: 'Retry storyboards' });
    expect(await retryDialog.innerText()).toContain(`Queue the ${cancelled} failed or cancelled storyboards`);
    await retryDialog.getByRole('button', { name: 'Retry', exact: true }).click();
    await page.getByText(`${cancelled} storyboards queued again`).waitFor();
    await expect
      .poll(async () => Object.values(await rowStatuses(page)).every((s) => s === 'completed'), {
        timeout: 15_000,
      })
      .toBe(true);
    await page.getByTestId('batch-status').getByText('Completed').waitFor();
  }, 40_000);

  it('shows today’s tasks, success rate, available accounts and the chart on the dashboard', async () => {
    await page.goto(`${system.baseUrl}/admin/`);
    await page.getByTestId('chart-tasks').waitFor();
    const overview = await staffApi<{ families: Array<{ family: string; total: number }> }>(
      system,
      'GET',
      '/api/v1/admin/overview?range=today',
    );
    const jimeng = overview.families.find((row) => row.family === 'jimeng')!;
    expect(jimeng.total).toBeGreaterThanOrEqual(12);

    await expect
      .poll(async () =>
        Number((await page.getByTestId('stat-tasks').locator('.ant-statistic-content').innerText()).trim()),
      )
      .toBeGreaterThanOrEqual(12);
    expect(await page.getByTestId('stat-success').innerText()).toContain('100');
    const accounts = await page.getByTestId('stat-accounts').innerText();
    expect(accounts).toMatch(/3\s*\n?.*3/);
    // The Jimeng family's row, and bars drawn by the chart library.
    expect(await page.getByTestId('family-jimeng').innerText()).toContain(String(jimeng.total));
    expect(await page.locator('[data-testid="chart-tasks"] .recharts-bar-rectangle').count()).toBeGreaterThan(
      0,
    );
    expect(await page.title()).toBe('Dashboard | Dreamloom');

    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: artifact('admin-jimeng-dashboard.png'), fullPage: true });
  });

  it('shows a generation record with its preview, parameters and the account that made it', async () => {
    await page.goto(
      `${system.baseUrl}/admin/jimeng-records?filters[0][field]=work_id&filters[0][operator]=eq&filters[0][value]=w-browser`,
    );
    const table = page.getByTestId('jimeng-records-table');
    await table.locator('tr', { hasText: 'sb-01' }).waitFor();
    expect(await table.locator('tbody tr.ant-table-row').count()).toBe(12);

    await table.locator('tr', { hasText: 'sb-01' }).getByRole('button', { name: 'Details' }).click();
    const detail = page.getByTestId('record-detail');
    await detail.waitFor();
    await detail.getByTestId('media-preview').locator('img').first().waitFor();
    expect(await detail.getByTestId('record-account').innerText()).toMatch(
      /demo-(cn|hk)-\d@dreamloom\.local/,
    );
    const text = await detail.innerText();
    expect(text).toContain('Shot 1: a lantern-lit street at night');
    expect(text).toMatch(/Model\s+jimeng-/);
    await page.waitForTimeout(400); // the drawer's opening animation
    await page.screenshot({ path: artifact('admin-jimeng-records.png') });

    // Regenerate from the drawer with a new prompt: the record keeps its id and gets the new prompt.
    const records = await staffApi<{ list: Array<{ id: string; storyboard_id: string }> }>(
      system,
      'GET',
      '/api/v1/jimeng/records/list?type=image&work_id=w-browser&size=50',
    );
    const recordId = records.list.find((record) => record.storyboard_id === 'sb-01')!.id;
    await page.locator('.ant-drawer').getByRole('button', { name: 'Regenerate' }).click();
    const dialog = page.locator('.ant-modal-content', { hasText: 'Regenerate storyboard sb-01' });
    await dialog.getByLabel('Prompt').fill('Shot 1, again: the same street in the rain');
    await dialog.getByRole('button', { name: 'Regenerate' }).click();
    await page.getByText('Regeneration submitted').waitFor();
    await expect
      .poll(async () => {
        const record = await staffApi<{ prompt: string; generation_status: number }>(
          system,
          'GET',
          `/api/v1/jimeng/records/detail?type=image&id=${recordId}`,
        );
        return `${record.prompt} ${record.generation_status}`;
      })
      .toBe('Shot 1, again: the same street in the rain 2');

    // Delete another record from the list (confirmed first).
    await page.locator('.ant-drawer').getByRole('button', { name: 'Close' }).click();
    const doomed = table.locator('tr', { hasText: 'sb-12' });
    await doomed.locator('.refine-delete-button').click();
    await page.locator('.ant-popconfirm').getByRole('button', { name: 'Delete' }).click();
    await doomed.waitFor({ state: 'detached' });
    expect(await table.locator('tbody tr.ant-table-row').count()).toBe(11);
  });

  it('speaks Chinese on the batches list', async () => {
    await context.addInitScript(() => localStorage.setItem('dreamloom.admin.lang', 'zh-CN'));
    await page.goto(`${system.baseUrl}/admin/jimeng-batches`);
    const table = page.getByTestId('jimeng-batches-table');
    await table.getByText('已完成').first().waitFor();
    expect(await table.innerText()).toContain('文生图');
    expect(await page.title()).toBe('批量任务 | Dreamloom');
    await page.screenshot({ path: artifact('admin-jimeng-batches-zh.png') });
  });
});
