/**
 * The desktop's report printing with Electron mocked: a hidden, sandboxed window on
 * the report page, the model handed over, printToPDF with the report's paper, header,
 * footer, outline and tags, the table of contents numbered from the first print's
 * outline, the window destroyed in every case, and the finished file saved with its
 * manifest attached and 'export.pdf' in the custody log. The page-side scripts run
 * here in a VM against a minimal DOM; the integration test runs them in Chromium.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runInNewContext } from 'node:vm';
import { PDFDocument, PDFHexString, PDFName, PDFNull, type PDFRef } from '@cantoo/pdf-lib';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { MANIFEST_FILE_NAME, REPORT_DATA_EVENT, REPORT_DATA_GLOBAL, type ReportModel } from '../../../shared/report.ts';
import { TOC_HEADINGS_SCRIPT } from '../../../electron/engine/report/page-setup.ts';
import { outlinePages, pdfAttachments } from '../../../electron/engine/report/pdf-finish.ts';
import { CaseStore } from '../../../electron/engine/store/case-store.ts';

const electron = vi.hoisted(() => {
  type Responder = (code: string) => unknown;
  class FakeWebContents {
    readonly scripts: string[] = [];
    readonly printed: unknown[] = [];
    readonly listeners = new Map<string, unknown>();
    responder: Responder = () => undefined;
    pdfs: Uint8Array[] = [];
    on(event: string, listener: unknown): this {
      this.listeners.set(event, listener);
      return this;
    }
    setWindowOpenHandler(): void {}
    executeJavaScript(code: string): Promise<unknown> {
      this.scripts.push(code);
      return Promise.resolve(this.responder(code));
    }
    printToPDF(options: unknown): Promise<Buffer> {
      this.printed.push(options);
      const next = this.pdfs.shift();
      return next === undefined ? Promise.reject(new Error('no PDF queued')) : Promise.resolve(Buffer.from(next));
    }
  }
  class FakeBrowserWindow {
    static created: FakeBrowserWindow[] = [];
    static setup: (w: FakeBrowserWindow) => void = () => {};
    readonly options: Record<string, unknown>;
    readonly webContents = new FakeWebContents();
    readonly loaded: string[] = [];
    destroyed = false;
    constructor(options: Record<string, unknown>) {
      this.options = options;
      FakeBrowserWindow.created.push(this);
      FakeBrowserWindow.setup(this);
    }
    loadURL(url: string): Promise<void> {
      this.loaded.push(url);
      return Promise.resolve();
    }
    destroy(): void {
      this.destroyed = true;
    }
  }
  return { FakeBrowserWindow, mock: { BrowserWindow: FakeBrowserWindow } };
});

vi.mock('electron', () => electron.mock);

const { exportReportFromDesktop, injectReportModel, printReportWithElectron, reportPageUrl, waitForReadyScript } = await import(
  '../../../electron/main/report-print.ts'
);

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'telltale-report-print-'));
  dirs.push(d);
  return d;
}

/** A PDF of `pages` pages whose outline has `items` (title, 1-based page), as Chromium writes one. */
async function pdfWithOutline(pages: number, items: Array<[string, number]>): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const refs: PDFRef[] = [];
  for (let i = 0; i < pages; i++) refs.push(doc.addPage([595, 842]).ref);
  if (items.length > 0) {
    const ctx = doc.context;
    const root = ctx.nextRef();
    const itemRefs = items.map(() => ctx.nextRef());
    items.forEach(([title, page], i) => {
      const item = ctx.obj({ Title: PDFHexString.fromText(title), Parent: root, Dest: [refs[page - 1], PDFName.of('XYZ'), PDFNull, PDFNull, PDFNull] });
      if (i > 0) item.set(PDFName.of('Prev'), itemRefs[i - 1]);
      if (i < items.length - 1) item.set(PDFName.of('Next'), itemRefs[i + 1]);
      ctx.assign(itemRefs[i], item);
    });
    ctx.assign(root, ctx.obj({ Type: 'Outlines', First: itemRefs[0], Last: itemRefs[itemRefs.length - 1], Count: items.length }));
    doc.catalog.set(PDFName.of('Outlines'), root);
  }
  return doc.save();
}

function model(title = 'Case <17> & "co"'): ReportModel {
  return {
    format: 'telltale-report',
    version: 1,
    generatedAt: '2026-01-02T03:04:05.678Z',
    cover: { title, investigator: null, organisation: null, subject: 's', tool: { name: 'telltale', version: '0.1.0' } },
    manifest: { fileName: MANIFEST_FILE_NAME, sha256: 'f'.repeat(64), bytes: 10 },
    summary: { lead: '', items: [], comparison: [], counts: { findings: 0, destinations: 0, countries: 0, identifiers: 0, inputs: 0 } },
    methodology: { method: [], devices: [], modes: [], databases: [], blindSpots: [] },
    inputs: [],
    timeline: null,
    map: { countries: [], unlocated: 0 },
    comparison: null,
    findings: [],
    appendix: { destinations: [], identifiers: [], accounts: [], anomalies: { total: 0, byLayer: [], rows: [] } },
    redaction: null,
    hasFindings: false,
  };
}

