/**
 * The views on a large case, in Chromium, against the real web host: generate a
 * capture of at least 500,000 packets (tools/synth/bench-capture.ts), import it with the
 * CLI, serve it, then open the timeline, map and compare views and zoom the timeline,
 * printing how long each step took: the API round trip, the canvas draw, the time to a
 * settled view, and the longest main-thread task (what a user would see as a freeze).
 *
 * Run: npx node tests/bench/ui-render.ts [--size 600M] [--case existing.db] [--keep]
 *      [--chromium /usr/bin/chromium] [--shots <dir>: save a screenshot after each step]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import type { Page } from 'playwright-core';
import { describeBenchCapture, parseSize, writeBenchCapture } from '../../tools/synth/bench-capture.ts';

// The page functions below run in the browser; this file is type-checked against Node's types.
declare const window: { location: { hash: string } };
declare const document: { querySelector(selector: string): { textContent: string | null } | null };
declare function requestAnimationFrame(callback: () => void): number;

const ROOT = resolve(import.meta.dirname, '..', '..');
const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '600M' },
    case: { type: 'string' },
    keep: { type: 'boolean', default: false },
    shots: { type: 'string' },
    chromium: { type: 'string', default: process.env.TELLTALE_CHROMIUM ?? '/usr/bin/chromium' },
  },
});

const work = mkdtempSync(join(tmpdir(), 'telltale-ui-bench-'));
const since = (t: number): string => `${(performance.now() - t).toFixed(0)} ms`;

function importCase(): string {
  if (values.case !== undefined) return resolve(values.case);
  const capture = join(work, 'bench.pcap');
  let t = performance.now();
  const report = writeBenchCapture(capture, { targetBytes: parseSize(values.size) });
  console.log(`capture: ${describeBenchCapture(report).split('\n')[0]} (${since(t)})`);
  if (report.frames < 500_000) console.log(`warning: only ${report.frames} packets; pass a larger --size for the 500k case`);
  const db = join(work, 'case.db');
  t = performance.now();
  const result = spawnSync(process.execPath, [join(ROOT, 'bin', 'telltale.js'), 'analyze', capture, '--case', db, '--quiet'], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`import failed (${result.status ?? result.signal})`);
  console.log(`import: ${since(t)}`);
  return db;
}

function serve(db: string): Promise<{ url: string; stop(): void }> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'telltale.js'), 'serve', '--port', '0', '--case', db], { cwd: work, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const m = /^Open (http:\/\/\S+)$/m.exec(out);
      if (m !== null) ok({ url: m[1], stop: () => child.kill('SIGTERM') });
    });
    child.on('exit', (code) => fail(new Error(`serve exited (${code})`)));
  });
}

/** Collects main-thread tasks over 50 ms, the browser's own measure of jank. */
const LONG_TASKS = `
  window.__longTasks = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); })
    .observe({ type: 'longtask', buffered: true });
`;

async function longestTask(page: Page): Promise<string> {
  const tasks = await page.evaluate(() => {
    const w = window as unknown as { __longTasks: number[] };
    const list = w.__longTasks.splice(0);
    return list;
  });
  return tasks.length === 0 ? 'none over 50 ms' : `${tasks.length} over 50 ms, longest ${Math.max(...tasks).toFixed(0)} ms`;
}

async function shot(page: Page, name: string): Promise<void> {
  if (values.shots !== undefined) await page.screenshot({ path: join(resolve(values.shots), `ui-bench-${name}.png`) });
}

async function apiTime(page: Page, method: string): Promise<string> {
  const durations = await page.evaluate((m) => {
    const entries = performance.getEntriesByType('resource').filter((e) => e.name.includes(`/api/${m}`));
    performance.clearResourceTimings();
    return entries.map((e) => e.duration);
  }, method);
  return durations.length === 0 ? 'no call' : durations.map((d) => `${d.toFixed(0)} ms`).join(', ');
}

