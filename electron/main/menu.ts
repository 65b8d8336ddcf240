/**
 * The application menu: File (Open capture…, Open case…, Export report…, recent
 * cases, Quit), Edit, View and Window. Menu items act on the same CaseEngine the page
 * talks to, and file paths come only from the main process's own dialogs. The menu is
 * rebuilt when a case is opened or created, so the recent list and the items that need
 * a case stay current.
 */
import { app, dialog, Menu } from 'electron';
import type { BrowserWindow, FileFilter, MenuItemConstructorOptions, OpenDialogOptions } from 'electron';
import type { ApiEmit, ApiEventPayload } from '../../shared/api.ts';
import type { CaseInfo, RecentCase } from '../../shared/model.ts';
import type { ImportFile } from '../engine/api/import-queue.ts';
import { isCaseFile } from '../engine/store/case-store.ts';

/** What the menu needs of the engine (CaseEngine has all of it). */
export interface MenuEngine {
  readonly casePath: string | null;
  recentCases(): RecentCase[];
  openCase(path: string): CaseInfo;
  createCase(path: string | null): CaseInfo;
  startImport(files: ImportFile[]): string;
}

export interface AppMenuOptions {
  engine: MenuEngine;
  /** The window the menu acts on (dialogs attach to it, views open in it). */
  window(): BrowserWindow | null;
  /** Development build: the View menu offers reload and developer tools. */
  dev: boolean;
  platform?: NodeJS.Platform;
}

/** Capture files as the dialog offers them; the format is decided by magic bytes, so "All files" is there too. */
export const CAPTURE_FILTERS: FileFilter[] = [
  { name: 'Captures (PCAP, PCAPNG, HAR)', extensions: ['pcap', 'pcapng', 'cap', 'har', 'gz'] },
  { name: 'All files', extensions: ['*'] },
];

export const CASE_FILTERS: FileFilter[] = [
  { name: 'Telltale case', extensions: ['db'] },
  { name: 'All files', extensions: ['*'] },
];