/** A page that reports `state` when asked and lists these TOC headings. */
function respond(state: string, headings: string[]): (code: string) => unknown {
  return (code) => {
    if (code.includes('MutationObserver')) return state;
    if (code === TOC_HEADINGS_SCRIPT) return JSON.stringify(headings);
    return true;
  };
}

beforeEach(() => {
  electron.FakeBrowserWindow.created = [];
  electron.FakeBrowserWindow.setup = () => {};
});

describe('report page URL', () => {
  it('is report.html beside the built index.html, or on the dev server', () => {
    expect(reportPageUrl({ rendererFile: '/opt/telltale/out/renderer/index.html', devServerUrl: null })).toBe(pathToFileURL('/opt/telltale/out/renderer/report.html').href);
    expect(reportPageUrl({ rendererFile: '/x/index.html', devServerUrl: 'http://localhost:5173' })).toBe('http://localhost:5173/report.html');
    expect(reportPageUrl({ rendererFile: '/x/index.html', devServerUrl: 'http://localhost:5173/' })).toBe('http://localhost:5173/report.html');
  });
});

describe('page-side scripts', () => {
  it('injectReportModel sets the global to an equal model and dispatches the data event', async () => {
    const m = model('a "quoted" title with </script> and ünïcode');
    let code = '';
    await injectReportModel({ executeJavaScript: (c: string) => ((code = c), Promise.resolve(true)) } as never, m);
    const events: string[] = [];
    const win: Record<string, unknown> = { dispatchEvent: (e: { type: string }) => events.push(e.type) };
    runInNewContext(code, { window: win, JSON, Event: class { type: string; constructor(t: string) { this.type = t; } } });
    expect(win[REPORT_DATA_GLOBAL]).toEqual(m);
    expect(events).toEqual([REPORT_DATA_EVENT]);
  });

  function fakeDom(initial: string | null, error: string | null = null) {
    const attrs = new Map<string, string>();
    if (initial !== null) attrs.set('data-report-state', initial);
    if (error !== null) attrs.set('data-report-error', error);
    let callback: (() => void) | null = null;
    const ctx = {
      document: { documentElement: { getAttribute: (n: string) => attrs.get(n) ?? null }, fonts: { ready: Promise.resolve() } },
      MutationObserver: class {
        constructor(cb: () => void) {
          callback = cb;
        }
        observe(): void {}
        disconnect(): void {
          callback = null;
        }
      },
      setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
      clearTimeout: (t: ReturnType<typeof setTimeout>) => clearTimeout(t),
      Promise,
    };
    return { ctx, set: (k: string, v: string) => (attrs.set(k, v), callback?.()) };
  }

  it('waitForReadyScript resolves once the page says ready, even if it says so later', async () => {
    const dom = fakeDom(null);
    const p = runInNewContext(waitForReadyScript(5000), dom.ctx) as Promise<string>;
    dom.set('data-report-state', 'ready');
    await expect(p).resolves.toBe('ready');
    await expect(runInNewContext(waitForReadyScript(5000), fakeDom('ready').ctx)).resolves.toBe('ready');
  });

  it('waitForReadyScript reports the page error, and gives up after its bound', async () => {
    await expect(runInNewContext(waitForReadyScript(5000), fakeDom('error', 'bad model').ctx)).resolves.toBe('error: bad model');
    await expect(runInNewContext(waitForReadyScript(10), fakeDom(null).ctx)).resolves.toMatch(/did not signal ready/);
  });
});

describe('outline pages', () => {
  it('reads each outline title with the page its destination is on', async () => {
    const pages = await outlinePages(await pdfWithOutline(4, [['1 Summary', 2], ['2 Methodology', 3], ['2 Methodology', 4]]));
    expect([...pages]).toEqual([['1 Summary', 2], ['2 Methodology', 3]]);
    expect((await outlinePages(await pdfWithOutline(1, []))).size).toBe(0);
  });
});

