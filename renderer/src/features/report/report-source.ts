/**
 * How the report page gets its model and tells the printer it is done. A printing
 * host (playwright in the CLI and web host, a hidden Electron window in the desktop
 * app) sets window[REPORT_DATA_GLOBAL] before the page's scripts run, or sets it later
 * and dispatches REPORT_DATA_EVENT. The page then draws the report, waits for its
 * fonts, and sets REPORT_STATE_ATTRIBUTE on <html>: the printer waits for that
 * attribute instead of a timer.
 */
import {
  REPORT_DATA_EVENT,
  REPORT_DATA_GLOBAL,
  REPORT_ERROR_ATTRIBUTE,
  REPORT_MODEL_FORMAT,
  REPORT_MODEL_VERSION,
  REPORT_STATE_ATTRIBUTE,
} from '../../../../shared/report.ts';
import type { ReportModel } from '../../../../shared/report.ts';

type WithReport = Window & { [REPORT_DATA_GLOBAL]?: unknown };

function check(value: unknown): ReportModel {
  const m = value as Partial<ReportModel> | null;
  if (m === null || typeof m !== 'object' || m.format !== REPORT_MODEL_FORMAT) throw new Error('the report data is not a Telltale report model');
  if (m.version !== REPORT_MODEL_VERSION) throw new Error(`report model version ${String(m.version)} is not supported (expected ${REPORT_MODEL_VERSION})`);
  return m as ReportModel;
}

/** The model a host injected, if any (throws when it is there but malformed). */
export function injectedModel(): ReportModel | null {
  const v = (window as WithReport)[REPORT_DATA_GLOBAL];
  return v === undefined ? null : check(v);
}

/** Resolves with the injected model, now or when a host dispatches REPORT_DATA_EVENT. */
export function waitForModel(): Promise<ReportModel> {
  const now = injectedModel();
  if (now !== null) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    window.addEventListener(
      REPORT_DATA_EVENT,
      () => {
        try {
          const m = injectedModel();
          if (m === null) throw new Error(`${REPORT_DATA_EVENT} was dispatched without ${REPORT_DATA_GLOBAL}`);
          resolve(m);
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      },
      { once: true },
    );
  });
}

/** Tell the printer the page is drawn: after the fonts it uses are loaded. */
export async function signalReady(): Promise<void> {
  await document.fonts.ready;
  document.documentElement.setAttribute(REPORT_STATE_ATTRIBUTE, 'ready');
}

/** Tell the printer the page cannot be drawn, and why. */
export function signalError(e: unknown): void {
  document.documentElement.setAttribute(REPORT_ERROR_ATTRIBUTE, e instanceof Error ? e.message : String(e));
  document.documentElement.setAttribute(REPORT_STATE_ATTRIBUTE, 'error');
}
