/**
 * The main process wiring, with Electron mocked: sandbox for every renderer, every
 * web contents locked down, CSP and permissions set before the window opens, the whole
 * contract bound to IPC, the application menu set, and the window pointed at the built
 * preload and renderer.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { API_METHODS } from '../../../shared/channels.ts';

const electron = vi.hoisted(() => {
  type Listener = (...args: unknown[]) => unknown;
  const log: string[] = [];
  const appListeners = new Map<string, Listener>();
  const handlers = new Map<string, (event: unknown, params?: unknown) => Promise<unknown>>();
  let headersListener: ((details: unknown, cb: (r: unknown) => void) => void) | null = null;
  let resolveReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });
  class FakeWebContents {
    readonly listeners = new Map<string, Listener>();
    openHandler: ((details: unknown) => unknown) | null = null;
    on(event: string, listener: Listener): this {
      this.listeners.set(event, listener);
      return this;
    }
    setWindowOpenHandler(handler: (details: unknown) => unknown): void {
      this.openHandler = handler;
    }
  }
  class FakeBrowserWindow {
    static created: FakeBrowserWindow[] = [];
    static getAllWindows(): FakeBrowserWindow[] {
      return FakeBrowserWindow.created;
    }
    static getFocusedWindow(): FakeBrowserWindow | null {
      return null;
    }
    readonly options: { webPreferences?: Record<string, unknown> };
    readonly webContents = new FakeWebContents();
    readonly loaded: string[] = [];
    constructor(options: { webPreferences?: Record<string, unknown> }) {
      this.options = options;
      log.push('window');
      FakeBrowserWindow.created.push(this);
    }
    once(): this {
      return this;
    }
    on(): this {
      return this;
    }
    loadURL(url: string): Promise<void> {
      this.loaded.push(url);
      return Promise.resolve();
    }
  }
  const app = {
    isPackaged: true,
    enableSandbox: () => log.push('enableSandbox'),
    on: (event: string, listener: Listener) => {
      appListeners.set(event, listener);
      return app;
    },
    whenReady: () => ready,
    getName: () => 'telltale',
    getVersion: () => '0.1.0',
    getPath: (name: string) => `/tmp/telltale-main-test/${name}`,
    quit: () => log.push('quit'),
    addRecentDocument: (path: string) => log.push(`recent ${path}`),
    exit: (code: number) => log.push(`exit ${code}`),
  };
  const session = {
    defaultSession: {
      webRequest: {
        onHeadersReceived: (listener: typeof headersListener) => {
          log.push('csp');
          headersListener = listener;
        },
      },
      setPermissionRequestHandler: () => log.push('permissions'),
      setPermissionCheckHandler: () => {},
    },
  };
  const ipcMain = {
    handle: (channel: string, handler: (event: unknown, params?: unknown) => Promise<unknown>) => {
      log.push(`handle ${channel}`);
      handlers.set(channel, handler);
    },
    removeHandler: (channel: string) => handlers.delete(channel),
  };
  const menus: unknown[] = [];
  const Menu = {
    buildFromTemplate: (template: unknown) => ({ template }),
    setApplicationMenu: (menu: unknown) => {
      log.push('menu');
      menus.push(menu);
    },
  };
  const dialog = {
    showOpenDialog: () => Promise.resolve({ canceled: true, filePaths: [] }),
    showSaveDialog: () => Promise.resolve({ canceled: true }),
    showErrorBox: (title: string) => log.push(`error ${title}`),
  };
  return {
    log,
    menus,
    appListeners,
    handlers,
    headers: () => headersListener,
    resolveReady,
    ready,
    FakeBrowserWindow,
    FakeWebContents,
    mock: { app, session, ipcMain, BrowserWindow: FakeBrowserWindow, Menu, dialog },
  };
});

vi.mock('electron', () => electron.mock);

const mainFile = fileURLToPath(new URL('../../../electron/main/index.ts', import.meta.url));
const mainDir = dirname(mainFile);

await import('../../../electron/main/index.ts');

describe('main process', () => {
  it('sandboxes all renderers and locks down every web contents before anything is ready', () => {
    expect(electron.log).toEqual(['enableSandbox']);
    const created = electron.appListeners.get('web-contents-created');
    expect(created).toBeTypeOf('function');
    const contents = new electron.FakeWebContents();
    created?.({}, contents);
    expect([...contents.listeners.keys()].sort()).toEqual(['will-attach-webview', 'will-navigate']);
    expect(contents.openHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
  });

  it('listens for files the OS hands over before the app is ready', () => {
    expect(electron.appListeners.get('open-file')).toBeTypeOf('function');
  });

  it('once ready: CSP and permissions first, then the IPC binding, the menu, then the window', async () => {
    electron.resolveReady();
    await electron.ready;
    const order = electron.log.map((entry) => (entry.startsWith('handle ') ? 'handle' : entry));
    expect(order.filter((e, i) => order[i - 1] !== e)).toEqual(['enableSandbox', 'csp', 'permissions', 'handle', 'menu', 'window']);
    const [menu] = electron.menus as Array<{ template: Array<{ label?: string; role?: string }> }>;
    expect(menu?.template.map((m) => m.label ?? m.role)).toContain('&File');
    expect([...electron.handlers.keys()].sort()).toEqual([...API_METHODS].sort());

    const [win] = electron.FakeBrowserWindow.created;
    expect(electron.FakeBrowserWindow.created).toHaveLength(1);
    expect(win?.options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      preload: join(mainDir, '../preload/index.cjs'),
    });
    const rendererUrl = pathToFileURL(join(mainDir, '../renderer/index.html')).href;
    expect(win?.loaded).toEqual([rendererUrl]);

    // The page the window loads is the one page IPC trusts.
    const versionFromApp = await electron.handlers.get('app.version')?.({ senderFrame: { url: rendererUrl, parent: null } });
    expect(versionFromApp).toMatchObject({ ok: true, result: { name: 'telltale', version: '0.1.0' } });
    const versionFromElsewhere = await electron.handlers.get('app.version')?.({
      senderFrame: { url: 'https://example.com/', parent: null },
    });
    expect(versionFromElsewhere).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    // report.export is the desktop's own (dialog and printToPDF), not the engine's: with no case it says so.
    const exported = await electron.handlers.get('report.export')?.({ senderFrame: { url: rendererUrl, parent: null } }, {});
    expect(exported).toMatchObject({ ok: false, error: { code: 'no-case' } });

    // A packaged app runs with the production policy even if the environment names a dev server.
    const answered: Array<{ responseHeaders: Record<string, string[]> }> = [];
    electron.headers()?.({ responseHeaders: {} }, (r) => answered.push(r as (typeof answered)[number]));
    expect(answered[0]?.responseHeaders['Content-Security-Policy']?.[0]).not.toContain('unsafe-inline');
  });
});
