/**
 * The timeline with the findings scenario (a phone reporting every page to an analytics
 * host): lanes for the phone and its destinations, brush to zoom, keyboard to an event
 * and on to its evidence. Screenshots in both themes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANALYTICS, PHONE, SESSIONS, writePhoneScenario } from '../../tools/synth/scenario-phone.ts';
import { expect, screenshot, test } from './fixtures.ts';

function scenarioFiles(): string[] {
  const s = writePhoneScenario(mkdtempSync(join(tmpdir(), 'telltale-scenario-')));
  return [s.normalPcapng, s.incognitoPcapng, s.normalHar, s.incognitoHar];
}

test('the timeline shows the phone and its destinations, zooms with the brush and opens evidence', async ({ page, shell, start, imports }) => {
  await start.pickFiles(scenarioFiles());
  await imports.waitForEnd('done');
  const root = await shell.goTo('timeline');
  await shell.settled();

  // The whole case: from the normal session's start, in UTC.
  const day = SESSIONS.normal.start.slice(0, 10);
  await expect(root.getByTestId('timeline-range')).toContainText(`${day} ${SESSIONS.normal.start.slice(11, 16)}`);
  await expect(root.getByTestId('timeline-lane-devices').filter({ hasText: PHONE.ip })).toHaveCount(1);
  await expect(root.getByTestId('timeline-lane-destinations').filter({ hasText: ANALYTICS.host })).toHaveCount(1);
  for (const visit of SESSIONS.incognito.visits) {
    await expect(root.getByTestId('timeline-lane-destinations').filter({ hasText: visit.host })).toHaveCount(1);
  }
  const drawMs = Number(await root.getByTestId('timeline-plot').getAttribute('data-draw-ms'));
  expect(drawMs).toBeGreaterThanOrEqual(0);
  console.log(`timeline lanes canvas draw (scenario): ${drawMs} ms`);

  await screenshot(page, 'timeline', 'light');
  await screenshot(page, 'timeline', 'dark');
  await page.emulateMedia({ colorScheme: 'light' });

  // Brush over the first minutes (the normal session) on the volume chart, then zoom to it.
  // The chart's plot starts where the lanes' canvas starts.
  const plot = await root.getByTestId('timeline-lanes-canvas').boundingBox();
  const chart = await root.getByTestId('timeline-volume').boundingBox();
  if (plot === null || chart === null) throw new Error('the timeline has no box');
  const y = chart.y + chart.height / 2;
  await page.mouse.move(plot.x + 1, y);
  await page.mouse.down();
  await page.mouse.move(plot.x + plot.width * 0.05, y, { steps: 6 });
  await page.mouse.up();
  await expect(root.getByTestId('timeline-selection')).toBeVisible();
  await expect(root.getByTestId('timeline-selection-text')).toContainText(day);
  const before = await root.getByTestId('timeline-range').innerText();
  await root.getByTestId('timeline-zoom-selection').click();
  await expect(page).toHaveURL(/#\/timeline\?.*from=\d+.*to=\d+/);
  await expect(root.getByTestId('timeline-range')).not.toHaveText(before);
  await expect(root.getByTestId('timeline-range')).toContainText('zoomed');
  // The normal session's visits are in the zoomed range, the incognito ones (30 min later) are not.
  await expect(root.getByTestId('timeline-lane-destinations').filter({ hasText: SESSIONS.normal.visits[0].host })).toHaveCount(1);
  await expect(root.getByTestId('timeline-lane-destinations').filter({ hasText: SESSIONS.incognito.visits[1].host })).toHaveCount(0);
  await screenshot(page, 'timeline-zoomed', 'light');
  await root.getByTestId('timeline-reset').click();
  await expect(root.getByTestId('timeline-range')).not.toContainText('zoomed');

  // Keyboard: into the lanes, down to the analytics host, to its first event, Enter opens it.
  const lanes = root.getByTestId('timeline-lanes');
  await lanes.focus();
  const destinations = await root.getByTestId('timeline-lane-destinations').allInnerTexts();
  const devices = await root.getByTestId('timeline-lane-devices').count();
  const target = devices + destinations.findIndex((t) => t.includes(ANALYTICS.host));
  for (let i = 0; i < target; i++) await page.keyboard.press('ArrowDown');
  // Along the lane to its first HTTP request (a leak mark opens the exchange only when the engine names it).
  const focusCard = root.locator('.tl-tooltip--focus');
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press('ArrowRight');
    if ((await focusCard.locator('.tl-tooltip-kind').innerText()).startsWith('HTTP')) break;
  }
  await expect(focusCard).toContainText(ANALYTICS.host);
  await expect(focusCard.locator('.tl-tooltip-kind')).toContainText('HTTP');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#\/evidence\?(.*&)?kind=(http|dns|tls|flow)&id=\d+/);
  await expect(shell.view('evidence')).toBeVisible();
});

test('hovering a mark shows its details', async ({ page, shell, start, imports }) => {
  await start.pickFiles(scenarioFiles().slice(0, 1));
  await imports.waitForEnd('done');
  const root = await shell.goTo('timeline');
  await shell.settled();
  const lane = root.getByTestId('timeline-lane-destinations').filter({ hasText: ANALYTICS.host });
  const laneBox = await lane.boundingBox();
  const canvasBox = await root.getByTestId('timeline-lanes-canvas').boundingBox();
  if (laneBox === null || canvasBox === null) throw new Error('no lane box');
  // Sweep along the lane until the card names an event (a mark is a few pixels wide).
  const y = laneBox.y + laneBox.height / 2;
  const tooltip = root.getByTestId('timeline-tooltip');
  let found = false;
  for (let x = canvasBox.x + 1; x < canvasBox.x + canvasBox.width && !found; x += 4) {
    await page.mouse.move(x, y);
    found = (await tooltip.count()) > 0 && (await tooltip.innerText()).includes('open the evidence');
  }
  expect(found).toBe(true);
  await expect(tooltip).toContainText('UTC');
  await expect(tooltip).toContainText(ANALYTICS.host);
});

test('marking a brushed range as incognito shades it and feeds the comparison', async ({ page, shell, start, imports }) => {
  await start.pickFiles(scenarioFiles());
  await imports.waitForEnd('done');
  const root = await shell.goTo('timeline');
  await shell.settled();
  const markIncognito = root.getByTestId('mark-incognito');
  if (await markIncognito.isDisabled()) {
    // Without a selection the buttons are disabled either way; tell the two cases apart by their reason.
    const reason = (await markIncognito.getAttribute('title')) ?? '';
    test.skip(reason.includes('findings analysis'), 'this build cannot label (no findings analysis)');
  }

  // The incognito session is the last burst of the case (30 minutes after the normal one).
  const plot = await root.getByTestId('timeline-lanes-canvas').boundingBox();
  const chart = await root.getByTestId('timeline-volume').boundingBox();
  if (plot === null || chart === null) throw new Error('the timeline has no box');
  const y = chart.y + chart.height / 2;
  await page.mouse.move(plot.x + plot.width * 0.95, y);
  await page.mouse.down();
  // Past the right edge: the brush stops at the end of the case.
  await page.mouse.move(plot.x + plot.width + 20, y, { steps: 5 });
  await page.mouse.up();
  await expect(root.getByTestId('timeline-selection-text')).toContainText('→ 09:30:10.104 UTC');
  await markIncognito.click();

  // The label comes back as a shaded window, and the selection is cleared.
  await expect(root.locator('.tl-mode--incognito')).toHaveCount(1);
  await expect(root.getByTestId('timeline-selection')).toHaveCount(0);
  await root.locator('summary').filter({ hasText: 'Incognito and normal labels' }).click();
  await expect(root.getByTestId('labelling-window')).toHaveCount(1);
  await expect(root.getByTestId('labelling-window')).toContainText('Incognito');
  await screenshot(page, 'timeline-labelled', 'light');

  // The comparison now has an incognito side with the incognito session's visits.
  const compare = await shell.goTo('compare');
  await shell.settled();
  const visited = compare.getByTestId('compare-metric-pagesVisited');
  await expect(visited.locator('[data-mode="incognito"]')).toHaveText(String(SESSIONS.incognito.visits.length));
  await expect(visited.locator('[data-mode="normal"]')).toHaveText('—');
});