describe('printReportWithElectron', () => {
  it('prints in a hidden sandboxed window with the report paper, numbers the contents and destroys the window', async () => {
    const first = await pdfWithOutline(5, [['1 Summary of findings', 3], ['A Appendix', 5]]);
    const second = await pdfWithOutline(5, []);
    electron.FakeBrowserWindow.setup = (w) => {
      w.webContents.responder = respond('ready', ['1 Summary of findings', 'A Appendix', 'B Not in the outline']);
      w.webContents.pdfs = [first, second];
    };
    const m = model();
    const pdf = await printReportWithElectron(m, 'file:///app/report.html');
    expect(Buffer.from(pdf).equals(Buffer.from(second))).toBe(true);

    const [win] = electron.FakeBrowserWindow.created;
    expect(win.options).toMatchObject({ show: false, webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false } });
    expect(win.loaded).toEqual(['file:///app/report.html']);
    expect([...win.webContents.listeners.keys()].sort()).toEqual(['will-attach-webview', 'will-navigate']);
    expect(win.destroyed).toBe(true);
    expect(win.webContents.printed).toHaveLength(2);
    const opts = win.webContents.printed[0] as { headerTemplate: string; footerTemplate: string };
    expect(opts).toMatchObject({ pageSize: 'A4', printBackground: true, displayHeaderFooter: true, generateDocumentOutline: true, generateTaggedPDF: true });
    expect(opts.headerTemplate).toContain('Case &#60;17&#62; &#38; &#34;co&#34;');
    expect(opts.footerTemplate).toContain('class="pageNumber"');
    expect(opts.footerTemplate).toContain('class="totalPages"');
    expect(opts.footerTemplate).toContain('f'.repeat(16));
    const setPages = win.webContents.scripts.find((s) => s.includes('data-toc-page') && s.includes('const p ='));
    expect(setPages).toContain(JSON.stringify({ '1 Summary of findings': 3, 'A Appendix': 5 }));
  });

  it('prints once when the first print has no outline to number the contents from', async () => {
    const queued = await pdfWithOutline(2, []);
    electron.FakeBrowserWindow.setup = (w) => {
      w.webContents.responder = respond('ready', ['1 Summary of findings']);
      w.webContents.pdfs = [queued];
    };
    await printReportWithElectron(model(), 'file:///app/report.html');
    const [win] = electron.FakeBrowserWindow.created;
    expect(win.webContents.printed).toHaveLength(1);
    expect(win.destroyed).toBe(true);
  });

  it('fails with the page error and still destroys the window', async () => {
    electron.FakeBrowserWindow.setup = (w) => {
      w.webContents.responder = respond('error: the report data is not a Telltale report model', []);
    };
    await expect(printReportWithElectron(model(), 'file:///app/report.html')).rejects.toThrow(/could not draw the report: the report data is not/);
    const [win] = electron.FakeBrowserWindow.created;
    expect(win.webContents.printed).toHaveLength(0);
    expect(win.destroyed).toBe(true);
  });
});

describe('exportReportFromDesktop', () => {
  it('writes the finished PDF with the manifest attached and logs export.pdf with its hash', async () => {
    const dir = tempDir();
    const casePath = join(dir, 'case.db');
    CaseStore.open(casePath, { create: true, title: 'Desktop case' }).close();
    const printed = await pdfWithOutline(3, []);
    electron.FakeBrowserWindow.setup = (w) => {
      w.webContents.responder = respond('ready', []);
      w.webContents.pdfs = [printed];
    };
    const out = join(dir, 'report.pdf');
    const r = await exportReportFromDesktop({ casePath, outPath: out, options: { investigator: 'I. N. Vestigator' }, reportUrl: 'file:///app/report.html' });

    const bytes = readFileSync(out);
    expect(r.path).toBe(out);
    expect(r.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    const attached = (await pdfAttachments(bytes)).get(MANIFEST_FILE_NAME);
    expect(attached).toBeDefined();
    expect(createHash('sha256').update(attached as Uint8Array).digest('hex')).toBe(r.manifestSha256);
    const manifest = JSON.parse(Buffer.from(attached as Uint8Array).toString('utf8')) as { tool: { printer: string }; report: { title: string; investigator: string } };
    expect(manifest.tool.printer).toMatch(/^Chromium .* \(Electron .*\)$/);
    expect(manifest.report).toMatchObject({ title: 'Desktop case', investigator: 'I. N. Vestigator' });
    const doc = await PDFDocument.load(bytes, { updateMetadata: false });
    expect(doc.getTitle()).toBe('Desktop case');
    expect(doc.getAuthor()).toBe('I. N. Vestigator');

    const store = CaseStore.open(casePath, { readonly: true });
    try {
      const entry = store.custodyLog().find((e) => e.action === 'export.pdf');
      expect(entry?.detail).toMatchObject({ path: out, sha256: r.sha256, manifestSha256: r.manifestSha256 });
      expect(store.verifyCustody().ok).toBe(true);
    } finally {
      store.close();
    }
    expect(electron.FakeBrowserWindow.created[0].destroyed).toBe(true);
  });

  it('refuses to write the report over the case database, before opening any window', async () => {
    const dir = tempDir();
    const casePath = join(dir, 'case.db');
    CaseStore.open(casePath, { create: true }).close();
    await expect(exportReportFromDesktop({ casePath, outPath: casePath, options: {}, reportUrl: 'file:///r.html' })).rejects.toThrow(/refusing/);
    expect(electron.FakeBrowserWindow.created).toHaveLength(0);
  });
});
