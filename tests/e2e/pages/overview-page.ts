import { expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';

/** The Overview view: counts, inputs, destinations, protocols. */
export class OverviewPage {
  readonly page: Page;
  readonly root: Locator;
  readonly inputsTable: Locator;
  readonly destinations: Locator;

  constructor(page: Page) {
    this.page = page;
    this.root = page.getByTestId('view-overview');
    this.inputsTable = page.getByTestId('inputs-table');
    this.destinations = page.getByTestId('destinations-table');
  }

  async open(): Promise<void> {
    await this.page.getByTestId('nav-overview').click();
    await expect(this.root).toBeVisible();
    await expect(this.inputsTable).toBeVisible();
  }

  /** The figure of one count tile, as a number. */
  async count(key: string): Promise<number> {
    const value = await this.page.getByTestId(`count-${key}`).getAttribute('data-value');
    return Number(value);
  }

  inputRow(fileName: string): Locator {
    return this.inputsTable.locator(`[data-testid="input-row"][data-file="${fileName}"]`);
  }

  destination(name: string): Locator {
    return this.destinations.locator(`[data-testid="destination-row"][data-name="${name}"]`);
  }
}
