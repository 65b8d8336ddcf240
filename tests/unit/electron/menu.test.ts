/**
 * The application menu with Electron mocked: the template's items, each item calling
 * the right engine function with what the dialog returned, cancelled dialogs doing
 * nothing, failures shown in an error box, the recent list and the OS's recent
 * documents kept current on 'case.changed', and a development-only reload. One test
 * drives "Open capture…" into a real CaseEngine with a corpus capture.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CaseInfo, RecentCase } from '../../../shared/model.ts';

const electron = vi.hoisted(() => {
  const calls: Array<[string, ...unknown[]]> = [];
  const state = {
    openAnswer: { canceled: true, filePaths: [] as string[] } as { canceled: boolean; filePaths: string[] },
    menus: [] as unknown[],
  };
  return {
    calls,
    state,
    mock: {
      app: { addRecentDocument: (path: string) => calls.push(['addRecentDocument', path]) },
      dialog: {
        showOpenDialog: (...args: unknown[]) => {
          calls.push(['showOpenDialog', ...args]);
          return Promise.resolve(state.openAnswer);
        },
        showErrorBox: (title: string, content: string) => calls.push(['showErrorBox', title, content]),
      },
      Menu: {
        buildFromTemplate: (template: unknown) => ({ template }),
        setApplicationMenu: (menu: unknown) => state.menus.push(menu),
      },
    },
  };
});

vi.mock('electron', () => electron.mock);

const { CAPTURE_FILTERS, CASE_FILTERS, alsoOnCaseChanged, installAppMenu, menuTemplate } = await import('../../../electron/main/menu.ts');
const { CaseEngine } = await import('../../../electron/engine/api/case-engine.ts');
type MenuEngine = import('../../../electron/main/menu.ts').MenuEngine;

const CORPUS = join(import.meta.dirname, '../../fixtures/corpus');
const CAPTURE = 'zeek__tls12-chrome-34-google.pcap';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** An engine that records which of its functions the menu called. */
class RecordingEngine implements MenuEngine {
  casePath: string | null = null;
  recent: RecentCase[] = [];
  readonly calls: Array<[string, ...unknown[]]> = [];
  failOpen: Error | null = null;
  recentCases(): RecentCase[] {
    return this.recent;
  }
  openCase(path: string): CaseInfo {
    this.calls.push(['openCase', path]);
    if (this.failOpen !== null) throw this.failOpen;
    this.casePath = path;
    return { path } as CaseInfo;
  }
  createCase(path: string | null): CaseInfo {
    this.calls.push(['createCase', path]);
    this.casePath = '/cases/new/case.db';
    return { path: this.casePath } as CaseInfo;
  }
  startImport(files: Array<{ path: string }>): string {
    this.calls.push(['startImport', files.map((f) => f.path)]);
    return 'imp-1';
  }
}

/** A window whose page records the scripts run in it (the menu changes the view by hash). */
function fakeWindow() {
  const scripts: string[] = [];
  return {
    scripts,
    win: {
      isDestroyed: () => false,
      webContents: { executeJavaScript: (code: string) => (scripts.push(code), Promise.resolve(true)) },
    },
  };
}

type Item = MenuItemConstructorOptions;

function submenu(item: Item | undefined): Item[] {
  return Array.isArray(item?.submenu) ? item.submenu : [];
}

function fileMenu(template: Item[]): Item[] {
  return submenu(template.find((m) => m.label === '&File'));
}

function byId(template: Item[], id: string): Item {
  const found = fileMenu(template).find((i) => i.id === id);
  if (found === undefined) throw new Error(`no menu item ${id}`);
  return found;
}

async function click(item: Item): Promise<void> {
  (item.click as unknown as () => void)();
  // The dialog's promise and the handler's continuation.
  await new Promise<void>((resolve) => setImmediate(resolve));
}

function setup(opts: { dev?: boolean; platform?: NodeJS.Platform } = {}) {
  const engine = new RecordingEngine();
  const { win, scripts } = fakeWindow();
  const options = { engine, window: () => win as never, dev: opts.dev ?? false, platform: opts.platform ?? 'linux' };
  return { engine, win, scripts, options, template: () => menuTemplate(options) };
}

beforeEach(() => {
  electron.calls.length = 0;
  electron.state.menus.length = 0;
  electron.state.openAnswer = { canceled: true, filePaths: [] };
});

