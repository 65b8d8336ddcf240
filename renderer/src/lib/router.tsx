/**
 * A hash router: the location is `#/<view>?<params>`. Hash URLs work the same under
 * Electron's file:// page and behind the web host (which serves one index.html), and
 * a reload or a copied link lands on the same view with the same filters.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';

export type RouteParams = Record<string, string | number | undefined | null>;

export interface Location {
  /** First path segment, '' for the root. */
  view: string;
  params: URLSearchParams;
}

export interface Router {
  location: Location;
  /** Go to a view; `replace` keeps the history entry (for filter changes). */
  navigate(view: string, params?: RouteParams, options?: { replace?: boolean }): void;
  /** Change some params of the current view, keeping the others. */
  setParams(params: RouteParams, options?: { replace?: boolean }): void;
}

/** `#/view?a=1` for a view and its params; empty and nullish params are left out. */
export function hrefFor(view: string, params: RouteParams = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(key, String(value));
  }
  const query = search.toString();
  return `#/${view}${query === '' ? '' : `?${query}`}`;
}

function parseHash(hash: string): Location {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  const path = raw.startsWith('/') ? raw.slice(1) : raw;
  const q = path.indexOf('?');
  const view = (q < 0 ? path : path.slice(0, q)).split('/')[0] ?? '';
  return { view: decodeURIComponent(view), params: new URLSearchParams(q < 0 ? '' : path.slice(q + 1)) };
}

const RouterContext = createContext<Router | null>(null);

export function RouterProvider({ children }: { children: ReactNode }) {
  const [hash, setHash] = useState(() => window.location.hash);

  useEffect(() => {
    const onChange = (): void => setHash(window.location.hash);
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);

  const go = useCallback((href: string, replace: boolean) => {
    if (href === window.location.hash) return;
    if (replace) {
      window.history.replaceState(null, '', href);
      // replaceState fires no hashchange.
      setHash(href);
    } else {
      window.location.hash = href;
    }
  }, []);

  const location = useMemo(() => parseHash(hash), [hash]);

  const router = useMemo<Router>(
    () => ({
      location,
      navigate(view, params, options) {
        go(hrefFor(view, params), options?.replace === true);
      },
      setParams(params, options) {
        // Read the location at call time: a late call (a debounced search) from a view
        // the user has just left must not drag them back to it, and two calls in one
        // tick must not undo each other.
        const current = parseHash(window.location.hash);
        if (current.view !== location.view) return;
        const merged: RouteParams = Object.fromEntries(current.params.entries());
        Object.assign(merged, params);
        go(hrefFor(current.view, merged), options?.replace === true);
      },
    }),
    [go, location],
  );

  return <RouterContext.Provider value={router}>{children}</RouterContext.Provider>;
}

/** The current location and the ways to change it. */
export function useRouter(): Router {
  const router = useContext(RouterContext);
  if (router === null) throw new Error('useRouter outside <RouterProvider>');
  return router;
}

/** Open one evidence row in the Evidence view: what timeline, map and findings link to. */
export function evidenceHref(kind: string, id: number, filters: RouteParams = {}): string {
  return hrefFor('evidence', { ...filters, kind, id });
}
