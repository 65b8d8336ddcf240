import { EXAMPLE, HTTP_PIPELINED, TLS_GOOGLE, corpusFile, epochToUtcText, httpRequests } from './corpus.ts';
import { expect, screenshot, test } from './fixtures.ts';

const files = [TLS_GOOGLE, HTTP_PIPELINED, EXAMPLE].map(corpusFile);

test('the overview shows each input with its hash, packets and span, and the case counts', async ({ page, shell, start, imports, overview }) => {
  await start.pickFiles(files.map((f) => f.path));
  await imports.waitForEnd('done');
  await expect(shell.caseInputs).toHaveText('3 inputs');
  await overview.open();

  await expect(overview.inputsTable.getByTestId('input-row')).toHaveCount(files.length);
  for (const file of files) {
    const row = overview.inputRow(file.name);
    await expect(row.getByTestId('input-sha256')).toHaveAttribute('data-sha256', file.sha256);
    await expect(row.getByTestId('input-records')).toHaveText(`${file.truth.packet_count.toLocaleString('en-US')} packets`);
    await expect(row).toContainText(epochToUtcText(file.truth.first_timestamp_epoch));
  }

  const sum = (pick: (f: (typeof files)[number]) => number) => files.reduce((n, f) => n + pick(f), 0);
  expect(await overview.count('inputs')).toBe(files.length);
  expect(await overview.count('packets')).toBe(sum((f) => f.truth.packet_count));
  expect(await overview.count('http')).toBe(sum(httpRequests));
  expect(await overview.count('tls')).toBe(sum((f) => f.truth.tls_clienthello_count));
  expect(await overview.count('dns')).toBe(sum((f) => f.truth.dns_message_count));

  // The HTTP host of the pipelined capture is among the top destinations, with its 5 requests.
  const mozilla = overview.destination('www.mozilla.org');
  await expect(mozilla.getByTestId('destination-http')).toHaveText(String(corpusFile(HTTP_PIPELINED).truth.http_request_count));

  await screenshot(page, 'overview', 'light');
  await screenshot(page, 'overview', 'dark');
});

test('the SHA-256 copy button copies the whole hash', async ({ page, context, start, imports, overview }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const file = corpusFile(TLS_GOOGLE);
  await start.pickFiles([file.path]);
  await imports.waitForEnd('done');
  await overview.open();
  await overview.inputRow(file.name).getByTestId('copy-sha256').click();
  await expect(overview.inputRow(file.name).getByTestId('copy-sha256')).toHaveText('Copied');
  // Runs in the browser; Node's Navigator type has no clipboard.
  const copied = await page.evaluate(() => (navigator as unknown as { clipboard: { readText(): Promise<string> } }).clipboard.readText());
  expect(copied).toBe(file.sha256);
});

test('an empty case shows a designed empty overview, not a blank page', async ({ page, overview }) => {
  await page.getByTestId('nav-overview').click();
  await expect(overview.root).toBeVisible();
  await expect(page.getByTestId('overview-empty')).toBeVisible();
  await screenshot(page, 'overview-empty', 'light');
});
