/**
 * The desktop's report.export with Electron mocked: the save dialog decides where the
 * PDF goes (the page's outPath is only a suggestion), a closed dialog writes nothing,
 * and the chosen path, the case and the engine's report options reach the printer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => {
  const state = { answer: { canceled: true, filePath: '' } as { canceled: boolean; filePath?: string }, calls: [] as unknown[][] };
  return {
    state,
    mock: {
      dialog: {
        showSaveDialog: (...args: unknown[]) => {
          state.calls.push(args);
          return Promise.resolve(state.answer);
        },
      },
      BrowserWindow: class {},
    },
  };
});

vi.mock('electron', () => electron.mock);

const { desktopReportExport, saveDialogOptions } = await import('../../../electron/main/report-export.ts');
const { CaseEngine } = await import('../../../electron/engine/api/case-engine.ts');
type DesktopReportRequest = import('../../../electron/main/report-print.ts').DesktopReportRequest;

const dir = mkdtempSync(join(tmpdir(), 'telltale-report-export-'));
const casePath = join(dir, 'phone', 'case.db');
const engine = new CaseEngine({ emit: () => {}, casesDir: dir });
engine.createCase(casePath, 'Case 2020/17: phone');

afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

const REPORT_URL = 'file:///opt/telltale/out/renderer/report.html';
const parentWindow = { id: 'main-window' };

function setup() {
  const printed: DesktopReportRequest[] = [];
  const handler = desktopReportExport({
    engine,
    reportUrl: REPORT_URL,
    parent: () => parentWindow as never,
    print: (req) => {
      printed.push(req);
      return Promise.resolve({ path: req.outPath, sha256: 'a'.repeat(64), bytes: 1234, manifestSha256: 'b'.repeat(64), findings: 3, tookMs: 42 });
    },
  });
  return { handler, printed };
}

beforeEach(() => {
  electron.state.calls.length = 0;
  electron.state.answer = { canceled: true, filePath: '' };
});

describe('desktop report.export', () => {
  it('prints to the path chosen in the save dialog, with the engine report options', async () => {
    const { handler, printed } = setup();
    electron.state.answer = { canceled: false, filePath: '/home/investigator/out/report 17.pdf' };
    const result = await handler({ investigator: 'A. Investigator', homeCountry: 'de', redactBystanders: true, devices: ['3c:bd:3e:5a:10:23'] });
    expect(electron.state.calls).toHaveLength(1);
    const [parent, options] = electron.state.calls[0] ?? [];
    expect(parent).toBe(parentWindow);
    // The suggestion is a plain name made from the case title, in the case's folder.
    expect(options).toMatchObject({ defaultPath: join(dirname(casePath), 'Case-2020-17-phone-report.pdf'), filters: [{ name: 'PDF document', extensions: ['pdf'] }] });
    expect(printed).toEqual([
      {
        casePath,
        outPath: '/home/investigator/out/report 17.pdf',
        reportUrl: REPORT_URL,
        options: { title: null, investigator: 'A. Investigator', organisation: null, homeCountry: 'DE', redactDevices: ['3c:bd:3e:5a:10:23'] },
      },
    ]);
    expect(result).toEqual({
      cancelled: false,
      path: '/home/investigator/out/report 17.pdf',
      fileName: 'report 17.pdf',
      sha256: 'a'.repeat(64),
      bytes: 1234,
      manifestSha256: 'b'.repeat(64),
      findings: 3,
      tookMs: 42,
      downloadUrl: null,
    });
  });

  it('treats the page outPath as a suggestion only', async () => {
    const { handler, printed } = setup();
    electron.state.answer = { canceled: false, filePath: '/chosen/by/user.pdf' };
    await handler({ outPath: '../../etc/evil.pdf' });
    const [, options] = electron.state.calls[0] ?? [];
    // A relative suggestion keeps only its name, in the case's folder.
    expect((options as { defaultPath: string }).defaultPath).toBe(join(dirname(casePath), 'evil.pdf'));
    expect(printed.map((p) => p.outPath)).toEqual(['/chosen/by/user.pdf']);
  });

  it.each([
    [{ canceled: true, filePath: '' }],
    [{ canceled: true, filePath: '/would/have/been.pdf' }],
    [{ canceled: false, filePath: '' }],
    [{ canceled: false }],
  ])('writes nothing when the dialog answers %j', async (answer) => {
    const { handler, printed } = setup();
    electron.state.answer = answer;
    expect(await handler({ title: 'T' })).toEqual({ cancelled: true });
    expect(printed).toEqual([]);
  });

  it('uses an absolute suggestion as the dialog default as is', () => {
    expect(saveDialogOptions(casePath, '/exports/r.pdf').defaultPath).toBe('/exports/r.pdf');
  });

  it('answers no-case without a dialog when no case is open', async () => {
    const empty = new CaseEngine({ emit: () => {}, casesDir: dir });
    try {
      const handler = desktopReportExport({ engine: empty, reportUrl: REPORT_URL, parent: () => null, print: () => Promise.reject(new Error('not reached')) });
      await expect(handler({})).rejects.toMatchObject({ code: 'no-case' });
      expect(electron.state.calls).toEqual([]);
    } finally {
      await empty.close();
    }
  });
});
