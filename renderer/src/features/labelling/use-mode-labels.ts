/**
 * Reading and changing incognito/normal labels. A change goes through modes.set or
 * modes.remove, then the whole case is refreshed so every view (timeline shading,
 * findings, comparison) recomputes from the new labels.
 */
import { useCallback, useState } from 'react';
import type { ModeLabel, ModeLabelInput } from '../../../../shared/model.ts';
import { isNotImplemented, useApiQuery, useCase } from '../../lib/api-context.tsx';
import type { QueryResult } from '../../lib/api-context.tsx';

export interface ModeLabelsApi {
  labels: QueryResult<ModeLabel[]>;
  /** False when the case or the build cannot label (no findings tables). */
  available: boolean;
  pending: boolean;
  error: string | null;
  set(input: ModeLabelInput): Promise<boolean>;
  remove(id: number): Promise<boolean>;
}

export function useModeLabels(): ModeLabelsApi {
  const { client, case: caseState, refresh } = useCase();
  const findings = caseState.status === 'ready' && caseState.info.features.findings;
  const labels = useApiQuery('modes.list', undefined, { enabled: findings });
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const unimplemented = labels.state.status === 'error' && isNotImplemented(labels.state.error);

  const run = useCallback(
    async (call: () => Promise<unknown>): Promise<boolean> => {
      setPending(true);
      setError(null);
      try {
        await call();
        refresh();
        return true;
      } catch (err: unknown) {
        setError(isNotImplemented(err) ? 'Labelling is not available in this build.' : err instanceof Error ? err.message : String(err));
        return false;
      } finally {
        setPending(false);
      }
    },
    [refresh],
  );

  const set = useCallback(
    (input: ModeLabelInput) => run(async () => client?.call('modes.set', input)),
    [client, run],
  );
  const remove = useCallback((id: number) => run(async () => client?.call('modes.remove', { id })), [client, run]);

  return { labels, available: findings && !unimplemented && client !== null, pending, error, set, remove };
}
