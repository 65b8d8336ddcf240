/**
 * The IPC binding of the Engine API, with Electron mocked: one handler per contract
 * method, params validated before the engine sees them, foreign senders refused, and
 * unimplemented methods saying so.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => {
  type Handler = (event: unknown, params: unknown) => Promise<unknown>;
  const handlers = new Map<string, Handler>();
  const windows: unknown[] = [];
  return {
    handlers,
    windows,
    ipcMain: {
      handle: (channel: string, handler: Handler) => {
        if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
        handlers.set(channel, handler);
      },
      removeHandler: (channel: string) => {
        handlers.delete(channel);
      },
    },
  };
});

vi.mock('electron', () => ({
  ipcMain: electron.ipcMain,
  BrowserWindow: { getAllWindows: () => electron.windows },
}));

import { ApiFailure } from '../../../shared/api.ts';
import type { ApiHandlers, ApiResponse } from '../../../shared/api.ts';
import { appUrlMatcher } from '../../../electron/main/app-url.ts';
import { notImplementedEngine, shellHandlers } from '../../../electron/main/engine-api.ts';
import { bindIpc, windowEmitter } from '../../../electron/main/ipc.ts';

// Written out by hand from the contract, so a method silently dropped from the
// runtime list is caught here.
const CONTRACT_METHODS = [
  'app.version',
  'case.create',
  'case.open',
  'case.info',
  'case.recent',
  'import.start',
  'import.cancel',
  'import.list',
  'overview.get',
  'timeline.get',
  'evidence.query',
  'evidence.get',
  'hosts.list',
  'anomalies.list',
  'destinations.list',
  'identifiers.list',
  'devices.list',
  'accounts.list',
  'entities.links',
  'leaks.list',
  'modes.list',
  'modes.set',
  'modes.remove',
  'compare.get',
  'report.get',
  'report.export',
];

const RENDERER_FILE = '/opt/telltale/out/renderer/index.html';
const APP_URL = 'file:///opt/telltale/out/renderer/index.html';
const isAppUrl = appUrlMatcher({ rendererFile: RENDERER_FILE, devServerUrl: null });

function frameEvent(url: string, parent: unknown = null): unknown {
  return { senderFrame: { url, parent } };
}

const VERSION = { name: 'telltale', version: '0.1.0', electron: '45.4.1', chrome: '150.0.0.0', node: '24.21.0' };

/** A handler map that records every call and answers with the method name. */
function recordingHandlers(): { handlers: ApiHandlers; calls: Array<[string, unknown]> } {
  const calls: Array<[string, unknown]> = [];
  const handlers: Record<string, (params: unknown) => Promise<unknown>> = {};
  for (const method of CONTRACT_METHODS) {
    handlers[method] = (params) => {
      calls.push([method, params]);
      return Promise.resolve({ answeredBy: method });
    };
  }
  return { handlers: handlers as unknown as ApiHandlers, calls };
}

async function call(channel: string, event: unknown, params?: unknown): Promise<ApiResponse<unknown>> {
  const handler = electron.handlers.get(channel);
  if (handler === undefined) throw new Error(`no handler for ${channel}`);
  return (await handler(event, params)) as ApiResponse<unknown>;
}

beforeEach(() => {
  electron.handlers.clear();
  electron.windows.length = 0;
});