describe('menu template', () => {
  it('has File with the case and capture items, Edit, View and Window', () => {
    const { template } = setup();
    const t = template();
    expect(t.map((m) => m.label ?? m.role)).toEqual(['&File', 'editMenu', '&View', 'windowMenu']);
    expect(fileMenu(t).map((i) => i.id ?? i.type)).toEqual(['open-capture', 'open-case', 'recent-cases', 'separator', 'export-report', 'separator', 'quit']);
    expect(byId(t, 'quit').role).toBe('quit');
    expect(byId(t, 'open-capture').label).toBe('Open capture…');
    expect(byId(t, 'export-report').label).toBe('Export report…');
  });

  it('on macOS puts Quit in the app menu', () => {
    const t = setup({ platform: 'darwin' }).template();
    expect(t[0]?.role).toBe('appMenu');
    expect(fileMenu(t).some((i) => i.role === 'quit')).toBe(false);
  });

  it('offers reload and developer tools only in development', () => {
    const roles = (t: Item[]): unknown[] => submenu(t.find((m) => m.label === '&View')).map((i) => i.role);
    const prod = roles(setup({ dev: false }).template());
    const dev = roles(setup({ dev: true }).template());
    for (const r of ['reload', 'forceReload', 'toggleDevTools']) {
      expect(prod).not.toContain(r);
      expect(dev).toContain(r);
    }
    expect(prod).toContain('zoomIn');
  });

  it('enables Export report… only with an open case', () => {
    const s = setup();
    expect(byId(s.template(), 'export-report').enabled).toBe(false);
    s.engine.casePath = '/cases/a/case.db';
    expect(byId(s.template(), 'export-report').enabled).toBe(true);
  });
});

describe('File menu actions', () => {
  it('Open capture… imports the chosen files into the open case and shows the import', async () => {
    const s = setup();
    s.engine.casePath = '/cases/a/case.db';
    electron.state.openAnswer = { canceled: false, filePaths: ['/captures/phone.pcapng', '/captures/browser.har'] };
    await click(byId(s.template(), 'open-capture'));
    const [, parent, options] = electron.calls.find((c) => c[0] === 'showOpenDialog') ?? [];
    expect(parent).toBe(s.win);
    expect(options).toMatchObject({ properties: ['openFile', 'multiSelections'], filters: CAPTURE_FILTERS });
    expect(CAPTURE_FILTERS[0]?.extensions).toEqual(expect.arrayContaining(['pcap', 'pcapng', 'har', 'gz']));
    expect(s.engine.calls).toEqual([['startImport', ['/captures/phone.pcapng', '/captures/browser.har']]]);
    expect(s.scripts).toEqual(['window.location.hash = "#/import"; true;']);
  });

  it('Open capture… creates a case first when none is open', async () => {
    const s = setup();
    electron.state.openAnswer = { canceled: false, filePaths: ['/captures/phone.pcapng'] };
    await click(byId(s.template(), 'open-capture'));
    expect(s.engine.calls).toEqual([
      ['createCase', null],
      ['startImport', ['/captures/phone.pcapng']],
    ]);
  });

  it('Open case… opens the chosen case file and shows its overview', async () => {
    const s = setup();
    electron.state.openAnswer = { canceled: false, filePaths: ['/cases/b/case.db'] };
    await click(byId(s.template(), 'open-case'));
    const [, , options] = electron.calls.find((c) => c[0] === 'showOpenDialog') ?? [];
    expect(options).toMatchObject({ properties: ['openFile'], filters: CASE_FILTERS });
    expect(CASE_FILTERS[0]?.extensions).toEqual(['db']);
    expect(s.engine.calls).toEqual([['openCase', '/cases/b/case.db']]);
    expect(s.scripts).toEqual(['window.location.hash = "#/overview"; true;']);
  });

  it.each([
    ['open-capture', { canceled: true, filePaths: [] }],
    ['open-case', { canceled: true, filePaths: [] }],
    ['open-capture', { canceled: false, filePaths: [] }],
    ['open-case', { canceled: false, filePaths: [] }],
  ])('%s with a dialog answering %j does nothing', async (id, answer) => {
    const s = setup();
    electron.state.openAnswer = answer;
    await click(byId(s.template(), id));
    expect(electron.calls.map((c) => c[0])).toEqual(['showOpenDialog']);
    expect(s.engine.calls).toEqual([]);
    expect(s.scripts).toEqual([]);
  });

  it('shows an engine failure in an error box instead of throwing', async () => {
    const s = setup();
    s.engine.failOpen = new Error('/cases/x.db is not a Telltale case');
    electron.state.openAnswer = { canceled: false, filePaths: ['/cases/x.db'] };
    await click(byId(s.template(), 'open-case'));
    expect(electron.calls.find((c) => c[0] === 'showErrorBox')).toEqual(['showErrorBox', 'Could not open the case', '/cases/x.db is not a Telltale case']);
    expect(s.scripts).toEqual([]);
  });

  it('Export report… shows the report view, where the report is previewed and exported', async () => {
    const s = setup();
    s.engine.casePath = '/cases/a/case.db';
    await click(byId(s.template(), 'export-report'));
    expect(s.scripts).toEqual(['window.location.hash = "#/report"; true;']);
    expect(s.engine.calls).toEqual([]);
  });

  it('Recent cases lists the engine recent cases and opens the one clicked', async () => {
    const s = setup();
    s.engine.recent = [
      { path: '/cases/a/case.db', title: 'Phone & tablet', openedAt: '2026-01-02T03:04:05.000Z', exists: true },
      { path: '/cases/gone/case.db', title: 'Gone', openedAt: '2026-01-01T03:04:05.000Z', exists: false },
    ];
    const items = submenu(byId(s.template(), 'recent-cases'));
    expect(items.map((i) => [i.label, i.enabled])).toEqual([
      ['Phone && tablet — /cases/a/case.db', true],
      ['Gone — /cases/gone/case.db', false],
    ]);
    await click(items[0] as Item);
    expect(s.engine.calls).toEqual([['openCase', '/cases/a/case.db']]);
  });

  it('Recent cases says so when there are none', () => {
    const items = submenu(byId(setup().template(), 'recent-cases'));
    expect(items).toEqual([{ label: 'No recent cases', enabled: false }]);
  });
});

