import { useEffect, useState } from 'react';
import type { AppVersionInfo } from '../../../shared/model.ts';
import type { ApiClient } from './api-client.ts';

export type AppVersionState =
  | { status: 'loading' }
  | { status: 'ready'; info: AppVersionInfo }
  | { status: 'unavailable'; reason: string };

/** The shell's version info, fetched once per client. */
export function useAppVersion(client: ApiClient | null): AppVersionState {
  const [state, setState] = useState<AppVersionState>(
    client === null ? { status: 'unavailable', reason: 'no engine connection' } : { status: 'loading' },
  );
  useEffect(() => {
    if (client === null) return;
    let live = true;
    client.call('app.version').then(
      (info) => {
        if (live) setState({ status: 'ready', info });
      },
      (err: unknown) => {
        if (live) setState({ status: 'unavailable', reason: err instanceof Error ? err.message : String(err) });
      },
    );
    return () => {
      live = false;
    };
  }, [client]);
  return state;
}
