/**
 * End-to-end tests of the renderer in Debian's Chromium, against the real web host
 * (`telltale serve`) and the real engine: tests/e2e/global-setup.ts builds the
 * renderer when needed and starts the host; nothing is stubbed. Browsers are never
 * downloaded: the system Chromium is driven directly.
 */
import { defineConfig } from '@playwright/test';

const CHROMIUM = process.env.TELLTALE_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './tests/e2e/global-setup.ts',
  // One host, one open case at a time: tests run one after the other.
  workers: 1,
  fullyParallel: false,
  forbidOnly: process.env.CI !== undefined,
  timeout: 90_000,
  expect: { timeout: 30_000 },
  outputDir: 'test-results/e2e',
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  use: {
    browserName: 'chromium',
    viewport: { width: 1440, height: 900 },
    launchOptions: {
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
