import { writeFileSync } from 'node:fs';
import { writeBenchCapture } from '../../tools/synth/bench-capture.ts';
import { HTTP_PIPELINED, TLS_GOOGLE, corpusFile } from './corpus.ts';
import { expect, screenshot, test } from './fixtures.ts';

// The page function of the last test runs in the browser; this file is type-checked with Node's types.
declare const DataTransfer: new () => { items: { add(file: File): unknown } };
declare const DragEvent: new (type: string, init: { dataTransfer: unknown; bubbles: boolean; cancelable: boolean }) => object;
declare const document: { querySelector(selector: string): { dispatchEvent(event: object): boolean } | null };

test.describe('adding captures', () => {
  test('a capture picked with the file input is imported and shows its packets', async ({ page, shell, start, imports }) => {
    const file = corpusFile(TLS_GOOGLE);
    await start.pickFiles([file.path]);
    await imports.waitForEnd('done');
    const row = imports.fileRow(file.name);
    await expect(row).toHaveAttribute('data-state', 'done');
    await expect(row.getByTestId('import-file-records')).toHaveText(`${file.truth.packet_count} packets`);
    await expect(shell.caseInputs).toHaveText('1 input');
    await screenshot(page, 'import', 'light');
    await screenshot(page, 'import', 'dark');
  });

  test('a capture dropped on the drop zone is imported', async ({ shell, start, imports }) => {
    const file = corpusFile(HTTP_PIPELINED);
    await start.dropFiles([file.path]);
    await imports.waitForEnd('done');
    await expect(imports.fileRow(file.name).getByTestId('import-file-records')).toHaveText(`${file.truth.packet_count} packets`);
    await expect(shell.caseInputs).toHaveText('1 input');
  });

  test('a file that is not a capture is refused in plain words, per file', async ({ start, imports }, testInfo) => {
    const notes = testInfo.outputPath('notes.txt');
    writeFileSync(notes, 'These are meeting notes, not a capture.\n');
    const good = corpusFile(TLS_GOOGLE);
    await start.pickFiles([notes, good.path]);
    await expect(imports.latest()).toHaveAttribute('data-state', /^(done|failed)$/, { timeout: 60_000 });
    const bad = imports.fileRow('notes.txt');
    await expect(bad).toHaveAttribute('data-state', 'failed');
    const error = imports.latest().getByTestId('import-file-error');
    await expect(error).toContainText('notes.txt');
    // The reason is words about the file, not a stack trace or an error code.
    await expect(error).not.toContainText(/at \w+ \(|Error:|ENOENT|undefined/);
    await expect(imports.fileRow(good.name)).toHaveAttribute('data-state', 'done');
  });
});

test('a running import can be cancelled and keeps what it read', async ({ page, shell, start, imports }, testInfo) => {
  // Large enough that reading it takes seconds on a shared machine.
  const path = testInfo.outputPath('big.pcap');
  const written = writeBenchCapture(path, { targetBytes: 400 * 1000 * 1000, seed: 7 });
  await start.pickFiles([path]);
  const row = imports.fileRow('big.pcap');
  // Cancel as soon as reading starts: nothing else may sit between the two, or a fast
  // machine finishes the file first.
  await expect(row).toHaveAttribute('data-state', 'running', { timeout: 60_000 });
  await imports.latest().getByTestId('import-cancel').click({ timeout: 10_000 });
  await imports.waitForEnd('cancelled');
  await expect(row).toHaveAttribute('data-state', 'cancelled');
  // Part of the file was read, and not all of it.
  const records = Number((await row.getByTestId('import-file-records').innerText()).replace(/[^\d]/g, ''));
  expect(records).toBeGreaterThan(0);
  expect(records).toBeLessThan(written.frames);
  await expect(shell.caseInputs).toHaveText('1 input');
  await screenshot(page, 'import-cancelled', 'light');
});

test('a file dropped outside the drop zone is refused, not opened by the browser', async ({ page, imports }) => {
  await page.getByTestId('nav-import').click();
  await expect(imports.root).toBeVisible();
  const cards = await imports.root.getByTestId('import-card').count();
  // dispatchEvent answers false when a listener prevented the default (opening the file).
  const opened = await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['not a capture'], 'stray.pcap'));
    const target = document.querySelector('main');
    if (target === null) throw new Error('no <main>');
    target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    return target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  expect(opened).toBe(false);
  // Nothing was imported.
  await expect(imports.root.getByTestId('import-card')).toHaveCount(cards);
  await expect(page.getByTestId('case-inputs')).toHaveText('0 inputs');
});
