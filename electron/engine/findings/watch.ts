/**
 * The investigator's watch list: values planted on the device (URLs visited, words
 * searched, an e-mail address, a phone number) that the leak detector looks for in
 * every decoded payload. One value per line; '#' starts a comment line. Stored in the
 * case (table watch_values) so that later analysis runs use it too.
 */
import type Database from 'better-sqlite3';
import { checkEmail, checkPhone } from '../correlate/identifiers.ts';
import { parseUrlLike } from './url-forms.ts';

export type WatchKind = 'url' | 'email' | 'phone' | 'word';

export interface WatchValue {
  value: string;
  kind: WatchKind;
}

/** What a watch-list line is: a URL (with a scheme, or host/path), an e-mail, a phone number, or words. */
export function classifyWatch(value: string): WatchKind {
  if (checkEmail(value) !== null) return 'email';
  if (checkPhone(value, false) !== null && /^[+0-9\s().-]+$/.test(value)) return 'phone';
  const u = parseUrlLike(value, true);
  if (u !== null && (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || u.path.length > 1)) return 'url';
  return 'word';
}

/** Parse watch-list text: trimmed lines, blank lines and '#' comments skipped, duplicates dropped. */
export function parseWatchList(text: string): WatchValue[] {
  const out: WatchValue[] = [];
  const seen = new Set<string>();
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = raw.trim();
    if (line.length === 0 || line.startsWith('#')) continue;
    if (seen.has(line)) continue;
    seen.add(line);
    out.push({ value: line, kind: classifyWatch(line) });
  }
  return out;
}

/** Replace the case's watch list; `source` (e.g. the file's path and SHA-256) is kept with each value. */
export function setWatchList(db: Database.Database, values: readonly WatchValue[], source: string | null): void {
  const now = new Date().toISOString();
  db.transaction(() => {
    db.prepare('DELETE FROM watch_values').run();
    const ins = db.prepare('INSERT INTO watch_values (value, kind, source, added_at) VALUES (?, ?, ?, ?)');
    for (const v of values) ins.run(v.value, v.kind, source, now);
  })();
}

/** The case's watch list in the order it was given. */
export function getWatchList(db: Database.Database): WatchValue[] {
  return db.prepare('SELECT value, kind FROM watch_values ORDER BY id').all() as WatchValue[];
}
