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

/** Status of each storyboard row on the batch page, keyed by storyboard id. */
async function rowStatuses(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const out: Record<string, string> = {};
    for (const row of document.querySelectorAll('[data-testid="batch-items-table"] tr[data-storyboard]')) {
      out[row.getAttribute('data-storyboard') ?? ''] =
        row.querySelector('[data-status]')?.getAttribute('data-status') ?? '';
    }
    return out;
  });
}

/** Marks the document so a later check can tell a client-side navigation from a reload. */
async function markDocument(page: Page) {
  await page.evaluate(() => {
    (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
  });
}
const sameDocument = (page: Page) =>
  page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true);

/**
 * The batch composer against the real system (server serving admin/dist, worker, sandbox
 * gateway): storyboards pasted as CSV are checked row by row, a refusal of the server lands on its
 * field, the batch is submitted and its page shows it finishing live; and a batch created through
 * the API appears in an open list at once, without a reload.
 */
describe('admin: batch composer and the live batch list (browser)', () => {
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
    system.sandbox.state.updateSettings({ latencyMs: 30 });
    await context?.close();
  });

  it('checks pasted storyboards, submits them and lands on the batch finishing live', async () => {
    await page.goto(`${system.baseUrl}/admin/jimeng-batches`);
    await expect
      .poll(() => page.getByTestId('batch-list-live-mode').innerText(), { timeout: 10_000 })
      .toBe('Live');
    await page.getByTestId('new-batch').click();
    // The demo pool's three accounts can all take images.
    await expect
      .poll(() => page.getByTestId('composer-accounts').innerText())
      .toContain('3 accounts can take image work now');

    // An uploaded TSV is read the same way as pasted text.
    await page.locator('.ant-drawer input[type="file"]').setInputFiles({
      name: 'shots.tsv',
      mimeType: 'text/tab-separated-values',
      buffer: Buffer.from('storyboard_id\tprompt\tcamera\nu-1\tA harbour at dawn\tdolly\n'),
    });
    await expect
      .poll(() => page.getByTestId('composer-summary').innerText(), { timeout: 5_000 })
      .toContain('1 storyboards');
    expect(await page.getByTestId('composer-unknown-columns').innerText()).toContain('camera');

    const input = page.getByTestId('composer-input');
    const broken = [
      'storyboard_id,prompt,ratio',
      'sb-1,"A lantern-lit street, at night",16:9',
      'sb-2,,4:3',
      'sb-3,"Rain on the window,',
      'then thunder",',
    ].join('\n');
    await input.fill(broken);
    const rows = page.getByTestId('composer-rows');
    await rows.locator('tr[data-row="3"]').waitFor();
    const row2 = rows.locator('tr[data-row="2"]');
    expect(await row2.getAttribute('data-invalid')).toBe('true');
    expect(await row2.getByTestId('composer-row-errors').innerText()).toContain('prompt is missing');
    expect(await rows.locator('tr[data-row="3"]').innerText()).toContain('then thunder');
    expect(await page.getByTestId('composer-submit').isDisabled()).toBe(true);
    await page.screenshot({ path: artifact('admin-batch-composer.png') });

    await input.fill(broken.replace('sb-2,,4:3', 'sb-2,A quiet courtyard,4:3'));
    await expect.poll(() => row2.getAttribute('data-invalid'), { timeout: 5_000 }).toBe('false');
    expect(await page.getByTestId('composer-summary').innerText()).toContain('3 storyboards');
    await page.getByTestId('composer-work-id').fill('w-composer');

    // The server's outbound policy refuses a local callback: the refusal shows on that field.
    await page.getByTestId('composer-callback').fill('http://127.0.0.1:9/hook');
    await page.getByTestId('composer-submit').click();
    await page
      .locator('.ant-form-item', { hasText: 'Callback URL' })
      .getByText(/not allowed/)
      .waitFor();
    expect(new URL(page.url()).pathname).toBe('/admin/jimeng-batches');

    await page.getByTestId('composer-callback').fill('');
    // Slow enough that the batch page opens before the storyboards come back.
    system.sandbox.state.updateSettings({ latencyMs: 5000 });
    await markDocument(page);
    await page.getByTestId('composer-submit').click();
    await page.waitForURL(/\/admin\/jimeng-batches\/show\/\d+$/);
    await page.getByTestId('batch-items-table').waitFor();
    await expect
      .poll(() => page.getByTestId('batch-live-mode').innerText(), { timeout: 10_000 })
      .toBe('Live');
    const before = await rowStatuses(page);
    expect(Object.keys(before).sort()).toEqual(['sb-1', 'sb-2', 'sb-3']);
    expect(Object.values(before).some((status) => status !== 'completed')).toBe(true);
    await expect
      .poll(async () => Object.values(await rowStatuses(page)).every((s) => s === 'completed'), {
        timeout: 15_000,
      })
      .toBe(true);
    await page.getByTestId('batch-status').getByText('Completed').waitFor();
    expect(await sameDocument(page)).toBe(true);

    const batchId = page.url().split('/').pop()!;
    const status = await api(system.baseUrl, 'GET', `/api/v1/jimeng/batch/${batchId}/status`, {
      token: system.admin.token,
    });
    expect(status.body.data).toMatchObject({
      batch_type: 'image_generate',
      total_count: 3,
      status: 'completed',
    });
    const records = await api(
      system.baseUrl,
      'GET',
      '/api/v1/jimeng/records/list?type=image&work_id=w-composer&size=10',
      { token: system.admin.token },
    );
    const prompts = Object.fromEntries(
      (records.body.data.list as Array<{ storyboard_id: string; prompt: string; ratio: string }>).map((r) => [
        r.storyboard_id,
        [r.prompt, r.ratio],
      ]),
    );
    expect(prompts['sb-3']).toEqual(['Rain on the window,\nthen thunder', '1:1']);
    expect(prompts['sb-1']).toEqual(['A lantern-lit street, at night', '16:9']);
  }, 60_000);

  it('shows a batch created through the API in the open list within 2 s, without reloading', async () => {
    await page.goto(`${system.baseUrl}/admin/jimeng-batches`);
    await page.getByTestId('jimeng-batches-table').waitFor();
    await expect
      .poll(() => page.getByTestId('batch-list-live-mode').innerText(), { timeout: 10_000 })
      .toBe('Live');
    await markDocument(page);

    const created = await api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', {
      token: system.admin.token,
      body: { work_id: 'w-api', batch_data: [{ storyboard_id: 'api-1', prompt: 'From the API' }] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const batchId = created.body.data.batch_id as string;
    const startedAt = Date.now();
    await page
      .getByTestId('jimeng-batches-table')
      .locator('tr', { hasText: batchId })
      .waitFor({ timeout: 2_000 });
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect(await sameDocument(page)).toBe(true);
  }, 30_000);
});
