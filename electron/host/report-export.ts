/**
 * The evidence report in the web host. `report.export` prints with the system
 * Chromium (engine/report/chromium.ts) into the case's reports folder, under a name
 * that never replaces a file (-1, -2 …), and answers a download URL; the browser
 * chooses no path on this machine. `GET /api/download/<name>?token=…` serves those
 * files, and nothing else, as attachments.
 */
import { mkdirSync, realpathSync, statSync, createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join, sep } from 'node:path';
import type { ApiHandlers } from '../../shared/api.ts';
import type { ReportExportSaved, ReportRequest } from '../../shared/report.ts';
import { exportReportPdf } from '../engine/report/chromium.ts';
import type { ReportOptions } from '../engine/report/model.ts';
import { CaseStore } from '../engine/store/case-store.ts';
import { createUnique, sanitizeFileName } from './upload.ts';

/** The URL prefix of report downloads. */
export const DOWNLOAD_PREFIX = '/api/download/';

export interface HostReportEngine {
  reportOptions(p: ReportRequest): { casePath: string; options: ReportOptions; fileName: string };
  reportsDir(): string;
}

export interface HostReportExportOptions {
  engine: HostReportEngine;
  /** The server's token, put into download URLs (a link cannot send headers). */
  token: string;
  /** Folder with the built report page (default: the engine's reportBundleDir()). */
  bundleDir?: string;
  /** Browser executable (default: findChromium()). */
  executablePath?: string;
}

/** A report's file name: sanitised like an upload, ending in .pdf. */
export function reportTargetName(suggestion: string): string {
  const name = sanitizeFileName(suggestion);
  return name.toLowerCase().endsWith('.pdf') ? name : sanitizeFileName(`${name}.pdf`);
}

/** The download URL of a file in the reports folder. */
export function downloadUrl(fileName: string, token: string): string {
  return `${DOWNLOAD_PREFIX}${encodeURIComponent(fileName)}?token=${encodeURIComponent(token)}`;
}

/** The web host's `report.export` handler; exports run one at a time (each starts a browser). */
export function hostReportExport(opts: HostReportExportOptions): ApiHandlers['report.export'] {
  let queue: Promise<unknown> = Promise.resolve();
  async function exportOne(p: Parameters<ApiHandlers['report.export']>[0]): Promise<ReportExportSaved> {
    const { casePath, options, fileName } = opts.engine.reportOptions(p);
    const dir = opts.engine.reportsDir();
    mkdirSync(dir, { recursive: true });
    // The empty file holds the name while Chromium prints; the PDF is renamed over it.
    const reserved = await createUnique(dir, reportTargetName(p.outPath ?? fileName));
    await reserved.handle.close();
    const store = CaseStore.open(casePath);
    try {
      const r = await exportReportPdf(store, reserved.path, { ...options, bundleDir: opts.bundleDir, executablePath: opts.executablePath });
      return { cancelled: false, ...r, fileName: reserved.storedName, downloadUrl: downloadUrl(reserved.storedName, opts.token) };
    } catch (e) {
      await rm(reserved.path, { force: true });
      throw e;
    } finally {
      store.close();
    }
  }
  return (p) => {
    const run = queue.then(() => exportOne(p));
    queue = run.catch(() => undefined);
    return run;
  };
}

/** `filename` and `filename*` of a Content-Disposition: an ASCII stand-in and the exact UTF-8 name. */
export function attachmentDisposition(name: string): string {
  let ascii = '';
  for (const ch of name) ascii += ch.charCodeAt(0) >= 0x20 && ch.charCodeAt(0) < 0x7f && ch !== '"' && ch !== '\\' ? ch : '_';
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * The report file `rawName` (still percent-encoded, as it came in the URL) names in
 * `dir`, or null: only a plain name as this host writes them, ending in .pdf, a
 * regular non-empty file whose real path is inside the folder.
 */
export function reportFileIn(dir: string, rawName: string): { path: string; name: string; size: number } | null {
  let name: string;
  try {
    name = decodeURIComponent(rawName);
  } catch {
    return null;
  }
  if (name === '' || name.includes('/') || name.includes('\\') || name.includes('\0') || name.startsWith('.')) return null;
  if (!name.toLowerCase().endsWith('.pdf') || sanitizeFileName(name) !== name) return null;
  let root: string;
  let real: string;
  try {
    root = realpathSync(dir);
    real = realpathSync(join(dir, name));
  } catch {
    return null;
  }
  if (!real.startsWith(root + sep)) return null;
  const st = statSync(real, { throwIfNoEntry: false });
  // An empty file is a name reserved by an export still printing.
  if (st === undefined || !st.isFile() || st.size === 0) return null;
  return { path: real, name, size: st.size };
}

/** Send a report file as an attachment. */
export function sendReportFile(res: ServerResponse, file: { path: string; name: string; size: number }, headOnly: boolean): void {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/pdf');
  res.setHeader('Content-Length', file.size);
  res.setHeader('Content-Disposition', attachmentDisposition(file.name));
  res.setHeader('Cache-Control', 'no-store');
  if (headOnly) {
    res.end();
    return;
  }
  const stream = createReadStream(file.path);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
