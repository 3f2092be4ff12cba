import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifact, ensureAdminBuilt, launchChromium, newAdminContext, signIn } from './support/browser.js';
import { api } from './support/clients.js';
import { member } from './support/anime.js';
import { startSystem, type RunningSystem } from './support/system.js';

/**
 * Contract 000's Pro plan in the admin: on "Users & credits" staff switch a member between Free and
 * Pro (after a confirmation), the server then lets the member create private generations, and the
 * member's plan history lists each change (who, when, from → to). Staff accounts show their role
 * and no switch. The same in Chinese on a 390 px wide phone screen, without horizontal overflow.
 */
describe('member plans in the admin (browser)', () => {
  let system: RunningSystem;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    ensureAdminBuilt();
    system = await startSystem({ db: 'sqlite' });
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await system?.stop();
  });

  const createPrivate = (headers: Record<string, string>) =>
    api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
      headers,
      body: { gen_type: 'anime', prompt: 'a private fox', visibility_level: 'private' },
    });
  const planChanges = async (userId: string) =>
    (
      await api(system.baseUrl, 'GET', `/api/anime-generation/admin/plan-changes?user_id=${userId}`, {
        token: system.admin.token,
      })
    ).body.data as Array<{ old_plan: string; new_plan: string; changed_by_name: string | null }>;
  /** Bots' members are remembered for a few seconds (identity's platform-user cache). */
  const expectPrivate = (headers: Record<string, string>, status: number) =>
    expect
      .poll(async () => (await createPrivate(headers)).status, { timeout: 12_000, interval: 500 })
      .toBe(status);
  const settle = async (page: Page) => {
    await page.waitForLoadState('networkidle');
    await page.locator('.ant-spin-blur').waitFor({ state: 'detached', timeout: 5000 });
  };
  const search = async (page: Page, placeholder: string, q: string) => {
    await page.getByPlaceholder(placeholder).fill(q);
    await page.getByPlaceholder(placeholder).press('Enter');
  };
  /** Waits until the drawer has slid in completely (its right edge on the screen's). */
  const drawerIn = (page: Page, drawer: ReturnType<Page['locator']>) =>
    expect
      .poll(async () => {
        const box = await drawer.boundingBox();
        const width = page.viewportSize()!.width;
        return box !== null && box.x >= 0 && Math.abs(box.x + box.width - width) < 1;
      })
      .toBe(true);
  /** The visible confirmation's button (closed popovers stay in the DOM, hidden). */
  const confirm = (page: Page, name: string) =>
    page.locator('.ant-popconfirm').getByRole('button', { name }).click();

  it('makes a member Pro from the users page, shows the history, and switches back (English)', async () => {
    const { headers, userId } = await member(system, 'plan-ui-1');
    expect((await createPrivate(headers)).status).toBe(403);
    const me = await api(system.baseUrl, 'GET', '/api/generation/credits', { token: system.admin.token });
    const adminId = me.body.data.user_id as string;

    const context = await newAdminContext(browser);
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${system.baseUrl}/admin/anime-users`);
    await page.waitForURL(/\/admin\/login/);
    await signIn(page, system);
    await page.waitForURL(/\/admin\/anime-users/);
    await page.getByRole('columnheader', { name: 'Plan' }).waitFor({ timeout: 15_000 });

    // The staff account shows its role and has no switch.
    await page.getByTestId(`plan-${adminId}`).waitFor();
    expect(await page.getByTestId(`plan-${adminId}`).innerText()).toBe('Admin');
    await expect(page.getByTestId(`plan-switch-${adminId}`).count()).resolves.toBe(0);

    await search(page, 'Search by user ID, name or platform ID', 'plan-ui-1');
    const row = page.locator('tr', { hasText: 'discord:plan-ui-1' });
    await row.waitFor({ timeout: 15_000 });
    const plan = row.getByTestId(`plan-${userId}`);
    await plan.getByText('Free', { exact: true }).waitFor();

    await row.getByRole('button', { name: 'Switch to Pro' }).click();
    await page.getByText(/Make .+ a Pro member\?/).waitFor();
    await page.getByText('Pro members can create private generations').waitFor();
    await page.screenshot({ path: artifact('anime-admin-plan-confirm.png') });
    await confirm(page, 'Switch plan');
    await page.getByText(/is now on the Pro plan$/).waitFor();
    await plan.getByText('Pro', { exact: true }).waitFor();
    await row.getByRole('button', { name: 'Switch to Free' }).waitFor();

    // The server agrees: the change is audited and the member may now create private generations.
    expect(await planChanges(userId)).toEqual([
      expect.objectContaining({ old_plan: 'free', new_plan: 'pro', changed_by_name: 'admin' }),
    ]);
    await expectPrivate(headers, 200);

    await row.getByRole('button', { name: 'Plan history' }).click();
    const drawer = page.locator('.ant-drawer-content', { has: page.getByTestId('plan-history') });
    await drawer.getByText(/Plan history of /).waitFor();
    const entry = drawer.getByTestId('plan-history').locator('tbody tr', { hasText: 'Free → Pro' });
    await entry.waitFor();
    expect(await entry.innerText()).toContain('admin');
    expect(await drawer.innerText()).not.toMatch(/\bfree\b|\bpro\b/);
    await drawerIn(page, drawer);
    await settle(page);
    await page.screenshot({ path: artifact('anime-admin-plan-history.png') });
    await drawer.getByRole('button', { name: 'Close' }).click();
    await drawer.waitFor({ state: 'hidden' });

    // Back to Free through the page.
    await row.getByRole('button', { name: 'Switch to Free' }).click();
    await page.getByText(/Move .+ to the Free plan\?/).waitFor();
    await confirm(page, 'Switch plan');
    await page.getByText(/is now on the Free plan$/).waitFor();
    await plan.getByText('Free', { exact: true }).waitFor();
    await row.getByRole('button', { name: 'Switch to Pro' }).waitFor();
    const changes = await planChanges(userId);
    expect(changes.map((change) => `${change.old_plan}>${change.new_plan}`).sort()).toEqual([
      'free>pro',
      'pro>free',
    ]);
    await expectPrivate(headers, 403);
    await settle(page);
    await page.screenshot({ path: artifact('anime-admin-plan.png'), fullPage: true });

    // A refusal shows the server's message: the account became staff behind the page's back.
    await system.core.models.User.update({ role: 'staff' }, { where: { id: userId } });
    await row.getByRole('button', { name: 'Switch to Pro' }).click();
    await confirm(page, 'Switch plan');
    const notice = page.locator('.ant-notification-notice', { hasText: 'Could not change the plan' });
    await notice.getByText('A staff account has no member plan').waitFor();
    await expect // (slid in)
      .poll(async () => {
        const box = await notice.boundingBox();
        return box !== null && box.x + box.width <= page.viewportSize()!.width;
      })
      .toBe(true);
    await page.screenshot({ path: artifact('anime-admin-plan-refused.png') });
    // The row reloads: a staff account shows its role and no switch; nothing was recorded.
    await plan.getByText('Staff', { exact: true }).waitFor();
    await expect(row.getByTestId(`plan-switch-${userId}`).count()).resolves.toBe(0);
    expect(await planChanges(userId)).toHaveLength(2);
    await system.core.models.User.update({ role: 'user' }, { where: { id: userId } });
  }, 90_000);

  it('does the same in Chinese on a 390 px wide screen without horizontal overflow', async () => {
    const { headers, userId } = await member(system, 'plan-ui-2');
    const context = await browser.newContext({
      locale: 'en-US',
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${system.baseUrl}/admin/anime-users`);
    await page.waitForURL(/\/admin\/login/);
    await signIn(page, system);
    await page.waitForURL(/\/admin\/anime-users/);
    await page.evaluate(() => localStorage.setItem('dreamloom.admin.lang', 'zh-CN'));
    await page.reload();
    await page.getByRole('columnheader', { name: '套餐' }).waitFor({ timeout: 15_000 });

    await search(page, '按用户 ID、名称或平台 ID 搜索', 'plan-ui-2');
    const row = page.locator('tr', { hasText: 'discord:plan-ui-2' });
    await row.waitFor({ timeout: 15_000 });
    const plan = row.getByTestId(`plan-${userId}`);
    await plan.getByText('免费版', { exact: true }).waitFor();
    await settle(page);
    const overflow = () =>
      page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    await expect(overflow()).resolves.toBeLessThanOrEqual(0);

    await row.getByRole('button', { name: '切换为 Pro' }).click();
    await page.getByText(/升级为 Pro 会员？/).waitFor();
    await page.screenshot({ path: artifact('anime-admin-plan-zh-390-confirm.png') });
    await confirm(page, '切换套餐');
    await page.getByText(/的套餐已切换为Pro$/).waitFor();
    await plan.getByText('Pro', { exact: true }).waitFor();
    await row.getByRole('button', { name: '切换为免费版' }).waitFor();
    expect(await planChanges(userId)).toEqual([
      expect.objectContaining({ old_plan: 'free', new_plan: 'pro' }),
    ]);
    await expectPrivate(headers, 200);
    await settle(page);
    await expect(overflow()).resolves.toBeLessThanOrEqual(0);
    await page.screenshot({ path: artifact('anime-admin-plan-zh-390.png'), fullPage: true });

    await row.getByRole('button', { name: '套餐记录' }).click();
    // (On a phone the menu is a drawer too.)
    const drawer = page.locator('.ant-drawer-content', { has: page.getByTestId('plan-history') });
    await drawer.getByText(/的套餐记录$/).waitFor();
    await drawer.getByTestId('plan-history').locator('tbody tr', { hasText: '免费版 → Pro' }).waitFor();
    await settle(page);
    // Once it has slid in, the drawer fits the screen.
    await drawerIn(page, drawer);
    await expect(overflow()).resolves.toBeLessThanOrEqual(0);
    await page.screenshot({ path: artifact('anime-admin-plan-zh-390-history.png') });
    await drawer.getByRole('button', { name: /Close|关闭/ }).click();
    await drawer.waitFor({ state: 'hidden' });

    await row.getByRole('button', { name: '切换为免费版' }).click();
    await confirm(page, '切换套餐');
    await page.getByText(/的套餐已切换为免费版$/).waitFor();
    await plan.getByText('免费版', { exact: true }).waitFor();
    const changes = await planChanges(userId);
    expect(changes.map((change) => change.new_plan).sort()).toEqual(['free', 'pro']);
    await expectPrivate(headers, 403);
  }, 90_000);
});
