/**
 * Writing the evidence report of a case as PDF. The steps every shell shares are
 * here: read the case and build the model, build the manifest and put its hash in the
 * model, finish the printed PDF (manifest attached, metadata set), write it beside the
 * target and rename it into place, and log 'export.pdf' with its SHA-256 in the
 * custody log. Printing itself is the shell's: the system Chromium through
 * playwright-core (chromium.ts, exportReportPdf) for the CLI and the web host,
 * Electron's printToPDF in the desktop app (electron/main/report-print.ts). This
 * module imports neither, so the desktop bundle carries no playwright.
 */
import { createHash } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import type { ReportModel } from '../../../shared/report.ts';
import { checkExportTarget } from '../export/target-guard.ts';
import type { CaseStore } from '../store/case-store.ts';
import { toolString } from '../store/tool-info.ts';
import { buildManifest, withManifest, type ManifestFile } from './manifest.ts';
import { buildReportModel, type ReportOptions } from './model.ts';
import { finishPdf } from './pdf-finish.ts';
import { readReportSource } from './source.ts';

export interface PreparedReport {
  model: ReportModel;
  manifest: ManifestFile;
}

export interface ReportPdfResult {
  /** Absolute path of the written PDF. */
  path: string;
  sha256: string;
  bytes: number;
  manifestSha256: string;
  findings: number;
  /** Milliseconds from reading the case to the renamed file. */
  tookMs: number;
}

/** Model and manifest of a case; `printer` names the browser that will print it (recorded in the manifest). */
export function prepareReport(store: CaseStore, opts: ReportOptions, printer: string | null): PreparedReport {
  const model = buildReportModel(readReportSource(store), opts);
  const manifest = buildManifest(model, printer);
  return { model: withManifest(model, manifest), manifest };
}

/** Keywords for the PDF: what it is, and where the findings went. */
function keywords(model: ReportModel): string[] {
  const masked = new Set(model.findings.filter((f) => f.redacted).map((f) => f.destination.host));
  const hosts = [...new Set(model.summary.items.map((i) => i.destination).filter((h) => !masked.has(h)))].slice(0, 8);
  const countries = model.map.countries.filter((c) => c.findings > 0).map((c) => c.name);
  return ['Telltale', 'evidence report', 'network capture', 'personal data', ...hosts, ...countries];
}

/** Attach the manifest to a printed report and set its document information. */
export function finalizeReportPdf(printed: Uint8Array, prepared: PreparedReport, printer: string): Promise<Uint8Array> {
  const { model, manifest } = prepared;
  const c = model.cover;
  const author = [c.investigator, c.organisation].filter((x): x is string => x !== null).join(', ');
  return finishPdf(printed, {
    manifest: { name: manifest.ref.fileName, bytes: manifest.bytes, description: `Telltale evidence manifest (SHA-256 ${manifest.sha256})` },
    title: c.title,
    subject: c.subject,
    keywords: keywords(model),
    author: author === '' ? null : author,
    creator: toolString(),
    producer: `${toolString()} via ${printer}`,
    date: new Date(model.generatedAt),
  });
}

/** Refuse to write over the case database, its WAL files or an imported original. */
export function checkReportTarget(store: CaseStore, outPath: string): string {
  return checkExportTarget(store, outPath, 'report');
}

/** Write the finished PDF atomically and log 'export.pdf' in the custody log. */
export async function saveReportPdf(store: CaseStore, outPath: string, pdf: Uint8Array, prepared: PreparedReport, startedMs: number): Promise<ReportPdfResult> {
  const target = checkReportTarget(store, outPath);
  const tmp = `${target}.partial-${process.pid}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(pdf);
    await fh.sync();
    await fh.close();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw e;
  }
  await rename(tmp, target);
  const sha256 = createHash('sha256').update(pdf).digest('hex');
  const { model, manifest } = prepared;
  store.appendCustody('export.pdf', {
    path: target,
    sha256,
    bytes: pdf.length,
    manifestSha256: manifest.sha256,
    findings: model.findings.length,
    redaction: model.redaction === null ? null : { devices: model.redaction.devices },
  });
  return { path: target, sha256, bytes: pdf.length, manifestSha256: manifest.sha256, findings: model.findings.length, tookMs: Date.now() - startedMs };
}
