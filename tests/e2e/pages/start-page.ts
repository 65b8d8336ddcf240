import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';

// The page function below runs in the browser; this file is type-checked against Node's types.
declare const DataTransfer: new () => { items: { add(file: File): unknown } };

/** The Start view: drop zone, file picker, case actions. */
export class StartPage {
  readonly page: Page;
  readonly root: Locator;
  readonly dropZone: Locator;
  readonly fileInput: Locator;
  readonly newCaseButton: Locator;

  constructor(page: Page) {
    this.page = page;
    this.root = page.getByTestId('view-start');
    this.dropZone = page.getByTestId('drop-zone');
    this.fileInput = page.getByTestId('file-input');
    this.newCaseButton = page.getByTestId('new-case');
  }

  async open(): Promise<void> {
    await this.page.getByTestId('nav-start').click();
    await expect(this.root).toBeVisible();
  }

  /** Start a fresh, empty case so a test sees only its own inputs. */
  async newCase(): Promise<void> {
    const path = this.page.getByTestId('current-case-path');
    // The host opens (or creates) a case at start; wait for the page to show it.
    await expect(path.or(this.page.getByText('No case yet'))).toBeVisible();
    const before = (await path.count()) > 0 ? await path.textContent() : null;
    await this.newCaseButton.click();
    if (before !== null) await expect(path).not.toHaveText(before);
    await expect(this.page.getByTestId('current-case-inputs')).toHaveText(/^0 inputs/);
  }

  /** Pick files with the real <input type=file>. */
  async pickFiles(paths: string[]): Promise<void> {
    await this.fileInput.setInputFiles(paths);
  }

  /**
   * Drop files on the drop zone the way a browser does: a DataTransfer holding File
   * objects, delivered with dragenter, dragover and drop events.
   */
  async dropFiles(paths: string[]): Promise<void> {
    const files = paths.map((p) => ({ name: basename(p), base64: readFileSync(p).toString('base64') }));
    const dataTransfer = await this.page.evaluateHandle((list) => {
      const dt = new DataTransfer();
      for (const f of list) {
        const binary = atob(f.base64);
        const bytes = new Uint8Array(binary.length);
        for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
        dt.items.add(new File([bytes], f.name, { type: 'application/octet-stream' }));
      }
      return dt;
    }, files);
    await this.dropZone.dispatchEvent('dragenter', { dataTransfer });
    await this.dropZone.dispatchEvent('dragover', { dataTransfer });
    await expect(this.dropZone).toHaveAttribute('data-state', 'dragging');
    await this.dropZone.dispatchEvent('drop', { dataTransfer });
    await dataTransfer.dispose();
  }
}
