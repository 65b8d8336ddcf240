import type { AppVersionState } from '../lib/use-app-version.ts';

export interface AppHeaderProps {
  version: AppVersionState;
}

function versionText(version: AppVersionState): string {
  switch (version.status) {
    case 'loading':
      return '…';
    case 'ready':
      return `v${version.info.version}`;
    case 'unavailable':
      return 'version unavailable';
  }
}

/** Top bar: the app name and the running version. */
export function AppHeader({ version }: AppHeaderProps) {
  return (
    <header className="app-header">
      <h1 className="app-title">Telltale</h1>
      <span
        className="app-version"
        data-testid="app-version"
        title={version.status === 'unavailable' ? version.reason : undefined}
      >
        {versionText(version)}
      </span>
    </header>
  );
}
