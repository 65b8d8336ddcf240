/**
 * Which URLs are the app's own page. IPC handlers refuse any other sender and pushed
 * events go to no other page: a frame that somehow ended up elsewhere must not reach
 * the engine.
 */
import { pathToFileURL } from 'node:url';

export interface AppLocation {
  /** Absolute path of the built renderer's index.html. */
  rendererFile: string;
  /** The Vite dev server URL during `electron-vite dev`, otherwise null. */
  devServerUrl: string | null;
}

/** The URL the main window loads. */
export function appEntryUrl(loc: AppLocation): string {
  return loc.devServerUrl ?? pathToFileURL(loc.rendererFile).href;
}

/** A predicate that accepts the app's own page (any hash or query) and nothing else. */
export function appUrlMatcher(loc: AppLocation): (url: string) => boolean {
  if (loc.devServerUrl !== null) {
    const origin = new URL(loc.devServerUrl).origin;
    return (url) => parse(url)?.origin === origin;
  }
  const expected = pathToFileURL(loc.rendererFile).pathname;
  return (url) => {
    const u = parse(url);
    return u !== null && u.protocol === 'file:' && u.host === '' && u.pathname === expected;
  };
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}
