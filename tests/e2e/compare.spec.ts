/**
 * Incognito versus normal with the findings scenario: before labelling, the designed
 * empty state says how to label; after labelling each file by its mode (the scenario
 * writes one file per mode), the comparison shows the scenario's figures and the
 * identifiers sent in both modes. Needs the findings analysis; where the build has
 * none, the "not available" state is checked and photographed and the rest skipped.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { IDS, SESSIONS, writePhoneScenario } from '../../tools/synth/scenario-phone.ts';
import { expect, screenshot, test } from './fixtures.ts';

test('labelling the inputs fills the comparison with the scenario figures', async ({ page, shell, start, imports }) => {
  const s = writePhoneScenario(mkdtempSync(join(tmpdir(), 'telltale-scenario-')));
  await start.pickFiles([s.normalPcapng, s.incognitoPcapng, s.normalHar, s.incognitoHar]);
  await imports.waitForEnd('done');
  const root = await shell.goTo('compare');
  await shell.settled();

  const unavailable = root.getByTestId('state-unavailable');
  const empty = root.getByTestId('compare-empty');
  await expect(unavailable.or(empty)).toBeVisible();
  if (await unavailable.isVisible()) {
    await screenshot(page, 'compare-unavailable', 'light');
    test.skip(true, 'this build answers compare.get and modes.* with not-implemented (no findings analysis yet)');
    return;
  }
  await expect(empty).toContainText('Mark as incognito');
  await screenshot(page, 'compare-empty', 'light');

  const modes: Array<[string, 'Normal' | 'Incognito']> = [
    [basename(s.normalPcapng), 'Normal'],
    [basename(s.incognitoPcapng), 'Incognito'],
    [basename(s.normalHar), 'Normal'],
    [basename(s.incognitoHar), 'Incognito'],
  ];
  for (const [file, mode] of modes) {
    const row = root.getByTestId('labelling-input').filter({ hasText: file });
    await row.getByRole('radio', { name: mode }).check();
    await expect(row.getByRole('radio', { name: mode })).toBeChecked();
  }

  await expect(root.getByTestId('compare-body')).toBeVisible();
  const visited = root.getByTestId('compare-metric-pagesVisited');
  await expect(visited.locator('[data-mode="normal"]')).toHaveText(String(SESSIONS.normal.visits.length));
  await expect(visited.locator('[data-mode="incognito"]')).toHaveText(String(SESSIONS.incognito.visits.length));
  const leaked = root.getByTestId('compare-metric-pagesLeaked');
  await expect(leaked.locator('[data-mode="incognito"]')).toHaveText(String(SESSIONS.incognito.visits.length));
  await expect(root.getByTestId('compare-shared-identifiers')).toContainText(IDS.androidId);
  await expect(root.getByTestId('compare-pages-incognito')).toContainText(SESSIONS.incognito.visits[1].url);
  await expect(root.getByTestId('compare-finding')).toContainText('identifier');

  // The last radio clicked scrolled the view down: back to the top for the picture, pointer off the charts.
  await page.mouse.move(0, 0);
  await root.getByTestId('compare-finding').scrollIntoViewIfNeeded();
  await root.locator('h2').scrollIntoViewIfNeeded();
  await screenshot(page, 'compare', 'light');
  await screenshot(page, 'compare', 'dark');
  await root.getByTestId('compare-pages-incognito').scrollIntoViewIfNeeded();
  await screenshot(page, 'compare-pages', 'light');
});
