/**
 * The destination map with the findings scenario: the analytics host (an Alibaba Cloud
 * address in Singapore, docs/enrichment.md) is placed in Singapore, the country table
 * is reachable by keyboard and selecting a country highlights it on the map. Needs the
 * findings analysis; where the build has none, the designed "not available" state is
 * checked and photographed and the data checks are skipped with that reason.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANALYTICS, writePhoneScenario } from '../../tools/synth/scenario-phone.ts';
import { expect, screenshot, test } from './fixtures.ts';

function scenarioFiles(): string[] {
  const s = writePhoneScenario(mkdtempSync(join(tmpdir(), 'telltale-scenario-')));
  return [s.normalPcapng, s.incognitoPcapng, s.normalHar, s.incognitoHar];
}

test('the map places the analytics host in Singapore and follows the table selection', async ({ page, shell, start, imports }) => {
  await start.pickFiles(scenarioFiles());
  await imports.waitForEnd('done');
  const root = await shell.goTo('map');
  await shell.settled();

  const unavailable = root.getByTestId('state-unavailable');
  const table = root.getByTestId('map-countries-table');
  await expect(unavailable.or(table)).toBeVisible();
  if (await unavailable.isVisible()) {
    await screenshot(page, 'map-unavailable', 'light');
    test.skip(true, 'this build answers destinations.list with not-implemented (no findings analysis yet)');
    return;
  }

  const singapore = table.locator('[data-testid="map-country-row"][data-code="SG"]');
  await expect(singapore).toContainText('Singapore');
  // Singapore is too small for the 1:110m shapes: it is drawn as a marker.
  await expect(root.locator('.map-marker[data-code="SG"]')).toHaveCount(1);
  await root.getByTestId('map-tab-hosts').click();
  await expect(root.getByTestId('map-hosts-table')).toContainText(ANALYTICS.host);
  await root.getByTestId('map-tab-countries').click();

  await screenshot(page, 'map', 'light');
  await screenshot(page, 'map', 'dark');
  await page.emulateMedia({ colorScheme: 'light' });

  // Keyboard: focus the Singapore row's button and select it with Enter.
  await singapore.focus();
  await page.keyboard.press('Enter');
  await expect(singapore).toHaveAttribute('aria-pressed', 'true');
  await expect(page).toHaveURL(/country=SG/);
  await expect(root.locator('.map-marker--selected[data-code="SG"]')).toHaveCount(1);

  // Shade by leaks: Singapore, where the leaks went, stays shaded.
  await root.getByTestId('map-metric-leaks').check();
  await expect(page).toHaveURL(/metric=leaks/);
  await expect(root.locator('.map-marker[data-code="SG"]')).not.toHaveClass(/map-c0/);
  await screenshot(page, 'map-leaks', 'light');
});
