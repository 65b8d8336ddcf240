import { EXAMPLE, corpusFile, httpRequests } from './corpus.ts';
import { expect, screenshot, test } from './fixtures.ts';

const example = corpusFile(EXAMPLE);

test.beforeEach(async ({ start, imports }) => {
  await start.pickFiles([example.path]);
  await imports.waitForEnd('done');
});

test('an image the case does not keep shows its SHA-256; a gzip page shows decoded', async ({ page, evidence }) => {
  await evidence.open();
  await evidence.showKind('http');
  // tshark 4.0.17 --export-objects http on this file, sha256sum of the exported image.
  await evidence.searchFor('45984660100010012882.jpg', 1);
  await evidence.rows.first().click();
  const notKept = evidence.detail.getByTestId('response-body-not-kept');
  await expect(notKept).toContainText('Not kept in the case');
  await expect(notKept).toContainText('9a8ba1a87119f0f692c6f2cd3513ab71c53e356ccfc174e6818627943c55f7af');
  await notKept.scrollIntoViewIfNeeded();
  await screenshot(page, 'evidence-media-not-kept', 'light');

  // The home page came gzip-compressed: kept as sent, shown decoded, with the coding named.
  // Both searches find one row: clear in between, so the second one is seen to apply.
  await evidence.searchFor('', httpRequests(example));
  await evidence.searchFor('/home/0,7340,L-8,00.html', 1);
  await evidence.rows.first().click();
  await expect(evidence.detail.getByTestId('raw-request')).toContainText('GET /home/0,7340,L-8,00.html HTTP/1.1');
  const body = evidence.detail.getByTestId('response-body');
  await expect(body).toContainText('gzip');
  await expect(body).toContainText('<html', { ignoreCase: true });
  await expect(evidence.detail.getByTestId('response-body-not-kept')).toHaveCount(0);
});
