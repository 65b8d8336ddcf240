/**
 * The designed states every view shows instead of a blank area: loading, empty, not
 * available in this build, no case open, and failed (with the engine's words and a
 * retry). A view picks one with `<QueryBoundary>` or uses them directly.
 */
import type { ReactNode } from 'react';
import { ApiCallError } from '../lib/api-client.ts';
import { hrefFor } from '../lib/router.tsx';
import type { QueryResult } from '../lib/api-context.tsx';

interface StateProps {
  title: string;
  children?: ReactNode;
  testId?: string;
  /** Smaller, for a panel inside a view rather than the whole view. */
  compact?: boolean;
  icon?: 'empty' | 'loading' | 'error' | 'unavailable' | 'case';
}

function StateFrame({ title, children, testId, compact, icon = 'empty' }: StateProps) {
  return (
    <div
      className={`state state--${icon}${compact === true ? ' state--compact' : ''}`}
      data-testid={testId}
      role={icon === 'error' ? 'alert' : 'status'}
      aria-live="polite"
    >
      <span className="state-icon" aria-hidden="true" />
      <p className="state-title">{title}</p>
      {children !== undefined && <div className="state-body">{children}</div>}
    </div>
  );
}

export function LoadingState({ what, compact }: { what: string; compact?: boolean }) {
  return <StateFrame title={`Loading ${what}…`} testId="state-loading" compact={compact} icon="loading" />;
}

export function EmptyState({ title, children, compact, testId = 'state-empty' }: { title: string; children?: ReactNode; compact?: boolean; testId?: string }) {
  return (
    <StateFrame title={title} testId={testId} compact={compact} icon="empty">
      {children}
    </StateFrame>
  );
}

export function UnavailableState({ what, children, compact }: { what: string; children?: ReactNode; compact?: boolean }) {
  return (
    <StateFrame title={`${what} is not available in this build`} testId="state-unavailable" compact={compact} icon="unavailable">
      {children ?? <p>The engine behind this window does not answer this yet. The rest of the case can still be explored.</p>}
    </StateFrame>
  );
}

export function NoCaseState({ compact }: { compact?: boolean }) {
  return (
    <StateFrame title="No case is open" testId="state-no-case" compact={compact} icon="case">
      <p>
        Start a case by dropping capture files on the <a href={hrefFor('start')}>Start</a> page.
      </p>
    </StateFrame>
  );
}

export function ErrorState({ what, error, onRetry, compact }: { what: string; error: Error; onRetry?: () => void; compact?: boolean }) {
  if (error instanceof ApiCallError) {
    if (error.code === 'not-implemented') {
      return (
        <StateFrame title="Not available in this build" testId="state-unavailable" compact={compact} icon="unavailable">
          <p>The engine behind this window cannot show {what} yet. The rest of the case can still be explored.</p>
          <p className="small">{error.message}</p>
        </StateFrame>
      );
    }
    if (error.code === 'no-case') return <NoCaseState compact={compact} />;
  }
  return (
    <StateFrame title={`Could not load ${what}`} testId="state-error" compact={compact} icon="error">
      <p className="state-error-message">{error.message}</p>
      {onRetry !== undefined && (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </StateFrame>
  );
}

/**
 * Render a query's data, or the matching state while it loads or when it failed.
 * `isEmpty` decides when the data counts as nothing to show.
 */
export function QueryBoundary<R>({
  query,
  what,
  isEmpty,
  empty,
  compact,
  children,
}: {
  query: QueryResult<R>;
  what: string;
  isEmpty?: (data: R) => boolean;
  empty?: ReactNode;
  compact?: boolean;
  children: (data: R, refreshing: boolean) => ReactNode;
}) {
  const { state, reload } = query;
  if (state.status === 'loading') return <LoadingState what={what} compact={compact} />;
  if (state.status === 'error') return <ErrorState what={what} error={state.error} onRetry={reload} compact={compact} />;
  if (isEmpty !== undefined && isEmpty(state.data)) {
    return <>{empty ?? <EmptyState title={`No ${what}`} compact={compact} />}</>;
  }
  return <>{children(state.data, state.refreshing)}</>;
}
