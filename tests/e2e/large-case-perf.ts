/**
 * Overview, Evidence and Entities on a large case, in Chromium, against the real web
 * host: opens each view, filters, sorts, jumps to the last row and opens a detail,
 * and prints for each step the time to a settled view, the API calls it made and the
 * longest main-thread task (a task over 50 ms is what a user feels as a stall).
 * The timeline, map and compare views are measured by tests/bench/ui-render.ts.
 *
 * Run: npx node tests/e2e/large-case-perf.ts [--size 600M] [--case existing.db]
 *        [--chromium /usr/bin/chromium] [--keep]
 * Without --case it writes a benchmark capture (tools/synth/bench-capture.ts; 600 MB is
 * about 700,000 packets) and imports it with the CLI first. A given case is copied,
 * never opened in place.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import type { Page } from 'playwright-core';
import { describeBenchCapture, parseSize, writeBenchCapture } from '../../tools/synth/bench-capture.ts';

// Page functions run in the browser; this file is type-checked with Node's types.
declare const window: { __stalls?: number[] };
declare const document: { querySelector(selector: string): { getAttribute(name: string): string | null } | null };
declare const PerformanceObserver: new (cb: (list: { getEntries(): Array<{ duration: number }> }) => void) => { observe(o: object): void };

const ROOT = resolve(import.meta.dirname, '..', '..');
const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '600M' },
    case: { type: 'string' },
    chromium: { type: 'string', default: process.env.TELLTALE_CHROMIUM ?? '/usr/bin/chromium' },
    keep: { type: 'boolean', default: false },
  },
});

const work = mkdtempSync(join(tmpdir(), 'telltale-perf-a-'));
const ms = (start: number): number => Math.round(performance.now() - start);

function prepareCase(): string {
  const db = join(work, 'case.db');
  if (values.case !== undefined) {
    const source = resolve(values.case);
    copyFileSync(source, db);
    if (existsSync(`${source}-wal`)) copyFileSync(`${source}-wal`, `${db}-wal`);
    return db;
  }
  const capture = join(work, 'bench.pcap');
  let t = performance.now();
  const report = writeBenchCapture(capture, { targetBytes: parseSize(values.size) });
  console.log(`capture: ${describeBenchCapture(report).split('\n')[0]} (${ms(t)} ms)`);
  t = performance.now();
  const run = spawnSync(process.execPath, [join(ROOT, 'bin', 'telltale.js'), 'analyze', capture, '--case', db, '--quiet'], { stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`import failed (${run.status ?? run.signal})`);
  console.log(`import: ${ms(t)} ms`);
  return db;
}

function serve(db: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((ready, fail) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'telltale.js'), 'serve', '--port', '0', '--case', db], { cwd: work, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      const match = /^Open (http:\/\/\S+)$/m.exec(out);
      if (match !== null) ready({ child, url: match[1] });
    });
    child.on('exit', (code) => fail(new Error(`serve exited (${code})`)));
  });
}

/** API calls since the last step, as "method 12 ms". */
async function apiCalls(page: Page): Promise<string> {
  const calls = await page.evaluate(() => {
    const entries = performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/') && !e.name.includes('/api/events'));
    performance.clearResourceTimings();
    return entries.map((e) => [e.name.slice(e.name.indexOf('/api/') + 5).split('?')[0], e.duration] as const);
  });
  return calls.length === 0 ? 'no API call' : calls.map(([m, d]) => `${m} ${Math.round(d)} ms`).join(', ');
}

async function stalls(page: Page): Promise<string> {
  const list = await page.evaluate(() => (window.__stalls === undefined ? [] : window.__stalls.splice(0)));
  return list.length === 0 ? 'no task over 50 ms' : `${list.length} task(s) over 50 ms, longest ${Math.round(Math.max(...list))} ms`;
}

async function step(page: Page, name: string, act: () => Promise<void>): Promise<void> {
  await page.evaluate(() => performance.clearResourceTimings());
  await stalls(page);
  const t = performance.now();
  await act();
  const took = ms(t);
  console.log(`${name.padEnd(34)} ${String(took).padStart(6)} ms · ${await apiCalls(page)} · ${await stalls(page)}`);
}

