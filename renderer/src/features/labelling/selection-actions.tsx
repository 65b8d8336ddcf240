/**
 * "Mark as incognito" / "Mark as normal" for a time range chosen with the timeline's
 * brush. Warns, without refusing, when the range overlaps a window of the other mode:
 * the investigator may be correcting an earlier label.
 */
import type { BrowsingMode } from '../../../../shared/model.ts';
import { conflictingWindows, windowLabelParams } from './mode-labels.ts';
import { useModeLabels } from './use-mode-labels.ts';

export interface SelectionLabelActionsProps {
  selection: { fromMs: number; toMs: number } | null;
  /** Called after a label was stored. */
  onLabelled?: (mode: BrowsingMode) => void;
}

export function SelectionLabelActions({ selection, onLabelled }: SelectionLabelActionsProps) {
  const api = useModeLabels();
  const labels = api.labels.state.status === 'ready' ? api.labels.state.data : [];
  const disabled = selection === null || !api.available || api.pending;
  const title = !api.available
    ? 'Labelling needs the findings analysis, which this case or build does not have'
    : selection === null
      ? 'Select a time range first: drag across the chart or the lanes'
      : undefined;

  async function mark(mode: BrowsingMode): Promise<void> {
    if (selection === null) return;
    if (await api.set(windowLabelParams(mode, selection.fromMs, selection.toMs))) onLabelled?.(mode);
  }

  const conflicts = selection === null ? [] : [
    ...conflictingWindows(labels, 'incognito', selection.fromMs, selection.toMs),
    ...conflictingWindows(labels, 'normal', selection.fromMs, selection.toMs),
  ];

  return (
    <div className="lb-actions" role="group" aria-label="Label the selected time range">
      <button type="button" className="button lb-mark lb-mark--incognito" disabled={disabled} title={title} onClick={() => void mark('incognito')} data-testid="mark-incognito">
        Mark as incognito
      </button>
      <button type="button" className="button lb-mark lb-mark--normal" disabled={disabled} title={title} onClick={() => void mark('normal')} data-testid="mark-normal">
        Mark as normal
      </button>
      {conflicts.length > 0 && (
        <span className="lb-warning" role="note">
          Overlaps an existing label
        </span>
      )}
      {api.error !== null && (
        <span className="lb-error" role="alert">
          {api.error}
        </span>
      )}
    </div>
  );
}
