/**
 * `report.export` in the desktop app. The page may suggest a file name, but only the
 * main process's save dialog decides where a file is written: a page showing data
 * from untrusted captures must not be able to write anywhere by itself. Then the
 * report is printed by Electron (report-print.ts) and saved.
 */
import { dialog } from 'electron';
import type { BrowserWindow, SaveDialogOptions } from 'electron';
import { basename, dirname, isAbsolute, join } from 'node:path';
import type { ApiHandlers } from '../../shared/api.ts';
import type { ReportRequest } from '../../shared/report.ts';
import type { ReportOptions } from '../engine/report/model.ts';
import { exportReportFromDesktop } from './report-print.ts';

export interface ReportExportEngine {
  /** Throws 'no-case' when no case is open. */
  reportOptions(p: ReportRequest): { casePath: string; options: ReportOptions; fileName: string };
}

export interface DesktopReportExportOptions {
  engine: ReportExportEngine;
  /** reportPageUrl(location) of the running app. */
  reportUrl: string;
  /** The window the dialog belongs to (null: a free-standing dialog). */
  parent(): BrowserWindow | null;
  /** The printer (tests replace it; the app prints with exportReportFromDesktop). */
  print?: typeof exportReportFromDesktop;
}

/** The save dialog's options: a PDF, proposed in the case's folder unless the suggestion is absolute. */
export function saveDialogOptions(casePath: string, suggestion: string): SaveDialogOptions {
  return {
    title: 'Export evidence report',
    buttonLabel: 'Export',
    defaultPath: isAbsolute(suggestion) ? suggestion : join(dirname(casePath), basename(suggestion)),
    filters: [{ name: 'PDF document', extensions: ['pdf'] }],
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  };
}

/** The desktop's `report.export` handler: save dialog, then Electron prints. */
export function desktopReportExport(opts: DesktopReportExportOptions): ApiHandlers['report.export'] {
  const print = opts.print ?? exportReportFromDesktop;
  return async (p) => {
    const { casePath, options, fileName } = opts.engine.reportOptions(p);
    const dialogOptions = saveDialogOptions(casePath, p.outPath ?? fileName);
    const parent = opts.parent();
    const choice = parent === null ? await dialog.showSaveDialog(dialogOptions) : await dialog.showSaveDialog(parent, dialogOptions);
    if (choice.canceled || choice.filePath === undefined || choice.filePath === '') return { cancelled: true };
    const r = await print({ casePath, outPath: choice.filePath, options, reportUrl: opts.reportUrl });
    return { cancelled: false, ...r, fileName: basename(r.path), downloadUrl: null };
  };
}
