/**
 * Printing the report page with the system's Chromium, driven by playwright-core (the
 * CLI and the web host; the desktop app uses Electron's own printToPDF). The page is
 * served to the browser from the bundle folder through request interception, so no
 * port is opened and nothing else is reachable: every request outside the report's
 * origin is aborted. The model is handed over before the page's scripts run, and the
 * printer waits for the page's ready signal and its fonts, never for a fixed time.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { chromium, type Browser, type Route } from 'playwright-core';
import { REPORT_DATA_GLOBAL, REPORT_ERROR_ATTRIBUTE, REPORT_STATE_ATTRIBUTE, type ReportModel } from '../../../shared/report.ts';
import { REPORT_PAGE, reportBundleDir } from './bundle.ts';
import { checkReportTarget, finalizeReportPdf, prepareReport, saveReportPdf, type ReportPdfResult } from './export-report.ts';
import type { ReportOptions } from './model.ts';
import type { CaseStore } from '../store/case-store.ts';
import { footerTemplate, headerTemplate, MARGINS_MM, setTocPagesScript, TOC_HEADINGS_SCRIPT, tocPages } from './page-setup.ts';
import { outlinePages } from './pdf-finish.ts';

/** Where Debian, Ubuntu and Google put their browsers; TELLTALE_CHROMIUM comes first. */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export const NO_CHROMIUM_MESSAGE = 'no Chromium found to print the PDF. Install Chromium (Debian: apt-get install chromium) or set TELLTALE_CHROMIUM to the browser executable';

/** Flags for a quiet, offline, single-use browser. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const ORIGIN = 'http://telltale-report.localhost';

/**
 * The page's globals, as the functions below see them when they run in the browser
 * (this module is typed for Node, which has no DOM).
 */
interface PageGlobals {
  document: { documentElement: { getAttribute(name: string): string | null }; fonts: { ready: Promise<unknown> } };
  [key: string]: unknown;
}

/** How long the page may take to draw before printing gives up (a bound, not a wait). */
const READY_TIMEOUT_MS = 120_000;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
};

/** The browser executable to use, or throws the message that says what to install. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.TELLTALE_CHROMIUM;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!existsSync(fromEnv)) throw new Error(`TELLTALE_CHROMIUM=${fromEnv} does not exist. ${NO_CHROMIUM_MESSAGE}`);
    return fromEnv;
  }
  for (const c of CANDIDATES) if (existsSync(c)) return c;
  throw new Error(NO_CHROMIUM_MESSAGE);
}

export interface ChromiumPrinter {
  /** "Chromium 156.0.8078.79" (the browser's own version string). */
  readonly version: string;
  /** Print the report for `model`; resolves with the PDF's bytes. */
  print(model: ReportModel): Promise<Uint8Array>;
  close(): Promise<void>;
}

