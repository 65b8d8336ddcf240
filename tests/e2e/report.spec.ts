/**
 * The report view with the findings scenario: the preview (report.get) shows the
 * input's SHA-256 as computed here and the planted leaks, follows the cover fields,
 * and "Export PDF…" gives a download whose PDF starts with %PDF and whose text
 * (pdftotext) carries the hash, the title and a planted URL.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLANTED, writeScenarioPcapng } from '../../tools/synth/scenario-phone.ts';
import { expect, screenshot, test } from './fixtures.ts';

test('the report is previewed in the app and exported as a PDF to download', async ({ page, shell, start, imports }, testInfo) => {
  const capture = writeScenarioPcapng(mkdtempSync(join(tmpdir(), 'telltale-e2e-report-')), 'normal');
  const sha256 = createHash('sha256').update(readFileSync(capture)).digest('hex');
  await start.pickFiles([capture]);
  await imports.waitForEnd('done');

  await page.getByTestId('nav-report').click();
  const root = page.getByTestId('view-report');
  await expect(root).toBeVisible();
  await shell.settled();
  const doc = root.getByTestId('report-document');
  await expect(doc).toContainText(sha256);
  await expect(doc).toContainText(PLANTED.leakedUrls.normal[0] as string);

  await root.getByTestId('report-title').fill('E2E case 5');
  await root.getByTestId('report-investigator').fill('A. Investigator');
  await expect(doc.locator('.cover h1')).toHaveText('E2E case 5');
  await expect(doc).toContainText('A. Investigator');
  await screenshot(page, 'report', 'light');
  await screenshot(page, 'report', 'dark');

  await root.getByTestId('report-export').click();
  const link = root.getByTestId('report-download');
  await expect(link).toBeVisible({ timeout: 120_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toBe('E2E-case-5-report.pdf');
  const saved = testInfo.outputPath('report.pdf');
  await download.saveAs(saved);
  expect(readFileSync(saved).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  const text = spawnSync('pdftotext', ['-layout', saved, '-'], { encoding: 'utf8' });
  test.skip(text.error !== undefined, 'pdftotext not found (Debian: apt-get install poppler-utils)');
  const flat = text.stdout.replace(/\s+/g, ' ');
  expect(flat).toContain(sha256);
  expect(flat).toContain('E2E case 5');
  expect(flat).toContain('bbc.com/news/world-europe-52345678');
  await screenshot(page, 'report-exported', 'light');
});