describe('installAppMenu', () => {
  it('sets the menu and rebuilds it when a case is opened or created, adding it to the OS recent documents', () => {
    const s = setup();
    const menu = installAppMenu(s.options);
    expect(electron.state.menus).toHaveLength(1);
    s.engine.recent = [{ path: '/cases/a/case.db', title: 'A', openedAt: '2026-01-02T03:04:05.000Z', exists: true }];
    s.engine.casePath = '/cases/a/case.db';
    const emitted: unknown[] = [];
    const emit = alsoOnCaseChanged((event, payload) => emitted.push([event, payload]), (e) => menu.caseChanged(e));
    emit('case.changed', { path: '/cases/a/case.db', reason: 'opened' });
    expect(emitted).toEqual([['case.changed', { path: '/cases/a/case.db', reason: 'opened' }]]);
    expect(electron.calls).toContainEqual(['addRecentDocument', '/cases/a/case.db']);
    expect(electron.state.menus).toHaveLength(2);
    const latest = electron.state.menus[1] as { template: Item[] };
    expect(submenu(byId(latest.template, 'recent-cases')).map((i) => i.label)).toEqual(['A — /cases/a/case.db']);
    expect(byId(latest.template, 'export-report').enabled).toBe(true);

    // Imports and labels change the case's data, not which case is open.
    emit('case.changed', { path: '/cases/a/case.db', reason: 'imported' });
    emit('import.progress', { importId: 'imp-1' } as never);
    expect(electron.state.menus).toHaveLength(2);
    expect(electron.calls.filter((c) => c[0] === 'addRecentDocument')).toHaveLength(1);
  });

  it('Open capture… into a real engine: a new case with the capture imported, hashed as the file is', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'telltale-menu-'));
    dirs.push(dir);
    const engine = new CaseEngine({ emit: () => {}, casesDir: dir, recentFile: join(dir, 'recent.json') });
    try {
      const { win, scripts } = fakeWindow();
      const menu = installAppMenu({ engine, window: () => win as never, dev: false, platform: 'linux' });
      electron.state.openAnswer = { canceled: false, filePaths: [join(CORPUS, CAPTURE)] };
      await menu.actions.openCapture();
      await engine.importsIdle();
      const info = engine.caseInfo();
      const expected = createHash('sha256').update(readFileSync(join(CORPUS, CAPTURE))).digest('hex');
      expect(info.inputs.map((i) => [i.fileName, i.status, i.sha256])).toEqual([[CAPTURE, 'done', expected]]);
      expect(info.path.startsWith(dir)).toBe(true);
      expect(engine.recentCases().map((r) => r.path)).toEqual([info.path]);
      expect(scripts).toEqual(['window.location.hash = "#/import"; true;']);
    } finally {
      await engine.close();
    }
  });
});
