import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { RunningSystem } from './system.js';

/** Helpers shared by the admin browser tests (Debian's Chromium driven by playwright-core). */

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The admin build the tests serve: admin/dist, or TEST_ADMIN_DIST_DIR (a private build, for parallel runs). */
export const ADMIN_DIST = process.env.TEST_ADMIN_DIST_DIR ?? path.join(ROOT, 'admin/dist');
export const ADMIN_INDEX = path.join(ADMIN_DIST, 'index.html');
export const ARTIFACTS = path.join(ROOT, 'tests/artifacts');

/** The test command builds the admin first; build here too so a test file also runs on its own. */
export function ensureAdminBuilt(): void {
  if (!existsSync(ADMIN_INDEX)) {
    // A production build whatever the runner's NODE_ENV (vitest sets "test", which makes Vite bundle
    // React's development build).
    const outDir = process.env.TEST_ADMIN_DIST_DIR ? ['--', '--outDir', ADMIN_DIST, '--emptyOutDir'] : [];
    execFileSync('npm', ['run', 'build', '-w', '@dreamloom/admin', ...outDir], {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: 'production' },
    });
  }
  mkdirSync(ARTIFACTS, { recursive: true });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** English UI regardless of the machine's locale, at a desktop size. */
export function newAdminContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ locale: 'en-US', viewport: { width: 1440, height: 900 } });
}

/** Signs in through the login page with the seeded admin. */
export async function signIn(page: Page, system: RunningSystem, password = system.admin.password) {
  await page.getByLabel('Username').fill(system.admin.username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Starts every page of the context already signed in (the admin keeps its token in localStorage). */
export async function signInWithToken(context: BrowserContext, token: string): Promise<void> {
  await context.addInitScript((value) => {
    localStorage.setItem('dreamloom.admin.token', value);
    localStorage.setItem('dreamloom.admin.lang', 'en');
  }, token);
}

export function artifact(name: string): string {
  return path.join(ARTIFACTS, name);
}

/**
 * Collects every Content-Security-Policy violation on the context's pages (new tabs included): the
 * browser's own console error and a `securitypolicyviolation` listener, so a test can expect none.
 */
export async function collectCspViolations(context: BrowserContext): Promise<string[]> {
  const violations: string[] = [];
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) =>
      console.error(`Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  const watch = (page: Page) =>
    page.on('console', (message) => {
      if (message.type() === 'error' && message.text().includes('Content Security Policy'))
        violations.push(`${page.url()}: ${message.text()}`);
    });
  context.pages().forEach(watch);
  context.on('page', watch);
  return violations;
}
