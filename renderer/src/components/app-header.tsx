import type { CaseState } from '../lib/api-context.tsx';
import { plural } from '../lib/format.ts';
import type { ThemeChoice } from '../lib/theme.ts';
import type { AppVersionState } from '../lib/use-app-version.ts';
import { hrefFor } from '../lib/router.tsx';

export interface AppHeaderProps {
  version: AppVersionState;
  caseState: CaseState;
  importing: boolean;
  themeChoice: ThemeChoice;
  onThemeChoice(choice: ThemeChoice): void;
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

const THEME_NEXT: Record<ThemeChoice, ThemeChoice> = { system: 'light', light: 'dark', dark: 'system' };
const THEME_LABEL: Record<ThemeChoice, string> = { system: 'Theme: system', light: 'Theme: light', dark: 'Theme: dark' };

function CaseLine({ caseState, importing }: { caseState: CaseState; importing: boolean }) {
  switch (caseState.status) {
    case 'loading':
      return <span className="app-case muted">Opening case…</span>;
    case 'none':
      return <span className="app-case muted" data-testid="case-title">No case open</span>;
    case 'error':
      return (
        <span className="app-case app-case--error" title={caseState.error.message}>
          Case unavailable
        </span>
      );
    case 'ready': {
      const { info } = caseState;
      return (
        <span className="app-case">
          <span className="app-case-title" data-testid="case-title" title={info.path}>
            {info.title}
          </span>
          <a className="app-case-inputs num" href={hrefFor('overview')} data-testid="case-inputs">
            {plural(info.inputs.length, 'input')}
          </a>
          {(importing || info.importing) && (
            <a className="badge badge--active" href={hrefFor('import')} data-testid="case-importing">
              importing…
            </a>
          )}
        </span>
      );
    }
  }
}

/** Top bar: the app, the open case and its inputs, the theme switch, the version. */
export function AppHeader({ version, caseState, importing, themeChoice, onThemeChoice }: AppHeaderProps) {
  return (
    <header className="app-header">
      <h1 className="app-title">
        <span className="app-logo" aria-hidden="true" />
        Telltale
      </h1>
      <CaseLine caseState={caseState} importing={importing} />
      <div className="app-header-end">
        <button
          type="button"
          className="button button--quiet button--small"
          data-testid="theme-toggle"
          data-theme-choice={themeChoice}
          onClick={() => onThemeChoice(THEME_NEXT[themeChoice])}
          title="Switch between system, light and dark themes"
        >
          {THEME_LABEL[themeChoice]}
        </button>
        <span className="app-version" data-testid="app-version" title={version.status === 'unavailable' ? version.reason : undefined}>
          {versionText(version)}
        </span>
      </div>
    </header>
  );
}
