import { HTTP_PIPELINED, TLS_GOOGLE, corpusFile } from './corpus.ts';
import { expect, screenshot, test } from './fixtures.ts';

const tls = corpusFile(TLS_GOOGLE);
const http = corpusFile(HTTP_PIPELINED);

test.beforeEach(async ({ start, imports }) => {
  await start.pickFiles([tls.path, http.path]);
  await imports.waitForEnd('done');
});

test('the TLS hello with SNI google.de points to its file, frame and hash', async ({ evidence }) => {
  await evidence.open();
  await evidence.showKind('tls');
  await evidence.expectTotal(tls.truth.tls_clienthello_count);
  const row = evidence.rows.first();
  await expect(evidence.cell(row, 'sni')).toHaveText(tls.truth.tls_sni[0]);
  await row.click();
  await expect(evidence.detail.getByTestId('detail-sni')).toHaveText('google.de');
  await expect(evidence.detail.getByTestId('pointer-file')).toContainText(tls.name);
  await expect(evidence.detail.getByTestId('pointer-frame')).toHaveText(String(tls.truth.tls_clienthello_with_sni_frames[0]));
  await expect(evidence.detail.getByTestId('pointer-sha256')).toHaveText(tls.sha256);
});

test('the HTTP requests of the pipelined capture are all there, searchable, with the raw request', async ({ page, evidence }) => {
  await evidence.open();
  await evidence.showKind('http');
  await evidence.expectTotal(http.truth.http_request_count);
  const uris = await evidence.rows.locator('[data-col="uri"]').allTextContents();
  expect(uris.sort()).toEqual(http.truth.http_requests.map((r) => r.uri).sort());

  const wanted = http.truth.http_requests.find((r) => r.uri.includes('urchin'));
  if (wanted === undefined) throw new Error('the truth file lists no urchin.js request');
  await evidence.searchFor('urchin', 1);
  await evidence.rows.first().click();
  const raw = evidence.detail.getByTestId('raw-request');
  await expect(raw).toContainText(`${wanted.method} ${wanted.uri} HTTP/1.1`);
  await expect(raw).toContainText(`Host: ${wanted.host}`);
  await expect(evidence.detail.getByTestId('pointer-frame')).toHaveText(String(wanted.frame));
  await expect(evidence.detail.getByTestId('pointer-sha256')).toHaveText(http.sha256);
  await screenshot(page, 'evidence', 'light');
  await screenshot(page, 'evidence', 'dark');
});

test('the evidence table is driven by the keyboard', async ({ page, evidence }) => {
  await evidence.open();
  await evidence.showKind('http');
  await evidence.expectTotal(http.truth.http_request_count);
  const grid = evidence.table.getByRole('grid');
  await grid.focus();
  await page.keyboard.press('Home');
  await expect(evidence.rows.nth(0)).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowDown');
  await expect(evidence.rows.nth(1)).toHaveAttribute('aria-selected', 'true');
  await expect(evidence.rows.nth(0)).toHaveAttribute('aria-selected', 'false');
  // Rows are in capture time order: the second request is the truth's second frame.
  const frames = http.truth.http_requests.map((r) => r.frame).sort((a, b) => a - b);
  await expect(evidence.detail.getByTestId('pointer-frame')).toHaveText(String(frames[1]));
  await page.keyboard.press('End');
  await expect(evidence.rows.nth(http.truth.http_request_count - 1)).toHaveAttribute('aria-selected', 'true');
  // The kind tabs move with the arrow keys.
  await page.getByTestId('tab-http').focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('tab-dns')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('tab-dns')).toBeFocused();
});
