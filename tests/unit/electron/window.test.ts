/**
 * Window and session hardening, with Electron mocked: the options handed to
 * BrowserWindow, the navigation and window.open guards, the CSP header and the
 * <meta> policy of the renderer.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => {
  type Listener = (...args: unknown[]) => unknown;
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
    readonly options: Record<string, unknown>;
    readonly webContents = new FakeWebContents();
    // Plain arrays, not vi.fn(): vitest clears mock calls before each test.
    readonly loaded: string[] = [];
    readonly onceEvents: string[] = [];
    once(event: string): this {
      this.onceEvents.push(event);
      return this;
    }
    loadURL(url: string): Promise<void> {
      this.loaded.push(url);
      return Promise.resolve();
    }
    constructor(options: Record<string, unknown>) {
      this.options = options;
      FakeBrowserWindow.created.push(this);
    }
  }
  return { FakeBrowserWindow, FakeWebContents };
});

vi.mock('electron', () => ({ BrowserWindow: electron.FakeBrowserWindow }));

import { contentSecurityPolicy } from '../../../shared/csp.ts';
import { denyPermissions, installCsp } from '../../../electron/main/security.ts';
import { createMainWindow } from '../../../electron/main/window.ts';
import type { Session } from 'electron';

describe('createMainWindow', () => {
  let win: InstanceType<typeof electron.FakeBrowserWindow>;
  beforeAll(() => {
    createMainWindow({ preloadPath: '/opt/telltale/out/preload/index.cjs', entryUrl: 'file:///opt/telltale/out/renderer/index.html' });
    const created = electron.FakeBrowserWindow.created.at(-1);
    if (created === undefined) throw new Error('no BrowserWindow was created');
    win = created;
  });

  it('creates exactly one window with a sandboxed, isolated, Node-free renderer', () => {
    expect(electron.FakeBrowserWindow.created).toHaveLength(1);
    expect(win.options['webPreferences']).toMatchObject({
      preload: '/opt/telltale/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    });
    expect(win.options['show']).toBe(false);
  });

  it('loads the app page', () => {
    expect(win.loaded).toEqual(['file:///opt/telltale/out/renderer/index.html']);
    expect(win.onceEvents).toEqual(['ready-to-show']);
  });

  it('blocks every navigation and webview', () => {
    for (const event of ['will-navigate', 'will-attach-webview']) {
      const listener = win.webContents.listeners.get(event);
      expect(listener, event).toBeTypeOf('function');
      const preventDefault = vi.fn();
      listener?.({ preventDefault, url: 'https://evil.example/' });
      expect(preventDefault, event).toHaveBeenCalledOnce();
    }
  });

  it('denies window.open', () => {
    expect(win.webContents.openHandler?.({ url: 'https://evil.example/', disposition: 'new-window' })).toEqual({ action: 'deny' });
  });
});

describe('session hardening', () => {
  function fakeSession() {
    let headersListener: ((details: unknown, callback: (r: unknown) => void) => void) | null = null;
    let requestHandler: ((wc: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
    let checkHandler: ((...args: unknown[]) => boolean) | null = null;
    const session = {
      webRequest: {
        onHeadersReceived: (listener: typeof headersListener) => {
          headersListener = listener;
        },
      },
      setPermissionRequestHandler: (handler: typeof requestHandler) => {
        requestHandler = handler;
      },
      setPermissionCheckHandler: (handler: typeof checkHandler) => {
        checkHandler = handler;
      },
    };
    return {
      session: session as unknown as Session,
      headers: () => headersListener,
      request: () => requestHandler,
      check: () => checkHandler,
    };
  }

  it('replaces any CSP of a response with the app policy', () => {
    const s = fakeSession();
    installCsp(s.session, 'production');
    const answered: unknown[] = [];
    s.headers()?.(
      { url: 'http://localhost:5173/', responseHeaders: { 'content-security-policy': ["default-src *"], 'Content-Type': ['text/html'] } },
      (r) => answered.push(r),
    );
    expect(answered).toEqual([
      { responseHeaders: { 'Content-Type': ['text/html'], 'Content-Security-Policy': [contentSecurityPolicy('production')] } },
    ]);
  });

  it('denies every permission', () => {
    const s = fakeSession();
    denyPermissions(s.session);
    const granted: boolean[] = [];
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      s.request()?.({}, permission, (g) => granted.push(g));
    }
    expect(granted).toEqual([false, false, false, false, false]);
    expect(s.check()?.(null, 'media', 'file://', {})).toBe(false);
  });
});

describe('content security policy', () => {
  const production = contentSecurityPolicy('production');
  const directives = new Map(production.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));

  it('lets the built renderer load only itself', () => {
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
    expect(production).not.toMatch(/unsafe-|\*|https?:/);
  });

  it('is the policy of the <meta> in renderer/index.html', () => {
    const html = readFileSync(new URL('../../../renderer/index.html', import.meta.url), 'utf8');
    const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(html);
    expect(meta?.[1]).toBe(production);
  });

  it('relaxes only what the Vite dev server needs in development', () => {
    const dev = contentSecurityPolicy('development');
    expect(dev).toContain("script-src 'self' 'unsafe-inline'");
    expect(dev).toContain("default-src 'none'");
    expect(dev).not.toContain('unsafe-eval');
  });
});
