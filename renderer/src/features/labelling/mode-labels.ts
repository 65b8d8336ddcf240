/**
 * What the labelling controls need to know about existing incognito/normal labels:
 * which inputs carry one, which time windows exist, whether a new window contradicts
 * an existing one, and the exact params to send for a brush selection.
 */
import type { BrowsingMode, InputInfo, ModeLabel, ModeLabelInput } from '../../../../shared/model.ts';

export const MODE_NAMES: Readonly<Record<BrowsingMode, string>> = { incognito: 'Incognito', normal: 'Normal' };

export interface InputLabel {
  input: InputInfo;
  /** The label on the whole input, if any. */
  label: ModeLabel | null;
}

/** Each input with the label on it (the last one wins if the engine kept several). */
export function inputLabels(inputs: readonly InputInfo[], labels: readonly ModeLabel[]): InputLabel[] {
  const byInput = new Map<number, ModeLabel>();
  for (const l of labels) if (l.input !== null) byInput.set(l.input, l);
  return inputs.map((input) => ({ input, label: byInput.get(input.id) ?? null }));
}

/** Time-window labels in time order. */
export function windowLabels(labels: readonly ModeLabel[]): ModeLabel[] {
  return labels.filter((l) => l.input === null && l.span !== null).sort((a, b) => (a.span?.fromMs ?? 0) - (b.span?.fromMs ?? 0));
}

/** Window labels of the other mode that a new window [fromMs, toMs] would overlap. */
export function conflictingWindows(labels: readonly ModeLabel[], mode: BrowsingMode, fromMs: number, toMs: number): ModeLabel[] {
  return windowLabels(labels).filter((l) => l.mode !== mode && l.span !== null && l.span.fromMs < toMs && l.span.toMs > fromMs);
}

/** The modes.set params for a time selection; bounds are whole milliseconds so they survive any transport unchanged. */
export function windowLabelParams(mode: BrowsingMode, fromMs: number, toMs: number): ModeLabelInput {
  return { mode, from: Math.floor(Math.min(fromMs, toMs)), to: Math.ceil(Math.max(fromMs, toMs)) };
}

/** True when nothing is labelled at all: the comparison has nothing to compare. */
export function noLabels(labels: readonly ModeLabel[]): boolean {
  return labels.length === 0;
}
