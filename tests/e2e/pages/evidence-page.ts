import { expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';

export type EvidenceKind = 'http' | 'dns' | 'tls' | 'flow' | 'anomaly';

/** The Evidence view: kind tabs, search, the virtual table, the detail pane. */
export class EvidencePage {
  readonly page: Page;
  readonly root: Locator;
  readonly search: Locator;
  readonly table: Locator;
  readonly rows: Locator;
  readonly total: Locator;
  readonly detail: Locator;

  constructor(page: Page) {
    this.page = page;
    this.root = page.getByTestId('view-evidence');
    this.search = page.getByTestId('evidence-search');
    this.table = page.getByTestId('evidence-table');
    this.rows = page.getByTestId('evidence-row');
    this.total = page.getByTestId('evidence-total');
    this.detail = page.getByTestId('evidence-detail');
  }

  async open(): Promise<void> {
    await this.page.getByTestId('nav-evidence').click();
    await expect(this.root).toBeVisible();
  }

  async showKind(kind: EvidenceKind): Promise<void> {
    await this.page.getByTestId(`tab-${kind}`).click();
    await expect(this.page.getByTestId(`tab-${kind}`)).toHaveAttribute('aria-selected', 'true');
  }

  /** Type a search and wait until the engine's answer is on screen. */
  async searchFor(text: string, expectedTotal: number): Promise<void> {
    await this.search.fill(text);
    await expect(this.total).toHaveAttribute('data-total', String(expectedTotal));
  }

  async expectTotal(n: number): Promise<void> {
    await expect(this.total).toHaveAttribute('data-total', String(n));
  }

  /** The cell of a column in a row, by the column's id. */
  cell(row: Locator, column: string): Locator {
    return row.locator(`[data-col="${column}"]`);
  }
}
