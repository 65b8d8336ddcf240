/**
 * The shape of `window.telltale` in the Electron renderer, derived from the contract:
 * one named function per method (no generic invoke), plus the two things only the
 * desktop shell can do for a page.
 */
import type { ApiEvent, ApiEventPayload, ApiMethod, ApiParams, ApiResponse, ApiResult } from './api.ts';
import type { BridgeName } from './channels.ts';

/** A method without params takes no argument. */
export type BridgeFunction<M extends ApiMethod> = [ApiParams<M>] extends [void]
  ? () => Promise<ApiResponse<ApiResult<M>>>
  : (params: ApiParams<M>) => Promise<ApiResponse<ApiResult<M>>>;

export type BridgeMethods = {
  [M in ApiMethod as BridgeName<M>]: BridgeFunction<M>;
};

/** Unsubscribes the listener it was returned for. */
export type Unsubscribe = () => void;

/**
 * `FileT` is the DOM's File in the renderer; shared code stays free of DOM types, so the
 * renderer and the preload each say which File they mean.
 */
export interface BridgeExtras<FileT> {
  /** Absolute path of a dropped or picked file (Electron's webUtils.getPathForFile); '' when it has none. */
  getPathForFile(file: FileT): string;
  onImportProgress(listener: (event: ApiEventPayload<'import.progress'>) => void): Unsubscribe;
  onCaseChanged(listener: (event: ApiEventPayload<'case.changed'>) => void): Unsubscribe;
}

export type TelltaleBridge<FileT> = BridgeMethods & BridgeExtras<FileT>;

/** The event each `on…` function of the bridge listens to. */
export const BRIDGE_EVENT_LISTENERS = {
  onImportProgress: 'import.progress',
  onCaseChanged: 'case.changed',
} as const satisfies Record<string, ApiEvent>;
