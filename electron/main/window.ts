/**
 * The main window and the rules every web contents lives by: the renderer runs
 * sandboxed and isolated with no Node, cannot navigate away from the app, and cannot
 * open windows. The page shows data from untrusted captures, so a link or a script
 * smuggled into it must lead nowhere.
 */
import { BrowserWindow } from 'electron';
import type { BrowserWindowConstructorOptions, WebContents } from 'electron';

/** The options of every app window; `preloadPath` is the built preload script. */
export function secureWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 800,
    minHeight: 560,
    title: 'Telltale',
    show: false,
    backgroundColor: '#10141a',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      // The spellchecker fetches dictionaries from the network; evidence work stays offline.
      spellcheck: false,
    },
  };
}

/** Block navigation, new windows and <webview> for a web contents. */
export function lockDownWebContents(contents: WebContents): void {
  // In-page (hash) navigation does not emit will-navigate, so the app's own routing still works.
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

export interface MainWindowOptions {
  preloadPath: string;
  /** The app's page: the built renderer's file URL or the dev server URL. */
  entryUrl: string;
}

/** Create, lock down and load the main window; it shows once the first paint is ready. */
export function createMainWindow(opts: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow(secureWindowOptions(opts.preloadPath));
  lockDownWebContents(win.webContents);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(opts.entryUrl);
  return win;
}
