import type { ApiClient } from '../lib/api-client.ts';
import { useAppVersion } from '../lib/use-app-version.ts';
import { AppHeader } from '../components/app-header.tsx';
import { DropZone } from '../features/import/drop-zone.tsx';

export interface AppProps {
  /** Null when the page runs with no shell to talk to. */
  client: ApiClient | null;
}

/** The application frame; feature views mount inside <main>. */
export function App({ client }: AppProps) {
  const version = useAppVersion(client);
  return (
    <div className="app">
      <AppHeader version={version} />
      <main className="app-main">
        <DropZone client={client} />
      </main>
    </div>
  );
}
