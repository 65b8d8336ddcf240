import { expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';

export type ViewId = 'start' | 'import' | 'overview' | 'timeline' | 'map' | 'compare' | 'evidence' | 'entities';

/** The frame around every view: header, navigation, theme. */
export class AppShell {
  readonly page: Page;
  readonly caseTitle: Locator;
  readonly caseInputs: Locator;
  readonly themeToggle: Locator;

  constructor(page: Page) {
    this.page = page;
    this.caseTitle = page.getByTestId('case-title');
    this.caseInputs = page.getByTestId('case-inputs');
    this.themeToggle = page.getByTestId('theme-toggle');
  }

  /** Open the host's URL (with its token) and wait for the app frame. */
  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await expect(this.page.getByTestId('app')).toBeVisible();
  }

  nav(view: ViewId): Locator {
    return this.page.getByTestId(`nav-${view}`);
  }

  view(view: ViewId): Locator {
    return this.page.getByTestId(`view-${view}`);
  }

  async goTo(view: ViewId): Promise<Locator> {
    await this.nav(view).click();
    await expect(this.nav(view)).toHaveAttribute('aria-current', 'page');
    const root = this.view(view);
    await expect(root).toBeVisible();
    return root;
  }

  /** Wait until no view shows a loading state. */
  async settled(): Promise<void> {
    await expect(this.page.getByTestId('state-loading')).toHaveCount(0);
  }
}
