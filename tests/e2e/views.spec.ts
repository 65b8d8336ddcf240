/**
 * Every view with real data, in both themes: nothing blank, a screenshot of each for
 * the team to look at, and the theme switch itself.
 */
import { EXAMPLE, HTTP_PIPELINED, TLS_GOOGLE, corpusFile } from './corpus.ts';
import { expect, screenshot, test } from './fixtures.ts';
import type { ViewId } from './pages/app-shell.ts';

const VIEWS: ViewId[] = ['start', 'import', 'overview', 'timeline', 'map', 'compare', 'evidence', 'entities'];

test('every view shows content or a designed state, in light and dark', async ({ page, shell, start, imports }) => {
  await start.pickFiles([TLS_GOOGLE, HTTP_PIPELINED, EXAMPLE].map((n) => corpusFile(n).path));
  await imports.waitForEnd('done');
  for (const view of VIEWS) {
    const root = await shell.goTo(view);
    await shell.settled();
    await expect(page.getByTestId('state-crashed')).toHaveCount(0);
    // Something is there: a heading and more than the heading.
    await expect(root.locator('h2')).toBeVisible();
    expect((await root.innerText()).trim().length).toBeGreaterThan(20);
    // Views that fill the window (tables with a detail pane) are shot as the window shows them.
    const full = !['evidence', 'entities'].includes(view);
    await screenshot(page, `view-${view}`, 'light', { full });
    await screenshot(page, `view-${view}`, 'dark', { full });
  }
});

test('the theme switch cycles system, light and dark, and is remembered', async ({ page, shell, hostUrl }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  const html = page.locator('html');
  await expect(shell.themeToggle).toHaveAttribute('data-theme-choice', 'system');
  await expect(html).toHaveAttribute('data-theme', 'light');
  await shell.themeToggle.click();
  await expect(shell.themeToggle).toHaveAttribute('data-theme-choice', 'light');
  await shell.themeToggle.click();
  await expect(shell.themeToggle).toHaveAttribute('data-theme-choice', 'dark');
  await expect(html).toHaveAttribute('data-theme', 'dark');
  await page.goto(hostUrl);
  await expect(html).toHaveAttribute('data-theme', 'dark');
  await shell.themeToggle.click();
  await expect(shell.themeToggle).toHaveAttribute('data-theme-choice', 'system');
  await expect(html).toHaveAttribute('data-theme', 'light');
});

test('a skip link leads past the navigation to the content', async ({ page, shell, hostUrl }) => {
  await shell.open(hostUrl);
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('#content')).toBeFocused();
});
