import { expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';

/** The Import view: one card per import, one row per file. */
export class ImportPage {
  readonly page: Page;
  readonly root: Locator;

  constructor(page: Page) {
    this.page = page;
    this.root = page.getByTestId('view-import');
  }

  /** The newest import's card (cards are listed newest first). */
  latest(): Locator {
    return this.root.getByTestId('import-card').first();
  }

  fileRow(name: string): Locator {
    return this.latest().locator(`[data-testid="import-file"][data-name="${name}"]`);
  }

  /** Wait for the newest import to end, and expect it to end as `state`. */
  async waitForEnd(state: 'done' | 'failed' | 'cancelled' = 'done', timeout = 60_000): Promise<void> {
    await expect(this.root).toBeVisible();
    const card = this.latest();
    await expect(card).toHaveAttribute('data-state', /^(done|failed|cancelled)$/, { timeout });
    await expect(card).toHaveAttribute('data-state', state);
    await expect(card.getByTestId('import-state')).toBeVisible();
  }
}
