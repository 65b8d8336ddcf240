import { describe, expect, it } from 'vitest';
import type { InputInfo, ModeLabel } from '../../../../shared/model.ts';
import { conflictingWindows, inputLabels, noLabels, windowLabelParams, windowLabels } from '../../../../renderer/src/features/labelling/mode-labels.ts';

const T0 = Date.UTC(2020, 3, 21, 9, 0, 0);

function input(id: number, fileName: string): InputInfo {
  return {
    id,
    path: `/cases/${fileName}`,
    fileName,
    format: 'pcapng',
    gzip: false,
    sha256: null,
    size: null,
    linkTypes: [1],
    tsDigits: 6,
    packets: 0,
    harEntries: 0,
    span: null,
    anomalies: 0,
    status: 'done',
    error: null,
    producer: null,
    addedAt: '2020-04-21T10:00:00.000Z',
    finishedAt: null,
    mode: null,
  };
}

function windowLabel(id: number, mode: ModeLabel['mode'], fromMs: number, toMs: number): ModeLabel {
  return { id, mode, input: null, span: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), fromMs, toMs } };
}

const LABELS: ModeLabel[] = [
  windowLabel(3, 'incognito', T0 + 30 * 60_000, T0 + 40 * 60_000),
  { id: 1, mode: 'normal', input: 1, span: null },
  windowLabel(2, 'normal', T0, T0 + 10 * 60_000),
];

describe('mode labels', () => {
  it('pairs each input with its own label', () => {
    const rows = inputLabels([input(1, 'normal.pcapng'), input(2, 'incognito.pcapng')], LABELS);
    expect(rows.map((r) => [r.input.fileName, r.label?.mode ?? null])).toEqual([
      ['normal.pcapng', 'normal'],
      ['incognito.pcapng', null],
    ]);
  });

  it('lists time windows in time order, without input labels', () => {
    expect(windowLabels(LABELS).map((l) => l.id)).toEqual([2, 3]);
  });

  it('finds windows of the other mode a new window overlaps, and only those', () => {
    expect(conflictingWindows(LABELS, 'normal', T0 + 35 * 60_000, T0 + 50 * 60_000).map((l) => l.id)).toEqual([3]);
    expect(conflictingWindows(LABELS, 'incognito', T0 + 35 * 60_000, T0 + 50 * 60_000)).toEqual([]);
    // Touching at the edge is not overlapping.
    expect(conflictingWindows(LABELS, 'normal', T0 + 40 * 60_000, T0 + 50 * 60_000)).toEqual([]);
  });

  it('sends whole, ordered milliseconds for a brush selection', () => {
    expect(windowLabelParams('incognito', T0 + 10.7, T0 + 2.2)).toEqual({ mode: 'incognito', from: T0 + 2, to: T0 + 11 });
    expect(noLabels([])).toBe(true);
    expect(noLabels(LABELS)).toBe(false);
  });
});
