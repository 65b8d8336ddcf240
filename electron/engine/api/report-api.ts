/**
 * The report methods of the Engine API on the engine's side: report.get builds the
 * model the in-app preview draws; report.export is printed by each shell (Electron's
 * printToPDF, or a system Chromium), which takes its options and file name from here.
 */
import type { ReportModel, ReportRequest } from '../../../shared/report.ts';
import { prepareReport } from '../report/export-report.ts';
import type { ReportOptions } from '../report/model.ts';
import type { CaseStore } from '../store/case-store.ts';

/** Report options from the API's params (the same meaning as the CLI's report flags). */
export function reportOptionsOf(p: ReportRequest): ReportOptions {
  const devices = p.devices ?? [];
  return {
    title: p.title ?? null,
    investigator: p.investigator ?? null,
    organisation: p.organisation ?? null,
    homeCountry: p.homeCountry?.toUpperCase() ?? null,
    redactDevices: p.redactBystanders === true && devices.length > 0 ? devices : null,
  };
}

/**
 * The report model as a preview. Its manifest is built without a printer, so its hash
 * differs from the printed PDF's, whose manifest names the browser that printed it.
 */
export function reportPreview(store: CaseStore, p: ReportRequest): ReportModel {
  return prepareReport(store, reportOptionsOf(p), null).model;
}

const MAX_STEM = 60;

/** A file name for a report of `title`: "<title>-report.pdf" in plain characters, "evidence-report.pdf" without one. */
export function reportFileName(title: string | null | undefined): string {
  const stem = (title ?? '')
    .normalize('NFKD')
    // Accents come apart from their letters under NFKD; dropping them keeps "Ü" as "U".
    .replace(/\p{M}+/gu, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, MAX_STEM)
    .replace(/[-.]+$/, '');
  return stem === '' ? 'evidence-report.pdf' : `${stem}-report.pdf`;
}
