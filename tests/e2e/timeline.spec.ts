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
  await page.keyboard.press('ArrowRight');
  await expect(root.locator('.tl-tooltip--focus')).toContainText(ANALYTICS.host);
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
