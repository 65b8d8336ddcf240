/**
 * The test fixture: every test opens the real web host's page and starts its own
 * empty case, so no test sees another's inputs. Screenshots go to
 * tests/artifacts/screenshots/<name>-<theme>.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test as base, expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import { AppShell } from './pages/app-shell.ts';
import { EvidencePage } from './pages/evidence-page.ts';
import { ImportPage } from './pages/import-page.ts';
import { OverviewPage } from './pages/overview-page.ts';
import { StartPage } from './pages/start-page.ts';

export const SCREENSHOTS = join(import.meta.dirname, '..', 'artifacts', 'screenshots');

export interface Pages {
  shell: AppShell;
  start: StartPage;
  imports: ImportPage;
  overview: OverviewPage;
  evidence: EvidencePage;
}

export const test = base.extend<Pages & { hostUrl: string }>({
  // Playwright reads a fixture's dependencies from its first parameter's pattern.
  // eslint-disable-next-line no-empty-pattern
  hostUrl: async ({}, use) => {
    const url = process.env.TELLTALE_E2E_URL;
    if (url === undefined) throw new Error('TELLTALE_E2E_URL is not set: run through "npm run test:e2e" so the global setup starts the web host');
    await use(url);
  },
  shell: async ({ page, hostUrl }, use) => {
    const shell = new AppShell(page);
    await shell.open(hostUrl);
    const start = new StartPage(page);
    await start.open();
    await start.newCase();
    await use(shell);
  },
  start: async ({ page, shell: _shell }, use) => use(new StartPage(page)),
  imports: async ({ page, shell: _shell }, use) => use(new ImportPage(page)),
  overview: async ({ page, shell: _shell }, use) => use(new OverviewPage(page)),
  evidence: async ({ page, shell: _shell }, use) => use(new EvidencePage(page)),
});

export { expect };

/**
 * Save a screenshot of the current view in the given theme. The view scrolls inside
 * <main>, so for `full` the window is made as tall as the view for the shot (at most
 * 4000 px) and restored after.
 */
export async function screenshot(page: Page, name: string, theme: 'light' | 'dark', options: { full?: boolean } = {}): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.emulateMedia({ colorScheme: theme });
  await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
  await expect(page.getByTestId('state-loading')).toHaveCount(0);
  const path = join(SCREENSHOTS, `${name}-${theme}.png`);
  const viewport = page.viewportSize();
  if (options.full === true && viewport !== null) {
    const needed = await page.locator('main').evaluate((main) => main.scrollHeight + main.getBoundingClientRect().top);
    await page.setViewportSize({ width: viewport.width, height: Math.min(4000, Math.max(viewport.height, Math.ceil(needed))) });
    await page.screenshot({ path });
    await page.setViewportSize(viewport);
  } else {
    await page.screenshot({ path });
  }
  return path;
}
