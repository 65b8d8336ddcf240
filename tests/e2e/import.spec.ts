import { writeFileSync } from 'node:fs';
import { HTTP_PIPELINED, TLS_GOOGLE, corpusFile } from './corpus.ts';
import { expect, screenshot, test } from './fixtures.ts';

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
