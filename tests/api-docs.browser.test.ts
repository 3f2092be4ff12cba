import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifact, collectCspViolations, launchChromium } from './support/browser.js';
import { startSystem, type RunningSystem } from './support/system.js';

/**
 * The API reference at /api/docs in a browser: Swagger UI (served from node_modules, no CDN)
 * renders every tag and operation of the OpenAPI document under the page's strict CSP, with no
 * console error, and expands an operation to its parameters and its declared response body.
 */
describe('API reference page (browser)', () => {
  let system: RunningSystem;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    system = await startSystem({ worker: false });
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await system?.stop();
  });

  it('renders the operations list with no console error and no CSP violation', async () => {
    context = await browser.newContext({ locale: 'en-US', viewport: { width: 1440, height: 900 } });
    const violations = await collectCspViolations(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    const outside: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(system.baseUrl) && !request.url().startsWith('data:'))
        outside.push(request.url());
    });

    const response = await page.goto(`${system.baseUrl}/api/docs`);
    expect(response?.headers()['content-type']).toMatch(/text\/html/);
    await page.getByText('Dreamloom API', { exact: false }).first().waitFor({ timeout: 20_000 });
    const health = page.locator('.opblock', {
      hasText: 'Service health with database and Redis reachability',
    });
    await health.first().waitFor({ timeout: 20_000 });
    expect(await health.first().locator('.opblock-summary-path').innerText()).toContain('/api/v1/health');

    // Swagger UI renders the long list as it scrolls into view; its filter (by tag) brings a later
    // tag's operations up.
    const filter = page.getByPlaceholder('Filter by tag or path');
    await filter.fill('story-chat');
    const start = page.locator('.opblock', {
      hasText: "Start a conversation of a story (the story's opening messages, or the given ones)",
    });
    await start.first().waitFor({ timeout: 10_000 });
    expect(await page.locator('.opblock-tag').allInnerTexts()).toEqual([
      expect.stringContaining('story-chat'),
    ]);

    // An operation opens to its request body.
    await start.first().locator('.opblock-summary-control').click();
    await start.first().getByText('Request body').first().waitFor();
    // …and to the response body it declares (contracts' schemas; last_message_id is only in the answer).
    await start.first().getByText('last_message_id').first().waitFor();

    await page.screenshot({ path: artifact('api-docs.png') });
    expect(errors).toEqual([]);
    expect(violations).toEqual([]);
    expect(outside).toEqual([]);
  }, 60_000);
});
