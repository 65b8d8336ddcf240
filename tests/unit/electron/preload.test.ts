/**
 * The preload bridge, with Electron mocked: it exposes named functions only, each
 * bound to its own channel, and never hands the page an IPC object.
 */
import { describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => {
  const exposed: Array<[string, unknown]> = [];
  const listeners: Array<[string, (...args: unknown[]) => void]> = [];
  return {
    exposed,
    listeners,
    contextBridge: {
      exposeInMainWorld: (key: string, api: unknown) => {
        exposed.push([key, api]);
      },
    },
    ipcRenderer: {
      invoke: vi.fn((channel: string, params: unknown) => Promise.resolve({ ok: true, result: { channel, params } })),
      on: vi.fn((channel: string, listener: (...args: unknown[]) => void) => {
        listeners.push([channel, listener]);
      }),
      removeListener: vi.fn((channel: string, listener: (...args: unknown[]) => void) => {
        const i = listeners.findIndex(([c, l]) => c === channel && l === listener);
        if (i >= 0) listeners.splice(i, 1);
      }),
    },
    webUtils: { getPathForFile: vi.fn(() => '/home/investigator/capture.pcapng') },
  };
});

vi.mock('electron', () => ({
  contextBridge: electron.contextBridge,
  ipcRenderer: electron.ipcRenderer,
  webUtils: electron.webUtils,
}));

await import('../../../electron/preload/index.ts');

// Function name → channel, written out by hand: the preload must match this, not
// merely agree with itself.
const EXPECTED_METHODS: Record<string, string> = {
  appVersion: 'app.version',
  createCase: 'case.create',
  openCase: 'case.open',
  caseInfo: 'case.info',
  recentCases: 'case.recent',
  startImport: 'import.start',
  cancelImport: 'import.cancel',
  listImports: 'import.list',
  getOverview: 'overview.get',
  getTimeline: 'timeline.get',
  queryEvidence: 'evidence.query',
  getEvidence: 'evidence.get',
  listHosts: 'hosts.list',
  listAnomalies: 'anomalies.list',
  listDestinations: 'destinations.list',
  listIdentifiers: 'identifiers.list',
  listDevices: 'devices.list',
  listAccounts: 'accounts.list',
  listEntityLinks: 'entities.links',
  listLeaks: 'leaks.list',
  listModes: 'modes.list',
  setMode: 'modes.set',
  removeMode: 'modes.remove',
  getComparison: 'compare.get',
  getReport: 'report.get',
  exportReport: 'report.export',
};

function bridge(): Record<string, unknown> {
  expect(electron.exposed).toHaveLength(1);
  const [key, api] = electron.exposed[0] ?? [];
  expect(key).toBe('telltale');
  return api as Record<string, unknown>;
}

describe('preload bridge', () => {
  it('exposes exactly the named functions and nothing generic', () => {
    const api = bridge();
    expect(Object.keys(api).sort()).toEqual([...Object.keys(EXPECTED_METHODS), 'getPathForFile', 'onImportProgress', 'onCaseChanged'].sort());
    for (const [name, value] of Object.entries(api)) expect(typeof value, name).toBe('function');
    for (const generic of ['invoke', 'send', 'on', 'sendSync', 'ipcRenderer', 'call']) expect(api).not.toHaveProperty(generic);
  });

  it.each(Object.entries(EXPECTED_METHODS))('%s invokes %s with the given params', async (name, channel) => {
    const fn = bridge()[name] as (params?: unknown) => Promise<unknown>;
    const params = name === 'openCase' ? { path: '/cases/a.telltale' } : undefined;
    electron.ipcRenderer.invoke.mockClear();
    await expect(fn(params)).resolves.toEqual({ ok: true, result: { channel, params } });
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledTimes(1);
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith(channel, params);
  });

  it('ignores extra arguments instead of forwarding them', async () => {
    const queryEvidence = bridge()['queryEvidence'] as (...args: unknown[]) => Promise<unknown>;
    electron.ipcRenderer.invoke.mockClear();
    await queryEvidence({ kind: 'dns', limit: 5 }, 'evidence.get', { sneaky: true });
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith('evidence.query', { kind: 'dns', limit: 5 });
  });

  it('getPathForFile delegates to webUtils', () => {
    const file = { name: 'capture.pcapng' };
    const getPathForFile = bridge()['getPathForFile'] as (f: unknown) => string;
    expect(getPathForFile(file)).toBe('/home/investigator/capture.pcapng');
    expect(electron.webUtils.getPathForFile).toHaveBeenCalledWith(file);
  });

  it('onImportProgress relays only the payload and unsubscribes its own listener', () => {
    const onImportProgress = bridge()['onImportProgress'] as (cb: (p: unknown) => void) => () => void;
    const received: unknown[][] = [];
    const unsubscribe = onImportProgress((...args) => received.push(args));
    expect(electron.listeners.map(([channel]) => channel)).toEqual(['import.progress']);
    const [, relay] = electron.listeners[0] ?? [];
    const ipcEvent = { sender: { invoke: () => 'leaked' } };
    relay?.(ipcEvent, { importId: 'imp-1', state: 'running' });
    expect(received).toEqual([[{ importId: 'imp-1', state: 'running' }]]);
    unsubscribe();
    expect(electron.listeners).toEqual([]);
  });
});
