/**
 * The evidence report from the desktop app: the report page (report.html, the same
 * page the CLI prints) loaded in a hidden window, handed the model, printed with
 * Electron's own `webContents.printToPDF`, then finished by the engine (manifest
 * attached, metadata set, custody logged). The window is destroyed in `finally`,
 * whatever happens. The desktop's `report.export` (report-export.ts) calls
 * `exportReportFromDesktop` with the path its save dialog returned; the app's #/report
 * view previews the same model through `report.get`.
 */
import { BrowserWindow } from 'electron';
import type { WebContents } from 'electron';
import { pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { REPORT_DATA_EVENT, REPORT_DATA_GLOBAL, REPORT_ERROR_ATTRIBUTE, REPORT_STATE_ATTRIBUTE } from '../../shared/report.ts';
import type { ReportModel } from '../../shared/report.ts';
import { checkReportTarget, finalizeReportPdf, prepareReport, saveReportPdf, type ReportPdfResult } from '../engine/report/export-report.ts';
import type { ReportOptions } from '../engine/report/model.ts';
import { footerTemplate, headerTemplate, MARGINS_MM, setTocPagesScript, TOC_HEADINGS_SCRIPT, tocPages } from '../engine/report/page-setup.ts';
import { outlinePages } from '../engine/report/pdf-finish.ts';
import { CaseStore } from '../engine/store/case-store.ts';
import type { AppLocation } from './app-url.ts';
import { lockDownWebContents } from './window.ts';

/** How long the page may take to draw (a bound for a broken page, not a wait). */
const READY_TIMEOUT_MS = 120_000;

const MM_PER_INCH = 25.4;

/** The report page's URL next to the app's page: the dev server's /report.html, or the built report.html. */
export function reportPageUrl(loc: AppLocation): string {
  if (loc.devServerUrl !== null) return new URL('report.html', loc.devServerUrl.endsWith('/') ? loc.devServerUrl : `${loc.devServerUrl}/`).href;
  return pathToFileURL(join(dirname(loc.rendererFile), 'report.html')).href;
}

/** Hand a model to a loaded report page (report.html in the hidden printing window). */
export async function injectReportModel(contents: WebContents, model: ReportModel): Promise<void> {
  // JSON is valid JavaScript; stringified twice it is a string literal the page parses itself.
  const json = JSON.stringify(JSON.stringify(model));
  await contents.executeJavaScript(`window[${JSON.stringify(REPORT_DATA_GLOBAL)}] = JSON.parse(${json}); window.dispatchEvent(new Event(${JSON.stringify(REPORT_DATA_EVENT)})); true;`);
}

/** Script resolving to 'ready' or 'error: …' once the page has drawn the report and loaded its fonts. */
export function waitForReadyScript(timeoutMs = READY_TIMEOUT_MS): string {
  const state = JSON.stringify(REPORT_STATE_ATTRIBUTE);
  const error = JSON.stringify(REPORT_ERROR_ATTRIBUTE);
  return `new Promise((resolve) => {
    const root = document.documentElement;
    const check = () => {
      const v = root.getAttribute(${state});
      if (v === 'ready') { observer.disconnect(); clearTimeout(timer); document.fonts.ready.then(() => resolve('ready')); return true; }
      if (v === 'error') { observer.disconnect(); clearTimeout(timer); resolve('error: ' + (root.getAttribute(${error}) || 'unknown')); return true; }
      return false;
    };
    const observer = new MutationObserver(check);
    const timer = setTimeout(() => { observer.disconnect(); resolve('error: the report page did not signal ready'); }, ${timeoutMs});
    observer.observe(root, { attributes: true });
    check();
  })`;
}

/** printToPDF options: the same paper, margins and running header and footer as the CLI's printer. */
export function printOptions(model: ReportModel): Electron.PrintToPDFOptions {
  return {
    pageSize: 'A4',
    printBackground: true,
    displayHeaderFooter: true,
    headerTemplate: headerTemplate(model.cover.title),
    footerTemplate: footerTemplate(model.manifest.sha256),
    margins: {
      top: MARGINS_MM.top / MM_PER_INCH,
      bottom: MARGINS_MM.bottom / MM_PER_INCH,
      left: MARGINS_MM.left / MM_PER_INCH,
      right: MARGINS_MM.right / MM_PER_INCH,
    },
    generateDocumentOutline: true,
    generateTaggedPDF: true,
  };
}

/** Print `model` from the report page at `reportUrl` in a hidden window; resolves with the PDF's bytes. */
export async function printReportWithElectron(model: ReportModel, reportUrl: string): Promise<Uint8Array> {
  const win = new BrowserWindow({
    show: false,
    width: 1024,
    height: 1400,
    webPreferences: {
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  try {
    lockDownWebContents(win.webContents);
    await win.loadURL(reportUrl);
    await injectReportModel(win.webContents, model);
    const state = (await win.webContents.executeJavaScript(waitForReadyScript(), true)) as string;
    if (state !== 'ready') throw new Error(`the report page could not draw the report: ${state.replace(/^error: /, '')}`);
    const options = printOptions(model);
    const first = await win.webContents.printToPDF(options);
    const headings = JSON.parse((await win.webContents.executeJavaScript(TOC_HEADINGS_SCRIPT)) as string) as string[];
    const pages = tocPages(headings, await outlinePages(first));
    if (Object.keys(pages).length === 0) return new Uint8Array(first);
    await win.webContents.executeJavaScript(setTocPagesScript(pages));
    return new Uint8Array(await win.webContents.printToPDF(options));
  } finally {
    win.destroy();
  }
}

/** The browser that prints in this process, for the manifest and the PDF's producer. */
export function electronPrinter(): string {
  return `Chromium ${process.versions.chrome} (Electron ${process.versions.electron})`;
}

export interface DesktopReportRequest {
  /** The open case's file (a second connection is opened for the report and closed after). */
  casePath: string;
  /** Where to write the PDF (from the save dialog). */
  outPath: string;
  options: ReportOptions;
  /** reportPageUrl(location) of the running app. */
  reportUrl: string;
}

/** The desktop's report.export after its save dialog: build, print, finish and save the report of a case; logs 'export.pdf'. */
export async function exportReportFromDesktop(req: DesktopReportRequest): Promise<ReportPdfResult> {
  const started = Date.now();
  const store = CaseStore.open(req.casePath);
  try {
    checkReportTarget(store, req.outPath);
    const printer = electronPrinter();
    const prepared = prepareReport(store, req.options, printer);
    const printed = await printReportWithElectron(prepared.model, req.reportUrl);
    const pdf = await finalizeReportPdf(printed, prepared, printer);
    return await saveReportPdf(store, req.outPath, pdf, prepared, started);
  } finally {
    store.close();
  }
}
