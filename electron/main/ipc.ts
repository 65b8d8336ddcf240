/**
 * Binds the Engine API contract to Electron IPC: one `ipcMain.handle` per method, each
 * refusing senders that are not the app's own page and validating params before any
 * handler runs (both through shared/dispatch). Events go out only to app pages.
 */
import { BrowserWindow, ipcMain } from 'electron';
import type { IpcMainInvokeEvent } from 'electron';
import type { ApiEmit, ApiHandlers, ApiResponse } from '../../shared/api.ts';
import { API_EVENTS, API_METHODS } from '../../shared/channels.ts';
import { dispatch } from '../../shared/dispatch.ts';

export type UrlCheck = (url: string) => boolean;

/** Register a handler for every API method; returns a function that removes them. */
export function bindIpc(handlers: ApiHandlers, isAppUrl: UrlCheck): () => void {
  for (const method of API_METHODS) {
    ipcMain.handle(method, (event: IpcMainInvokeEvent, params: unknown): Promise<ApiResponse<unknown>> => {
      const refusal = refuseSender(event, isAppUrl);
      if (refusal !== null) return Promise.resolve({ ok: false, error: { code: 'forbidden', message: `${method}: ${refusal}` } });
      return dispatch(handlers, method, params);
    });
  }
  return () => {
    for (const method of API_METHODS) ipcMain.removeHandler(method);
  };
}

/** Why a sender is refused, or null when it is the app's own top-level page. */
export function refuseSender(event: Pick<IpcMainInvokeEvent, 'senderFrame'>, isAppUrl: UrlCheck): string | null {
  const frame = event.senderFrame;
  if (frame === null) return 'sender frame is gone';
  if (frame.parent !== null) return 'sender is a sub-frame';
  if (!isAppUrl(frame.url)) return `sender ${JSON.stringify(frame.url)} is not the app`;
  return null;
}

/** An ApiEmit that sends each event to every window currently showing the app. */
export function windowEmitter(isAppUrl: UrlCheck): ApiEmit {
  const known: ReadonlySet<string> = new Set(API_EVENTS);
  return (event, payload) => {
    if (!known.has(event)) return;
    for (const win of BrowserWindow.getAllWindows()) {
      if (win.isDestroyed()) continue;
      const contents = win.webContents;
      if (contents.isDestroyed() || !isAppUrl(contents.getURL())) continue;
      contents.send(event, payload);
    }
  };
}
