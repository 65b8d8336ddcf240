/**
 * The only door between the page and the main process. It exposes one named function
 * per API method, each bound to its own channel, so the page can never choose a
 * channel; plus file paths for dropped files and one subscription function per pushed event.
 * Runs sandboxed: it may import 'electron' and bundled shared code, nothing from Node.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { IpcRendererEvent } from 'electron';
import type { ApiEvent, ApiMethod } from '../../shared/api.ts';
import { BRIDGE_EVENT_LISTENERS } from '../../shared/bridge.ts';
import type { TelltaleBridge } from '../../shared/bridge.ts';
import { API_METHODS, BRIDGE_NAMES } from '../../shared/channels.ts';

function methodFunction(method: ApiMethod): (params?: unknown) => Promise<unknown> {
  // The parameter is passed on as is (undefined for methods without params); main validates it.
  return (params?: unknown) => ipcRenderer.invoke(method, params);
}

function eventSubscriber(event: ApiEvent): (listener: (payload: unknown) => void) => () => void {
  return (listener) => {
    // The IpcRendererEvent stays here: handing it to the page would leak ipcRenderer.
    const relay = (_event: IpcRendererEvent, payload: unknown): void => listener(payload);
    ipcRenderer.on(event, relay);
    return () => {
      ipcRenderer.removeListener(event, relay);
    };
  };
}

function buildBridge(): TelltaleBridge<File> {
  const bridge: Record<string, unknown> = {};
  for (const method of API_METHODS) bridge[BRIDGE_NAMES[method]] = methodFunction(method);
  bridge['getPathForFile'] = (file: File): string => webUtils.getPathForFile(file);
  for (const [name, event] of Object.entries(BRIDGE_EVENT_LISTENERS)) bridge[name] = eventSubscriber(event);
  return bridge as unknown as TelltaleBridge<File>;
}

contextBridge.exposeInMainWorld('telltale', buildBridge());