async function main(): Promise<void> {
  const db = importCase();
  const host = await serve(db);
  const browser = await chromium.launch({ executablePath: values.chromium, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.addInitScript(LONG_TASKS);
    await page.goto(host.url);
    await page.getByTestId('app').waitFor();
    const info = await page.getByTestId('case-inputs').innerText().catch(() => '?');
    console.log(`case: ${info}`);

    // Timeline: from the click to a drawn canvas.
    await page.evaluate(() => performance.clearResourceTimings());
    let t = performance.now();
    await page.getByTestId('nav-timeline').click();
    await page.locator('[data-testid="timeline-plot"][data-draw-ms]').waitFor({ timeout: 120_000 });
    console.log(`\ntimeline open: ${since(t)}; timeline.get ${await apiTime(page, 'timeline.get')}; canvas draw ${await page.getByTestId('timeline-plot').getAttribute('data-draw-ms')} ms; ${await longestTask(page)}`);
    await shot(page, 'timeline');

    // Zoom in three times to a tenth of the range (as the brush does, through the URL), then back to the whole case.
    const range = page.getByTestId('timeline-range');
    for (let level = 1; level <= 3; level++) {
      const before = await range.innerText();
      const hash = await page.evaluate(() => window.location.hash);
      const span = await page.evaluate(() => {
        const text = document.querySelector('[data-testid="timeline-range"]')?.textContent ?? '';
        const times = [...text.matchAll(/(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}\.\d{3}) UTC/g)].map((m) => Date.parse(`${m[1]}T${m[2]}Z`));
        return times.length >= 2 ? { from: times[0], to: times[1] } : null;
      });
      if (span === null) throw new Error(`cannot read the range from ${before} (${hash})`);
      const width = span.to - span.from;
      const from = Math.floor(span.from + width * 0.45);
      const to = Math.ceil(from + width / 10);
      t = performance.now();
      await page.evaluate(([a, b]) => {
        window.location.hash = `#/timeline?from=${a}&to=${b}`;
      }, [from, to]);
      await page.waitForFunction((b) => document.querySelector('[data-testid="timeline-range"]')?.textContent !== b, before);
      await page.locator('.tl-plot-frame--refreshing').waitFor({ state: 'detached' });
      console.log(`zoom ×10 (level ${level}): ${since(t)}; timeline.get ${await apiTime(page, 'timeline.get')}; canvas draw ${await page.getByTestId('timeline-plot').getAttribute('data-draw-ms')} ms; ${await longestTask(page)}`);
      await shot(page, `timeline-zoom-${level}`);
    }
    t = performance.now();
    await page.getByTestId('timeline-reset').click();
    await page.waitForFunction(() => !(document.querySelector('[data-testid="timeline-range"]')?.textContent ?? '').includes('zoomed'));
    await page.locator('.tl-plot-frame--refreshing').waitFor({ state: 'detached' });
    console.log(`back to whole case: ${since(t)}; timeline.get ${await apiTime(page, 'timeline.get')}; ${await longestTask(page)}`);

    // Hover along a lane: the card must follow without stalling the page.
    const canvas = await page.getByTestId('timeline-lanes-canvas').boundingBox();
    if (canvas !== null) {
      t = performance.now();
      const moves = 200;
      for (let i = 0; i < moves; i++) await page.mouse.move(canvas.x + (i / moves) * canvas.width, canvas.y + 40);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
      console.log(`hover: ${moves} pointer moves in ${since(t)} (${((performance.now() - t) / moves).toFixed(1)} ms each, driver round trip included); ${await longestTask(page)}`);
    }

    for (const view of ['map', 'compare'] as const) {
      t = performance.now();
      await page.getByTestId(`nav-${view}`).click();
      await page.getByTestId(`view-${view}`).waitFor();
      await page.waitForFunction(() => document.querySelector('[data-testid="state-loading"]') === null);
      const state = (await page.getByTestId('state-unavailable').count()) > 0 ? ' (findings not available in this build)' : '';
      console.log(`${view} open: ${since(t)}${state}; ${await longestTask(page)}`);
      await shot(page, view);
    }
  } finally {
    await browser.close();
    host.stop();
    if (!values.keep) rmSync(work, { recursive: true, force: true });
    else console.log(`kept ${work}`);
  }
}

await main();