describe('bindIpc', () => {
  it('registers exactly one handler per contract method and removes them all on unbind', () => {
    const unbind = bindIpc(recordingHandlers().handlers, isAppUrl);
    expect([...electron.handlers.keys()].sort()).toEqual([...CONTRACT_METHODS].sort());
    unbind();
    expect(electron.handlers.size).toBe(0);
  });

  it('passes valid params from the app page to the handler and wraps the result', async () => {
    const { handlers, calls } = recordingHandlers();
    bindIpc(handlers, isAppUrl);
    expect(await call('case.open', frameEvent(APP_URL), { path: '/cases/phone.telltale' })).toEqual({
      ok: true,
      result: { answeredBy: 'case.open' },
    });
    expect(await call('evidence.query', frameEvent(`${APP_URL}#/evidence`), { kind: 'dns', text: 'analytics', limit: 50 })).toEqual({
      ok: true,
      result: { answeredBy: 'evidence.query' },
    });
    expect(await call('case.info', frameEvent(APP_URL))).toMatchObject({ ok: true });
    expect(calls).toEqual([
      ['case.open', { path: '/cases/phone.telltale' }],
      ['evidence.query', { kind: 'dns', text: 'analytics', limit: 50 }],
      ['case.info', undefined],
    ]);
  });

  const invalid: Array<[string, unknown]> = [
    ['app.version', { extra: true }],
    ['case.open', undefined],
    ['case.open', { path: 42 }],
    ['case.open', { path: 'relative/case.telltale' }],
    ['case.open', { path: '' }],
    ['case.open', { path: '/cases/a\0b' }],
    ['case.open', { path: '/cases/a', extra: 1 }],
    ['import.start', { paths: [] }],
    ['import.start', { paths: ['/ok.pcap', 'not/absolute.pcap'] }],
    ['import.start', { paths: '/one.pcap' }],
    ['import.cancel', {}],
    ['import.cancel', { importId: '' }],
    ['case.info', { input: 1 }],
    ['case.create', { path: 'relative.db' }],
    ['evidence.query', { kind: 'dns', limit: 0 }],
    ['evidence.query', { kind: 'tls', limit: 1_000_000 }],
    ['evidence.query', { kind: 'http', offset: -1 }],
    ['evidence.query', { kind: 'packets' }],
    ['evidence.query', { kind: 'http', from: 'yesterday' }],
    ['evidence.query', { kind: 'http', sort: { by: 'ts', dir: 'sideways' } }],
    ['evidence.get', { kind: 'http', id: 0 }],
    ['timeline.get', { buckets: 0 }],
    ['timeline.get', { bucketMs: -5 }],
    ['hosts.list', { input: 1.5 }],
    ['hosts.list', { sort: 'name' }],
    ['anomalies.list', { search: 7 }],
    ['anomalies.list', 'frame 12'],
    ['modes.set', { mode: 'private', input: 1 }],
    ['modes.set', { mode: 'incognito' }],
    ['report.get', undefined],
    ['report.get', { title: '' }],
    ['report.get', { title: 'line one\nline two' }],
    ['report.get', { homeCountry: 'DEU' }],
    ['report.get', { redactBystanders: true }],
    ['report.get', { redactBystanders: true, devices: [] }],
    ['report.get', { devices: ['10.0.0.5'] }],
    ['report.get', { redactBystanders: true, devices: ['10.0.0.5; rm -rf /'] }],
    ['report.get', { author: 'someone' }],
    ['report.export', { outPath: '' }],
    ['report.export', { outPath: '/tmp/a\0b.pdf' }],
    ['report.export', { redactBystanders: 'yes', devices: ['3c:bd:3e:5a:10:23'] }],
  ];
  it.each(invalid)('rejects invalid params for %s: %j', async (method, params) => {
    const { handlers, calls } = recordingHandlers();
    bindIpc(handlers, isAppUrl);
    const response = await call(method, frameEvent(APP_URL), params);
    expect(response.ok).toBe(false);
    if (!response.ok) expect(response.error.code).toBe('invalid-params');
    expect(calls).toEqual([]);
  });

  const foreign: Array<[string, unknown]> = [
    ['a remote page', frameEvent('https://evil.example/index.html')],
    ['another local file', frameEvent('file:///tmp/index.html')],
    ['a look-alike path', frameEvent('file:///opt/telltale/out/renderer/index.html.evil')],
    ['a file URL with a host', frameEvent('file://attacker/opt/telltale/out/renderer/index.html')],
    ['a sub-frame of the app', frameEvent(APP_URL, { url: APP_URL })],
    ['a destroyed frame', { senderFrame: null }],
    ['a page on the dev server origin', frameEvent('http://localhost:5173/')],
  ];
  it.each(foreign)('refuses %s without calling the engine', async (_label, event) => {
    const { handlers, calls } = recordingHandlers();
    bindIpc(handlers, isAppUrl);
    for (const method of CONTRACT_METHODS) {
      const response = await call(method, event, undefined);
      expect(response.ok).toBe(false);
      if (!response.ok) expect(response.error.code).toBe('forbidden');
    }
    expect(calls).toEqual([]);
  });

  it('trusts the dev server origin only when the app runs from it', async () => {
    const devCheck = appUrlMatcher({ rendererFile: RENDERER_FILE, devServerUrl: 'http://localhost:5173' });
    bindIpc(recordingHandlers().handlers, devCheck);
    expect(await call('app.version', frameEvent('http://localhost:5173/#/timeline'))).toMatchObject({ ok: true });
    expect(await call('app.version', frameEvent('http://localhost:5174/'))).toMatchObject({ ok: false });
    expect(await call('app.version', frameEvent(APP_URL))).toMatchObject({ ok: false });
  });

  it('passes report options through as given', async () => {
    const { handlers, calls } = recordingHandlers();
    bindIpc(handlers, isAppUrl);
    const options = { title: 'Case 2020-17', investigator: 'A. Investigator', organisation: 'DPA', homeCountry: 'de', redactBystanders: true, devices: ['3c:bd:3e:5a:10:23', '192.168.1.20', 'fe80::1'] };
    expect(await call('report.get', frameEvent(`${APP_URL}#/report`), options)).toMatchObject({ ok: true });
    expect(await call('report.export', frameEvent(`${APP_URL}#/report`), { ...options, outPath: 'case-2020-17.pdf' })).toMatchObject({ ok: true });
    expect(await call('report.get', frameEvent(APP_URL), {})).toMatchObject({ ok: true });
    expect(calls).toEqual([
      ['report.get', options],
      ['report.export', { ...options, outPath: 'case-2020-17.pdf' }],
      ['report.get', {}],
    ]);
  });

  it('passes an engine failure code through and reports other errors as failed', async () => {
    const { handlers } = recordingHandlers();
    const engine = {
      ...handlers,
      'case.info': () => Promise.reject(new ApiFailure('no-case', 'open a case first')),
      'import.list': () => Promise.reject(new Error('disk I/O error')),
    } as ApiHandlers;
    bindIpc(engine, isAppUrl);
    expect(await call('case.info', frameEvent(APP_URL))).toEqual({
      ok: false,
      error: { code: 'no-case', message: 'open a case first' },
    });
    expect(await call('import.list', frameEvent(APP_URL))).toEqual({
      ok: false,
      error: { code: 'failed', message: 'disk I/O error' },
    });
  });
});

