/** Where cases and their uploaded files live on disk. */
import { existsSync, mkdirSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

/** `YYYYMMDD-HHMMSS` in UTC, for new case names. */
export function utcStamp(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** Make a fresh folder `telltale-<UTC stamp>[-n]` under `parent`; returns the case path inside it. */
export function newCaseFolder(parent: string, now = new Date()): string {
  const stem = `telltale-${utcStamp(now)}`;
  mkdirSync(parent, { recursive: true });
  for (let n = 1; ; n++) {
    const dir = join(parent, n === 1 ? stem : `${stem}-${n}`);
    if (existsSync(dir)) continue;
    try {
      // Not recursive: a folder that appeared since the check makes this throw, not reuse it.
      mkdirSync(dir);
    } catch (e) {
      if ((e as { code?: string }).code === 'EEXIST') continue;
      throw e;
    }
    return join(dir, 'case.db');
  }
}

/** The folder next to a case file that holds files uploaded into it: `<case stem>.files/`. */
export function filesDirFor(casePath: string): string {
  return join(dirname(casePath), `${basename(casePath, extname(casePath))}.files`);
}

/** The folder next to a case file that holds the reports exported from it: `<case stem>.reports/`. */
export function reportsDirFor(casePath: string): string {
  return join(dirname(casePath), `${basename(casePath, extname(casePath))}.reports`);
}