async function serve(route: Route, bundleDir: string): Promise<void> {
  const url = new URL(route.request().url());
  if (url.origin !== ORIGIN) {
    await route.abort('blockedbyclient');
    return;
  }
  const rel = decodeURIComponent(url.pathname === '/' ? `/${REPORT_PAGE}` : url.pathname);
  const file = resolve(bundleDir, `.${rel}`);
  if (!file.startsWith(resolve(bundleDir) + sep)) {
    await route.fulfill({ status: 403, body: 'outside the report bundle' });
    return;
  }
  try {
    const body = await readFile(file);
    await route.fulfill({ status: 200, body, headers: { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' } });
  } catch {
    await route.fulfill({ status: 404, body: 'not found' });
  }
}

/** Launch the system Chromium for printing reports from `bundleDir` (the folder with report.html). */
export async function launchChromiumPrinter(bundleDir: string, opts: { executablePath?: string } = {}): Promise<ChromiumPrinter> {
  if (!existsSync(join(bundleDir, REPORT_PAGE))) throw new Error(`${bundleDir}: no ${REPORT_PAGE} (the report page is not built)`);
  const executablePath = opts.executablePath ?? findChromium();
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  } catch (e) {
    throw new Error(`could not start ${executablePath}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}. ${NO_CHROMIUM_MESSAGE}`, { cause: e });
  }
  const version = `Chromium ${browser.version()}`;
  return {
    version,
    async print(model: ReportModel): Promise<Uint8Array> {
      const context = await browser.newContext({ serviceWorkers: 'block', acceptDownloads: false, offline: false });
      try {
        await context.route('**/*', (route) => serve(route, bundleDir));
        const page = await context.newPage();
        const problems: string[] = [];
        page.on('pageerror', (e) => problems.push(e.message));
        page.on('console', (m) => {
          if (m.type() === 'error') problems.push(m.text());
        });
        await page.addInitScript(
          ({ name, json }) => {
            (globalThis as unknown as PageGlobals)[name] = JSON.parse(json);
          },
          { name: REPORT_DATA_GLOBAL, json: JSON.stringify(model) },
        );
        await page.goto(`${ORIGIN}/${REPORT_PAGE}`, { waitUntil: 'load' });
        const state = await page
          .waitForFunction(
            (attr) => {
              const v = (globalThis as unknown as PageGlobals).document.documentElement.getAttribute(attr);
              return v === 'ready' || v === 'error' ? v : null;
            },
            REPORT_STATE_ATTRIBUTE,
            { timeout: READY_TIMEOUT_MS },
          )
          .then((h) => h.jsonValue())
          .catch((e: unknown) => {
            throw new Error(`the report page did not signal ready${problems.length > 0 ? `: ${problems.join('; ')}` : ''}`, { cause: e });
          });
        if (state !== 'ready') {
          const why = await page.evaluate((attr) => (globalThis as unknown as PageGlobals).document.documentElement.getAttribute(attr), REPORT_ERROR_ATTRIBUTE);
          throw new Error(`the report page could not draw the report: ${why ?? problems.join('; ')}`);
        }
        await page.evaluate(() => (globalThis as unknown as PageGlobals).document.fonts.ready.then(() => undefined));
        const options = {
          format: 'A4',
          printBackground: true,
          displayHeaderFooter: true,
          headerTemplate: headerTemplate(model.cover.title),
          footerTemplate: footerTemplate(model.manifest.sha256),
          margin: { top: `${MARGINS_MM.top}mm`, bottom: `${MARGINS_MM.bottom}mm`, left: `${MARGINS_MM.left}mm`, right: `${MARGINS_MM.right}mm` },
          outline: true,
          tagged: true,
        } as const;
        const first = await page.pdf(options);
        const headings = JSON.parse((await page.evaluate(TOC_HEADINGS_SCRIPT)) as string) as string[];
        const pages = tocPages(headings, await outlinePages(first));
        if (Object.keys(pages).length === 0) return new Uint8Array(first.buffer, first.byteOffset, first.byteLength);
        await page.evaluate(setTocPagesScript(pages));
        const pdf = await page.pdf(options);
        return new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
      } finally {
        await context.close();
      }
    },
    async close(): Promise<void> {
      await browser.close();
    },
  };
}

export interface ChromiumReportOptions extends ReportOptions {
  /** A printer to reuse (several reports in one run); launched and closed here otherwise. */
  printer?: ChromiumPrinter;
  /** Folder with the built report page (default: see reportBundleDir). */
  bundleDir?: string;
  /** Browser executable (default: findChromium()). */
  executablePath?: string;
}

/** Print a case's evidence report with the system Chromium to `outPath`. */
export async function exportReportPdf(store: CaseStore, outPath: string, opts: ChromiumReportOptions = {}): Promise<ReportPdfResult> {
  const started = Date.now();
  checkReportTarget(store, outPath);
  const own = opts.printer === undefined;
  const printer = opts.printer ?? (await launchChromiumPrinter(opts.bundleDir ?? (await reportBundleDir()), { executablePath: opts.executablePath }));
  try {
    const prepared = prepareReport(store, opts, printer.version);
    const printed = await printer.print(prepared.model);
    const pdf = await finalizeReportPdf(printed, prepared, printer.version);
    return await saveReportPdf(store, outPath, pdf, prepared, started);
  } finally {
    if (own) await printer.close();
  }
}
