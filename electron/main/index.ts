/**
 * Electron main process: app lifecycle, the one window, session hardening, the menu and the IPC
 * binding of the Engine API. It stays thin; the work happens in the engine.
 */
import { app, BrowserWindow, session } from 'electron';
import { join } from 'node:path';
import { appEntryUrl, appUrlMatcher } from './app-url.ts';
import type { AppLocation } from './app-url.ts';
import { desktopEngine, shellHandlers } from './engine-api.ts';
import { bindIpc, windowEmitter } from './ipc.ts';
import { alsoOnCaseChanged, installAppMenu } from './menu.ts';
import type { AppMenu } from './menu.ts';
import { desktopReportExport } from './report-export.ts';
import { reportPageUrl } from './report-print.ts';
import { denyPermissions, installCsp } from './security.ts';
import { createMainWindow, lockDownWebContents } from './window.ts';

// Applies to every renderer, including windows a later feature might add.
app.enableSandbox();

// electron-vite sets the dev server URL; a packaged app never trusts the environment for it.
const devServerUrl = !app.isPackaged ? (process.env['ELECTRON_RENDERER_URL'] ?? null) : null;
const location: AppLocation = {
  rendererFile: join(import.meta.dirname, '../renderer/index.html'),
  devServerUrl,
};
const preloadPath = join(import.meta.dirname, '../preload/index.cjs');
const isAppUrl = appUrlMatcher(location);

app.on('web-contents-created', (_event, contents) => lockDownWebContents(contents));

// macOS hands over recent documents and files dropped on the dock icon, possibly before
// the app is ready: they wait for the menu's actions.
let menu: AppMenu | null = null;
const filesBeforeReady: string[] = [];
app.on('open-file', (event, path) => {
  event.preventDefault();
  if (menu === null) filesBeforeReady.push(path);
  else menu.actions.openFile(path);
});

let mainWindow: BrowserWindow | null = null;

function openWindow(): void {
  const win = createMainWindow({ preloadPath, entryUrl: appEntryUrl(location) });
  mainWindow = win;
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
}

/** The window menus and dialogs act on: the focused one, else the main one. */
function currentWindow(): BrowserWindow | null {
  return BrowserWindow.getFocusedWindow() ?? mainWindow;
}

app
  .whenReady()
  .then(() => {
    installCsp(session.defaultSession, devServerUrl !== null ? 'development' : 'production');
    denyPermissions(session.defaultSession);
    const engine = desktopEngine({
      emit: alsoOnCaseChanged(windowEmitter(isAppUrl), (event) => menu?.caseChanged(event)),
      userData: app.getPath('userData'),
      casesDir: join(app.getPath('documents'), 'Telltale'),
    });
    app.on('will-quit', () => {
      void engine.close();
    });
    bindIpc(
      shellHandlers(engine.api(), () => ({
        name: app.getName(),
        version: app.getVersion(),
        electron: process.versions.electron,
        chrome: process.versions.chrome,
        node: process.versions.node,
      }), desktopReportExport({ engine, reportUrl: reportPageUrl(location), parent: currentWindow })),
      isAppUrl,
    );
    menu = installAppMenu({ engine, window: currentWindow, dev: !app.isPackaged });
    openWindow();
    for (const path of filesBeforeReady.splice(0)) menu.actions.openFile(path);
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) openWindow();
    });
  })
  .catch((err: unknown) => {
    console.error('telltale: failed to start', err);
    app.exit(1);
  });

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
