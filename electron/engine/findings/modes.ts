/**
 * Browsing-mode labels (incognito / normal) of a case: on a whole input or on a time
 * window. Stored in the case (table mode_labels) so that every re-run of the analysis
 * and every shell sees the same labels. A record's mode is the first input label that
 * names its input, else the first window that holds its time, else 'unlabelled'.
 */
import { basename, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { isoFromNs, nsFromIso } from '../util/time.ts';

export const MODES = ['incognito', 'normal'] as const;
export type BrowsingMode = (typeof MODES)[number];
export type RecordMode = BrowsingMode | 'unlabelled';
export const UNLABELLED = 'unlabelled';

/** A label as given: on an input (its id, or its path / file name before it is imported) or on a window. */
export type ModeLabelSpec =
  | { mode: BrowsingMode; input: number | string }
  | { mode: BrowsingMode; from: bigint | string; to: bigint | string };

export interface StoredModeLabel {
  id: number;
  mode: BrowsingMode;
  /** inputs.id when the label names an input that is in the case. */
  inputId: number | null;
  /** Path or file name as given (labels set before the import). */
  inputRef: string | null;
  startNs: bigint | null;
  endNs: bigint | null;
}

/** Thrown for a label the engine cannot store (unknown mode, bad time window). */
export class ModeLabelError extends Error {
  override name = 'ModeLabelError';
}

export function isBrowsingMode(s: string): s is BrowsingMode {
  return (MODES as readonly string[]).includes(s);
}

function toNs(v: bigint | string, what: string): bigint {
  if (typeof v === 'bigint') return v;
  const ns = nsFromIso(v);
  if (ns === null) throw new ModeLabelError(`${what} ${JSON.stringify(v)} is not an ISO 8601 time`);
  return ns;
}

/**
 * Parse a CLI label: `incognito:<file>` or `normal:<ISO start>/<ISO end>`. The mode is
 * split at the first ':', so ISO times and Windows paths keep theirs.
 */
export function parseModeArg(arg: string): ModeLabelSpec {
  const colon = arg.indexOf(':');
  if (colon <= 0) throw new ModeLabelError(`--mode ${JSON.stringify(arg)}: expected <mode>:<file> or <mode>:<ISO start>/<ISO end>`);
  const mode = arg.slice(0, colon).trim().toLowerCase();
  const rest = arg.slice(colon + 1).trim();
  if (!isBrowsingMode(mode)) throw new ModeLabelError(`--mode ${JSON.stringify(arg)}: mode must be one of ${MODES.join(', ')}`);
  if (rest.length === 0) throw new ModeLabelError(`--mode ${JSON.stringify(arg)}: nothing after '${mode}:'`);
  const window = /^(\d{4}-\d\d-\d\dT[^/]+)\/(\d{4}-\d\d-\d\dT[^/]+)$/.exec(rest);
  if (window) {
    // Checked here too, so that a command line is refused before anything is created.
    const from = toNs(window[1], 'window start');
    const to = toNs(window[2], 'window end');
    if (to < from) throw new ModeLabelError(`--mode ${JSON.stringify(arg)}: the window ends before it starts`);
    return { mode, from: window[1], to: window[2] };
  }
  return { mode, input: rest };
}

interface Row {
  id: number;
  mode: string;
  input_id: number | null;
  input_ref: string | null;
  start_ns: string | null;
  end_ns: string | null;
}

/** The labels stored in the case, in the order they apply. */
export function listModeLabels(db: Database.Database): StoredModeLabel[] {
  const rows = db.prepare(`SELECT id, mode, input_id, input_ref, CAST(start_ns AS TEXT) AS start_ns,
    CAST(end_ns AS TEXT) AS end_ns FROM mode_labels ORDER BY id`).all() as Row[];
  return rows.map((r) => ({
    id: r.id,
    mode: r.mode as BrowsingMode,
    inputId: r.input_id,
    inputRef: r.input_ref,
    startNs: r.start_ns === null ? null : BigInt(r.start_ns),
    endNs: r.end_ns === null ? null : BigInt(r.end_ns),
  }));
}

function insertLabel(db: Database.Database, l: ModeLabelSpec): void {
  if (!isBrowsingMode(l.mode)) throw new ModeLabelError(`unknown mode ${JSON.stringify(l.mode)}; expected ${MODES.join(' or ')}`);
  const now = new Date().toISOString();
  if ('input' in l) {
    if (typeof l.input === 'number') {
      const known = db.prepare('SELECT 1 FROM inputs WHERE id = ?').get(l.input);
      if (!known) throw new ModeLabelError(`no input ${l.input} in the case`);
      db.prepare('INSERT INTO mode_labels (mode, input_id, created_at) VALUES (?, ?, ?)').run(l.mode, l.input, now);
    } else {
      if (l.input.trim() === '') throw new ModeLabelError('empty input name in a mode label');
      db.prepare('INSERT INTO mode_labels (mode, input_ref, created_at) VALUES (?, ?, ?)').run(l.mode, l.input, now);
    }
    return;
  }
  const from = toNs(l.from, 'window start');
  const to = toNs(l.to, 'window end');
  if (to < from) throw new ModeLabelError(`window ${isoFromNs(from, 3)} / ${isoFromNs(to, 3)} ends before it starts`);
  db.prepare('INSERT INTO mode_labels (mode, start_ns, end_ns, created_at) VALUES (?, ?, ?, ?)').run(l.mode, from, to, now);
}

/**
 * Replace the case's mode labels with `labels` (in order of precedence). Takes effect
 * at the next analysis run; returns the stored labels.
 */
export function setModeLabels(db: Database.Database, labels: readonly ModeLabelSpec[]): StoredModeLabel[] {
  db.transaction(() => {
    db.prepare('DELETE FROM mode_labels').run();
    for (const l of labels) insertLabel(db, l);
  })();
  return listModeLabels(db);
}

/** Add one label after the existing ones; returns the stored labels. */
export function addModeLabel(db: Database.Database, label: ModeLabelSpec): StoredModeLabel[] {
  db.transaction(() => insertLabel(db, label))();
  return listModeLabels(db);
}

/** Remove one label by id; returns the stored labels. */
export function removeModeLabel(db: Database.Database, id: number): StoredModeLabel[] {
  db.prepare('DELETE FROM mode_labels WHERE id = ?').run(id);
  return listModeLabels(db);
}

interface InputName {
  id: number;
  path: string;
  fileName: string;
}

/** Input ids a label names: its id, or inputs whose absolute path or file name equals its ref. */
export function labelInputs(l: StoredModeLabel, inputs: readonly InputName[], cwd = process.cwd()): number[] {
  if (l.inputId !== null) return [l.inputId];
  if (l.inputRef === null) return [];
  const ref = l.inputRef;
  const abs = resolve(cwd, ref);
  const base = basename(ref);
  const byPath = inputs.filter((i) => i.path === ref || i.path === abs);
  if (byPath.length > 0) return byPath.map((i) => i.id);
  return inputs.filter((i) => i.fileName === ref || i.fileName === base).map((i) => i.id);
}

/** Labels resolved against the case's inputs: what the analysis applies. */
export interface ModeResolver {
  /** Mode of a record of `input` at `ts`. */
  modeOf(input: number, ts: bigint): RecordMode;
  /** Labels that named no input of the case (reported, not fatal). */
  unmatched: StoredModeLabel[];
  /** SQL CASE expression giving the mode from `inputCol` and `tsCol`, with its parameters. */
  sql(inputCol: string, tsCol: string): { expr: string; params: unknown[] };
  /** True when at least one label exists. */
  labelled: boolean;
}

/** Build the resolver for the case's stored labels. */
export function modeResolver(db: Database.Database, cwd = process.cwd()): ModeResolver {
  const labels = listModeLabels(db);
  const inputs = (db.prepare('SELECT id, path, file_name AS fileName FROM inputs ORDER BY id').all() as InputName[]);
  const byInput = new Map<number, BrowsingMode>();
  const windows: Array<{ mode: BrowsingMode; from: bigint; to: bigint }> = [];
  const unmatched: StoredModeLabel[] = [];
  for (const l of labels) {
    if (l.startNs !== null && l.endNs !== null) {
      windows.push({ mode: l.mode, from: l.startNs, to: l.endNs });
      continue;
    }
    const ids = labelInputs(l, inputs, cwd);
    if (ids.length === 0) unmatched.push(l);
    for (const id of ids) if (!byInput.has(id)) byInput.set(id, l.mode);
  }
  return {
    labelled: labels.length > 0,
    unmatched,
    modeOf(input: number, ts: bigint): RecordMode {
      const m = byInput.get(input);
      if (m !== undefined) return m;
      for (const w of windows) if (ts >= w.from && ts <= w.to) return w.mode;
      return UNLABELLED;
    },
    sql(inputCol: string, tsCol: string) {
      const parts: string[] = [];
      const params: unknown[] = [];
      for (const [id, mode] of byInput) {
        parts.push(`WHEN ${inputCol} = ? THEN ?`);
        params.push(id, mode);
      }
      for (const w of windows) {
        parts.push(`WHEN ${tsCol} BETWEEN ? AND ? THEN ?`);
        params.push(w.from, w.to, w.mode);
      }
      if (parts.length === 0) return { expr: `'${UNLABELLED}'`, params: [] };
      return { expr: `(CASE ${parts.join(' ')} ELSE '${UNLABELLED}' END)`, params };
    },
  };
}