describe('a shell without an engine', () => {
  it('answers app.version and says every engine method is not implemented', async () => {
    bindIpc(shellHandlers(notImplementedEngine(), () => VERSION), isAppUrl);
    expect(await call('app.version', frameEvent(APP_URL))).toEqual({ ok: true, result: VERSION });
    const validParams: Record<string, unknown> = {
      'case.create': {},
      'case.open': { path: '/cases/a.telltale' },
      'import.start': { paths: ['/captures/a.pcap'] },
      'import.cancel': { importId: 'imp-1' },
      'overview.get': {},
      'timeline.get': { from: '2024-05-01T12:00:00.123456Z', to: 1714565000000, buckets: 60 },
      'evidence.query': { kind: 'http' },
      'evidence.get': { kind: 'flow', id: 3 },
      'hosts.list': {},
      'anomalies.list': {},
      'destinations.list': {},
      'identifiers.list': {},
      'devices.list': {},
      'accounts.list': {},
      'entities.links': { entity: 'device', id: 1 },
      'leaks.list': {},
      'modes.set': { mode: 'incognito', input: 2 },
      'modes.remove': { id: 1 },
      'report.get': {},
      'report.export': { title: 'Case 17' },
    };
    for (const method of CONTRACT_METHODS.filter((m) => m !== 'app.version')) {
      const response = await call(method, frameEvent(APP_URL), validParams[method]);
      expect(response).toEqual({
        ok: false,
        error: { code: 'not-implemented', message: `${method} is not implemented in this build` },
      });
    }
  });
});

describe('windowEmitter', () => {
  function fakeWindow(url: string, destroyed = false) {
    const sent: Array<[string, unknown]> = [];
    return {
      sent,
      isDestroyed: () => destroyed,
      webContents: {
        isDestroyed: () => destroyed,
        getURL: () => url,
        send: (channel: string, payload: unknown) => sent.push([channel, payload]),
      },
    };
  }

  it('sends events only to live windows that show the app', () => {
    const app = fakeWindow(`${APP_URL}#/import`);
    const elsewhere = fakeWindow('https://example.com/');
    const closed = fakeWindow(APP_URL, true);
    electron.windows.push(app, elsewhere, closed);
    const payload = {
      importId: 'imp-1',
      state: 'running' as const,
      files: [],
      fileIndex: 0,
      fileCount: 1,
      bytesRead: 10,
      bytesTotal: 100,
      startedAt: '2024-05-01T12:00:00.000Z',
      finishedAt: null,
      error: null,
      warnings: [],
      analysis: null,
    };
    windowEmitter(isAppUrl)('import.progress', payload);
    expect(app.sent).toEqual([['import.progress', payload]]);
    expect(elsewhere.sent).toEqual([]);
    expect(closed.sent).toEqual([]);
  });
});
