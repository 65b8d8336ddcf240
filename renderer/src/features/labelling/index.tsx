/**
 * Labelling: say which inputs, or which time windows, were incognito and which normal
 * browsing. Labels are what the comparison compares; after every change the findings
 * are recomputed by the engine and the views refetch. Time windows are made from the
 * timeline's brush (SelectionLabelActions); this panel lists them and labels whole
 * inputs.
 */
import { useEffect, useState } from 'react';
import { useCase } from '../../lib/api-context.tsx';
import { hrefFor } from '../../lib/router.tsx';
import { EmptyState, ErrorState, LoadingState, UnavailableState } from '../../components/states.tsx';
import { UtcSpan } from '../../components/utc-time.tsx';
import type { BrowsingMode } from '../../../../shared/model.ts';
import { MODE_NAMES, inputLabels, windowLabels } from './mode-labels.ts';
import { useModeLabels } from './use-mode-labels.ts';
import './labelling.css';

export { SelectionLabelActions } from './selection-actions.tsx';

type Choice = BrowsingMode | 'none';

const CHOICES: ReadonlyArray<{ value: Choice; label: string }> = [
  { value: 'none', label: 'Not labelled' },
  { value: 'normal', label: MODE_NAMES.normal },
  { value: 'incognito', label: MODE_NAMES.incognito },
];

export interface LabellingPanelProps {
  /** Heading level and spacing for use inside another view's panel. */
  compact?: boolean;
}

/** Inputs with their incognito/normal label, and the time-window labels, each changeable. */
export default function LabellingPanel({ compact = false }: LabellingPanelProps) {
  const { case: caseState } = useCase();
  const api = useModeLabels();
  // The choice just made, shown at once while the engine stores it and the findings are
  // recomputed; the labels that come back replace it.
  const [chosen, setChosen] = useState<Record<number, Choice>>({});
  const labelData = api.labels.state.data;
  useEffect(() => setChosen({}), [labelData]);

  if (caseState.status !== 'ready') return <LoadingState what="labels" compact />;
  if (!api.available) {
    return (
      <UnavailableState what="Labelling" compact>
        <p>Marking inputs or time ranges as incognito or normal needs the findings analysis, which this case or build does not have.</p>
      </UnavailableState>
    );
  }
  const { state, reload } = api.labels;
  if (state.status === 'loading') return <LoadingState what="labels" compact />;
  if (state.status === 'error' && state.data === null) return <ErrorState what="labels" error={state.error} onRetry={reload} compact />;
  const labels = state.data ?? [];
  const inputs = inputLabels(caseState.info.inputs, labels);
  const windows = windowLabels(labels);

  async function choose(inputId: number, currentId: number | null, currentMode: BrowsingMode | null, choice: Choice): Promise<void> {
    if (choice === (currentMode ?? 'none')) return;
    setChosen((c) => ({ ...c, [inputId]: choice }));
    if (choice === 'none') {
      if (currentId !== null) await api.remove(currentId);
      return;
    }
    // A new label on the input replaces the old one: remove it first so no two labels disagree.
    if (currentId !== null && !(await api.remove(currentId))) return;
    await api.set({ mode: choice, input: inputId });
  }

  return (
    <div className={`lb-panel${compact ? ' lb-panel--compact' : ''}`} data-testid="labelling-panel" aria-busy={api.pending}>
      {inputs.length === 0 ? (
        <EmptyState title="No inputs to label" compact />
      ) : (
        <table className="lb-inputs">
          <caption className="visually-hidden">Browsing mode of each input</caption>
          <thead>
            <tr>
              <th scope="col">Input</th>
              <th scope="col">Browsing mode</th>
            </tr>
          </thead>
          <tbody>
            {inputs.map(({ input, label }) => (
              <tr key={input.id} data-testid="labelling-input">
                <th scope="row" className="lb-input-name">
                  <span title={input.path}>{input.fileName}</span>
                  {input.span && (
                    <span className="lb-input-span">
                      <UtcSpan from={input.span.from} to={input.span.to} />
                    </span>
                  )}
                </th>
                <td>
                  <div className="lb-choice" role="radiogroup" aria-label={`Browsing mode of ${input.fileName}`}>
                    {CHOICES.map((c) => {
                      const checked = (chosen[input.id] ?? label?.mode ?? 'none') === c.value;
                      return (
                        <label key={c.value} className={`lb-choice-option lb-choice-option--${c.value}${checked ? ' lb-choice-option--checked' : ''}`}>
                          <input
                            type="radio"
                            name={`lb-mode-${input.id}`}
                            value={c.value}
                            checked={checked}
                            disabled={api.pending}
                            onChange={() => void choose(input.id, label?.id ?? null, label?.mode ?? null, c.value)}
                          />
                          {c.label}
                        </label>
                      );
                    })}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="lb-windows">
        <h4 className="lb-subtitle">Time ranges</h4>
        {windows.length === 0 ? (
          <p className="lb-hint">
            None yet. On the <a href={hrefFor('timeline')}>Timeline</a>, drag across the chart or the lanes to select a range, then choose “Mark as incognito” or “Mark as normal”.
          </p>
        ) : (
          <ul className="lb-window-list">
            {windows.map((w) => (
              <li key={w.id} className={`lb-window lb-window--${w.mode}`} data-testid="labelling-window">
                <span className={`lb-mode-tag lb-mode-tag--${w.mode}`}>{MODE_NAMES[w.mode]}</span>
                {w.span && <UtcSpan from={w.span.from} to={w.span.to} />}
                <button type="button" className="button button--small" disabled={api.pending} onClick={() => void api.remove(w.id)} aria-label={`Remove the ${MODE_NAMES[w.mode].toLowerCase()} label`}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      {api.error !== null && (
        <p className="lb-error" role="alert">
          {api.error}
        </p>
      )}
    </div>
  );
}