export interface MenuActions {
  /** Pick capture files and import them into the open case (a new case when none is open). */
  openCapture(): Promise<void>;
  /** Pick a case file and open it. */
  openCase(): Promise<void>;
  /** Open a case from the recent list. */
  openRecent(path: string): void;
  /** Show the report view, where the report is previewed and exported. */
  exportReport(): void;
  /** A file the OS handed over (a recent document, a file dropped on the dock icon): a case is opened, anything else imported. */
  openFile(path: string): void;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Show a view of the app in `win` (a hash change: the window never leaves the app's page). */
export function showView(win: BrowserWindow | null, view: string): void {
  if (win === null || win.isDestroyed()) return;
  void win.webContents.executeJavaScript(`window.location.hash = ${JSON.stringify(`#/${view}`)}; true;`).catch(() => undefined);
}

function showOpen(win: BrowserWindow | null, options: OpenDialogOptions): ReturnType<typeof dialog.showOpenDialog> {
  return win === null ? dialog.showOpenDialog(options) : dialog.showOpenDialog(win, options);
}

/** The menu's actions over an engine; each reports a failure in an error box instead of throwing. */
export function menuActions(opts: AppMenuOptions): MenuActions {
  const { engine } = opts;
  const fail = (what: string, e: unknown): void => dialog.showErrorBox(what, message(e));
  const open = (path: string): void => {
    try {
      engine.openCase(path);
      showView(opts.window(), 'overview');
    } catch (e) {
      fail('Could not open the case', e);
    }
  };
  const importFiles = (paths: string[]): void => {
    try {
      if (engine.casePath === null) engine.createCase(null);
      engine.startImport(paths.map((path) => ({ path })));
      showView(opts.window(), 'import');
    } catch (e) {
      fail('Could not import the capture', e);
    }
  };
  return {
    async openCapture() {
      const choice = await showOpen(opts.window(), { title: 'Open capture', buttonLabel: 'Import', properties: ['openFile', 'multiSelections'], filters: CAPTURE_FILTERS });
      if (choice.canceled || choice.filePaths.length === 0) return;
      importFiles(choice.filePaths);
    },
    async openCase() {
      const choice = await showOpen(opts.window(), { title: 'Open case', properties: ['openFile'], filters: CASE_FILTERS });
      if (choice.canceled || choice.filePaths.length === 0) return;
      open(choice.filePaths[0] as string);
    },
    openRecent(path) {
      open(path);
    },
    exportReport() {
      showView(opts.window(), 'report');
    },
    openFile(path) {
      if (isCaseFile(path)) open(path);
      else importFiles([path]);
    },
  };
}

/** A menu label shows `&` only when doubled (Windows and Linux read a single one as a mnemonic). */
function label(text: string, platform: NodeJS.Platform): string {
  return platform === 'darwin' ? text : text.replace(/&/g, '&&');
}

function recentItems(opts: AppMenuOptions, actions: MenuActions, platform: NodeJS.Platform): MenuItemConstructorOptions[] {
  const recent = opts.engine.recentCases();
  if (recent.length === 0) return [{ label: 'No recent cases', enabled: false }];
  return recent.map((r) => ({
    label: label(`${r.title} — ${r.path}`, platform),
    enabled: r.exists,
    click: () => actions.openRecent(r.path),
  }));
}

/** The menu as a template (Menu.buildFromTemplate takes it as is). */
export function menuTemplate(opts: AppMenuOptions, actions: MenuActions = menuActions(opts)): MenuItemConstructorOptions[] {
  const platform = opts.platform ?? process.platform;
  const mac = platform === 'darwin';
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { id: 'open-capture', label: 'Open capture…', accelerator: 'CmdOrCtrl+O', click: () => void actions.openCapture() },
      { id: 'open-case', label: 'Open case…', accelerator: 'CmdOrCtrl+Shift+O', click: () => void actions.openCase() },
      { id: 'recent-cases', label: 'Recent cases', submenu: recentItems(opts, actions, platform) },
      { type: 'separator' },
      { id: 'export-report', label: 'Export report…', accelerator: 'CmdOrCtrl+E', enabled: opts.engine.casePath !== null, click: () => actions.exportReport() },
      ...(mac ? [] : ([{ type: 'separator' }, { id: 'quit', role: 'quit', label: 'Quit' }] as MenuItemConstructorOptions[])),
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      ...(opts.dev ? ([{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as MenuItemConstructorOptions[]) : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
  return [...(mac ? ([{ role: 'appMenu' }] as MenuItemConstructorOptions[]) : []), file, { role: 'editMenu' }, view, { role: 'windowMenu' }];
}

export interface AppMenu {
  actions: MenuActions;
  /** Build the menu again from the engine's current state. */
  refresh(): void;
  /** React to 'case.changed': a case opened or created goes to the OS's recent documents and the menu. */
  caseChanged(event: ApiEventPayload<'case.changed'>): void;
}

/** Set the application menu and return what keeps it current. */
export function installAppMenu(opts: AppMenuOptions): AppMenu {
  const actions = menuActions(opts);
  const refresh = (): void => Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(opts, actions)));
  refresh();
  return {
    actions,
    refresh,
    caseChanged(event) {
      if (event.reason !== 'opened' && event.reason !== 'created') return;
      app.addRecentDocument(event.path);
      refresh();
    },
  };
}

/** An emitter that also hands every 'case.changed' to `onCaseChanged` (the menu), after `emit`. */
export function alsoOnCaseChanged(emit: ApiEmit, onCaseChanged: (event: ApiEventPayload<'case.changed'>) => void): ApiEmit {
  return (event, payload) => {
    emit(event, payload);
    // The event name decides the payload's type; TypeScript does not narrow a generic on it.
    if (event === 'case.changed') onCaseChanged(payload as ApiEventPayload<'case.changed'>);
  };
}
