// The preload's bridge, present only inside the Electron shell (absent behind the web host).
import type { TelltaleBridge } from '../../shared/bridge.ts';

declare global {
  interface Window {
    readonly telltale?: TelltaleBridge<File>;
  }
}

export {};
