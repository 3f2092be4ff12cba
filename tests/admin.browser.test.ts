import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ADMIN_INDEX,
  artifact,
  collectCspViolations,
  ensureAdminBuilt,
  launchChromium,
  newAdminContext,
  signIn,
} from './support/browser.js';
import { api } from './support/clients.js';
import { startSystem, type RunningSystem } from './support/system.js';

interface AccountRow {
  id: string;
  jimeng_account: string;
  session_id: string;
  site_type: string | number;
  priority: number;
}

async function listAccounts(system: RunningSystem): Promise<AccountRow[]> {
  const listed = await api<{ code: number; data: { total: number; list: AccountRow[] } }>(
    system.baseUrl,
    'GET',
    '/api/v1/jimeng/accounts/list?page=1&size=200',
    { token: system.admin.token },
  );
  expect(listed.status).toBe(200);
  return listed.body.data.list;
}

/**
 * The staff admin against the real system: the server serves admin/dist at /admin, staff sign in
 * with the seeded admin, and the Jimeng accounts page lists the seeded demo accounts with their
 * session ids masked. A wrong password shows the server's error on the login page.
 */
describe('admin (browser)', () => {
  let system: RunningSystem;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let cspViolations: string[];

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
    // English UI regardless of the machine's locale; each test starts signed out.
    context = await newAdminContext(browser);
    cspViolations = await collectCspViolations(context);
    page = await context.newPage();
  });

  afterEach(async () => {
    await context?.close();
    // helmet's CSP on the admin and the queue monitor must not block anything they use.
    expect(cspViolations).toEqual([]);
  });

  it('has a built admin', () => {
    expect(existsSync(ADMIN_INDEX)).toBe(true);
  });

  it('redirects to login, signs in and lists the seeded Jimeng accounts with masked session ids', async () => {
    const accounts = await listAccounts(system);
    expect(accounts.length).toBeGreaterThan(0);

    await page.goto(`${system.baseUrl}/admin/`);
    await page.waitForURL(/\/admin\/login/);
    await page
      .getByRole('heading', { name: 'Sign in to Dreamloom' })
      .waitFor({ state: 'visible', timeout: 15_000 });

    await signIn(page, system);
    // Home is the dashboard; the accounts are one menu click away.
    await page.getByTestId('dashboard').waitFor();
    await page.getByRole('menuitem', { name: 'Jimeng accounts' }).click();
    await page.waitForURL(/\/admin\/jimeng-accounts/);

    const table = page.getByTestId('jimeng-accounts-table');
    for (const account of accounts) {
      const row = table.locator('tr', { hasText: account.jimeng_account });
      await row.waitFor();
      const text = await row.innerText();
      // The UI shows exactly the server's mask, e.g. "sand…aaaa", never more of the secret.
      expect(account.session_id).toMatch(/…|\*{4,}/);
      expect(text).toContain(account.session_id);
    }
    const demo = accounts.find((a) => a.jimeng_account === 'demo-cn-1@dreamloom.local');
    expect(demo, 'the demo seed includes demo-cn-1').toBeDefined();
    expect(demo!.session_id).toBe('sand…aaaa');
    const body = await page.locator('body').innerText();
    expect(body).not.toContain('sandbox-cn-session-0001');
    expect(body).toContain('Jimeng accounts');
    expect(body).toContain(`${accounts.length} accounts`);
    expect(await page.title()).toBe('Jimeng accounts | Dreamloom');

    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: artifact('admin-accounts.png'), fullPage: true });
  });

  it('opens the queue monitor (bull-board) from the header after signing in', async () => {
    await page.goto(`${system.baseUrl}/admin/login`);
    await signIn(page, system);
    await page.waitForURL((url) => !url.pathname.includes('/login'));
    const link = page.getByTestId('queue-monitor-link');
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe('/admin/queues');

    // The link opens a new tab; the login's cookie signs it in without any bearer header.
    const [monitor] = await Promise.all([context.waitForEvent('page'), link.click()]);
    await monitor.waitForURL(/\/admin\/queues/);
    await monitor.getByText('generation-item', { exact: true }).first().waitFor({ timeout: 20_000 });
    expect(await monitor.title()).toBe('Dreamloom queues');
    await monitor.getByText('generation', { exact: true }).first().click();
    await monitor.waitForURL(/\/admin\/queues\/queue\/generation/);
    await monitor.getByText('Loading...').waitFor({ state: 'detached', timeout: 20_000 });
    await monitor.screenshot({ path: artifact('admin-queue-monitor.png'), fullPage: true });
  });

  it("opens the queue monitor in the admin's language after a switch to Chinese", async () => {
    await page.goto(`${system.baseUrl}/admin/login`);
    await signIn(page, system);
    await page.waitForURL((url) => !url.pathname.includes('/login'));
    await page.getByTestId('language-switch').click();
    await page.locator('.ant-dropdown-menu-item', { hasText: '简体中文' }).click();
    await expect.poll(() => page.getByTestId('language-switch').innerText()).toContain('简体中文');

    // The browser asks for English (newAdminContext), so Chinese here is the admin's choice.
    const [monitor] = await Promise.all([
      context.waitForEvent('page'),
      page.getByTestId('queue-monitor-link').click(),
    ]);
    await monitor.waitForURL(/\/admin\/queues/);
    await monitor.getByText('generation-item', { exact: true }).first().waitFor({ timeout: 20_000 });
    await monitor.getByText('调度器', { exact: true }).first().waitFor();
    expect(await monitor.getByText('队列', { exact: true }).count()).toBeGreaterThan(0);
    expect(await monitor.locator('body').innerText()).not.toContain('Schedulers');
    await monitor.screenshot({ path: artifact('admin-queue-monitor-zh.png'), fullPage: true });

    // Back in English, the monitor follows on its next load.
    await page.getByTestId('language-switch').click();
    await page.locator('.ant-dropdown-menu-item', { hasText: 'English' }).click();
    await expect.poll(() => page.getByTestId('language-switch').innerText()).toContain('English');
    await monitor.reload();
    await monitor.getByText('Schedulers', { exact: true }).first().waitFor({ timeout: 20_000 });
    expect(await monitor.locator('body').innerText()).not.toContain('调度器');
  });

  it('shows the error for a wrong password and stays on the login page', async () => {
    await page.goto(`${system.baseUrl}/admin/login`);
    await signIn(page, system, `${system.admin.password}-wrong`);

    const error = page.getByTestId('login-error');
    await error.waitFor();
    const text = await error.innerText();
    expect(text).toContain('Sign-in failed');
    expect(text.replace('Sign-in failed', '').trim().length).toBeGreaterThan(0);
    expect(page.url()).toMatch(/\/admin\/login/);
    expect(await page.evaluate(() => localStorage.getItem('dreamloom.admin.token'))).toBeNull();
  });

  it('bulk-adds, edits, resets and deletes accounts through the real API', async () => {
    const tag = randomBytes(3).toString('hex');
    const first = `ui-${tag}-a@dreamloom.test`;
    const second = `ui-${tag}-b@dreamloom.test`;
    await page.goto(`${system.baseUrl}/admin/jimeng-accounts/create`);
    await page.waitForURL(/\/admin\/login/);
    await signIn(page, system);
    // Back where we were headed, thanks to the login page's ?to= return.
    await page.waitForURL(/\/admin\/jimeng-accounts\/create/);

    await page
      .getByTestId('bulk-textarea')
      .fill(`${first},session-${tag}-aaaaaaaaaaaa\n${second},jp-session-${tag}-bbbbbbbb,1`);
    await page.getByRole('button', { name: 'Add 2 accounts' }).click();
    await expect(page.getByTestId('bulk-result').innerText()).resolves.toBe('2 added, 0 failed');
    await page.getByRole('button', { name: 'Back to accounts' }).click();

    const table = page.getByTestId('jimeng-accounts-table');
    const firstRow = table.locator('tr', { hasText: first });
    const secondRow = table.locator('tr', { hasText: second });
    await firstRow.waitFor();
    expect(await firstRow.innerText()).toContain('sess…aaaa');
    expect(await secondRow.innerText()).toMatch(/jp-s…bbbb[\s\S]*Overseas[\s\S]*Dreamina JP/);

    // Edit: only the changed field is sent; the session id stays as it was.
    await firstRow.locator('.refine-edit-button').click();
    await page.waitForURL(/\/edit\//);
    await expect(page.getByLabel('Account').inputValue()).resolves.toBe(first);
    await expect(page.getByLabel('Session ID').inputValue()).resolves.toBe('');
    await page.getByLabel('Priority').fill('7');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/admin\/jimeng-accounts(\?|$)/);
    const edited = (await listAccounts(system)).find((a) => a.jimeng_account === first);
    expect(edited).toMatchObject({ priority: 7, session_id: 'sess…aaaa' });

    await firstRow.getByRole('button', { name: 'Reset status' }).click();
    await page.locator('.ant-popconfirm').getByRole('button', { name: 'OK' }).click();
    await page.getByText(`Status of ${first} reset`).waitFor();

    await secondRow.locator('.refine-delete-button').click();
    await page.locator('.ant-popconfirm').getByRole('button', { name: 'Delete' }).click();
    await secondRow.waitFor({ state: 'detached' });
    const remaining = (await listAccounts(system)).map((a) => a.jimeng_account);
    expect(remaining).toContain(first);
    expect(remaining).not.toContain(second);

    await api(system.baseUrl, 'POST', '/api/v1/jimeng/accounts/delete', {
      token: system.admin.token,
      body: { ids: [edited!.id] },
    });
  });
});
