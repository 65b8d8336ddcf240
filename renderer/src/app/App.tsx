import { Suspense, useEffect, useRef } from 'react';
import type { ApiClient } from '../lib/api-client.ts';
import { CaseProvider, useCase } from '../lib/api-context.tsx';
import { RouterProvider, useRouter } from '../lib/router.tsx';
import { useTheme } from '../lib/theme.ts';
import { useAppVersion } from '../lib/use-app-version.ts';
import { AppHeader } from '../components/app-header.tsx';
import { ErrorBoundary } from '../components/error-boundary.tsx';
import { LoadingState, NoCaseState } from '../components/states.tsx';
import { findRoute } from './routes.tsx';
import { SideNav } from './side-nav.tsx';

export interface AppProps {
  /** Null when the page runs with no shell to talk to. */
  client: ApiClient | null;
}

/** The application frame: header, navigation, and the current view in <main>. */
export function App({ client }: AppProps) {
  return (
    <RouterProvider>
      <CaseProvider client={client}>
        <Shell />
      </CaseProvider>
    </RouterProvider>
  );
}

function Shell() {
  const { client, case: caseState, imports } = useCase();
  const { location, navigate } = useRouter();
  const version = useAppVersion(client);
  const theme = useTheme();
  const importing = imports.some((i) => i.state === 'queued' || i.state === 'running');

  const route = findRoute(location.view);
  useEffect(() => {
    if (route === undefined) navigate('start', {}, { replace: true });
  }, [route, navigate]);

  // After a navigation, focus the new view's heading so keyboard and screen-reader
  // users start at the top of what they asked for (not on the first load).
  const previousView = useRef<string | null>(null);
  useEffect(() => {
    const before = previousView.current;
    previousView.current = location.view;
    // '' is the bare URL before it is redirected to the start view: still the first load.
    if (before === null || before === '' || before === location.view) return;
    const heading = document.querySelector<HTMLElement>('main .view-title');
    heading?.focus({ preventScroll: true });
  }, [location.view]);

  // A file dropped anywhere but the drop zone would make the browser open it in place
  // of the app; refuse such drops (the drop zone handles its own first).
  useEffect(() => {
    const refuse = (event: DragEvent): void => {
      // The drop zone has already taken (and prevented) the events meant for it.
      if (event.defaultPrevented || event.dataTransfer === null || !Array.from(event.dataTransfer.types).includes('Files')) return;
      event.preventDefault();
      if (event.type === 'dragover') event.dataTransfer.dropEffect = 'none';
    };
    window.addEventListener('dragover', refuse);
    window.addEventListener('drop', refuse);
    return () => {
      window.removeEventListener('dragover', refuse);
      window.removeEventListener('drop', refuse);
    };
  }, []);

  const current = route ?? findRoute('start');

  return (
    <div className="app" data-testid="app">
      <a className="skip-link" href="#content" onClick={(e) => {
        // The router owns the hash; move focus without navigating.
        e.preventDefault();
        document.getElementById('content')?.focus();
      }}>
        Skip to content
      </a>
      <AppHeader version={version} caseState={caseState} importing={importing} themeChoice={theme.choice} onThemeChoice={theme.setChoice} />
      <div className="app-body">
        <SideNav current={current?.id ?? 'start'} importing={importing} />
        <main className="app-main" id="content" tabIndex={-1}>
          {client === null ? (
            <div className="state state--error" role="alert" data-testid="state-no-engine">
              <span className="state-icon" aria-hidden="true" />
              <p className="state-title">No engine connection</p>
              <div className="state-body">
                <p>This page was opened without the Telltale desktop app or web host behind it, so there is nothing to show.</p>
              </div>
            </div>
          ) : current === undefined ? null : (
            <ErrorBoundary resetKey={current.id}>
              <Suspense fallback={<LoadingState what="view" />}>
                {current.needsCase && caseState.status === 'none' ? <NoCaseState /> : <current.component />}
              </Suspense>
            </ErrorBoundary>
          )}
        </main>
      </div>
    </div>
  );
}