async function settled(page: Page): Promise<void> {
  await page.getByTestId('state-loading').first().waitFor({ state: 'detached', timeout: 120_000 });
}

async function main(): Promise<void> {
  const db = prepareCase();
  const host = await serve(db);
  const browser = await chromium.launch({ executablePath: values.chromium, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.addInitScript(() => {
      const seen: number[] = [];
      window.__stalls = seen;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) seen.push(e.duration);
      }).observe({ type: 'longtask', buffered: true });
    });
    await step(page, 'load the app', async () => {
      await page.goto(host.url);
      await page.getByTestId('case-inputs').waitFor();
    });
    console.log(`case: ${await page.getByTestId('case-inputs').innerText()}`);

    await step(page, 'overview: open', async () => {
      await page.getByTestId('nav-overview').click();
      await page.getByTestId('inputs-table').waitFor({ timeout: 120_000 });
    });
    const packets = await page.getByTestId('count-packets').getAttribute('data-value');
    console.log(`packets in the case: ${Number(packets).toLocaleString('en-US')}`);

    const total = page.getByTestId('evidence-total');
    const waitTotal = async (before: string | null): Promise<void> => {
      await page.waitForFunction(
        (b) => {
          const el = document.querySelector('[data-testid="evidence-total"]');
          const now = el?.getAttribute('data-total') ?? '';
          return now !== '' && now !== b;
        },
        before,
        { timeout: 120_000 },
      );
    };
    await step(page, 'evidence: open (HTTP)', async () => {
      await page.getByTestId('nav-evidence').click();
      await page.getByTestId('evidence-row').first().waitFor({ timeout: 120_000 });
    });
    console.log(`  HTTP rows: ${await total.getAttribute('data-total')}`);
    for (const kind of ['dns', 'tls', 'flow'] as const) {
      const before = await total.getAttribute('data-total');
      await step(page, `evidence: ${kind} tab`, async () => {
        await page.getByTestId(`tab-${kind}`).click();
        await waitTotal(before);
        await page.getByTestId('evidence-row').first().waitFor();
      });
      console.log(`  ${kind} rows: ${await total.getAttribute('data-total')}`);
    }
    await step(page, 'evidence: sort flows by size', async () => {
      await page.getByRole('button', { name: /Bytes/ }).click();
      await page.getByTestId('evidence-row').first().waitFor();
      await settled(page);
    });
    await step(page, 'evidence: End key (last row)', async () => {
      await page.getByTestId('evidence-table').getByRole('grid').focus();
      await page.keyboard.press('End');
      await page.locator('[data-testid="evidence-row"][aria-selected="true"]').waitFor({ timeout: 120_000 });
      await page.getByTestId('pointer-sha256').waitFor({ timeout: 120_000 });
    });
    await page.getByTestId('tab-http').click();
    await page.getByTestId('evidence-row').first().waitFor();
    await step(page, 'evidence: search "GET"', async () => {
      await page.getByTestId('evidence-search').fill('GET');
      // "n rows of N" appears once the filtered answer is on screen.
      await page.getByTestId('evidence-total').filter({ hasText: ' of ' }).waitFor({ timeout: 120_000 });
    });
    console.log(`  matching rows: ${await total.getAttribute('data-total')}`);
    await step(page, 'evidence: open a detail', async () => {
      await page.getByTestId('evidence-row').first().click();
      await page.getByTestId('raw-request').waitFor({ timeout: 120_000 });
    });

    await step(page, 'entities: open (devices)', async () => {
      await page.getByTestId('nav-entities').click();
      await page.getByTestId('view-entities').waitFor();
      await settled(page);
    });
    await step(page, 'entities: identifiers', async () => {
      await page.getByTestId('entities-tab-identifiers').click();
      await settled(page);
    });
  } catch (err) {
    const pages = browser.contexts().flatMap((c) => c.pages());
    if (pages.length > 0) {
      const shot = join(tmpdir(), 'telltale-perf-a-failure.png');
      await pages[0].screenshot({ path: shot });
      console.error(`failed; the window as it was: ${shot}`);
    }
    throw err;
  } finally {
    await browser.close();
    host.child.kill('SIGTERM');
    if (!values.keep) rmSync(work, { recursive: true, force: true });
    else console.log(`kept ${work}`);
  }
}

await main();
