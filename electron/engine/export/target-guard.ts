/**
 * Exports (JSON, PDF) must never land on evidence: not on the case database and not on
 * any original the case has imported, whatever path spelling or symlink leads there.
 */
import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { CaseStore } from '../store/case-store.ts';

/** Canonical path: symlinks resolved for the file, or for its folder when the file does not exist yet. */
function canonical(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    try {
      return join(realpathSync(dirname(abs)), basename(abs));
    } catch {
      return abs;
    }
  }
}

/**
 * Return the absolute target path, or throw when it is the case database (or its WAL
 * files) or an input of the case. `what` names the export in the message.
 */
export function checkExportTarget(store: CaseStore, outPath: string, what: string): string {
  const target = resolve(outPath);
  const real = canonical(target);
  const db = canonical(store.path);
  if (real === db || real === `${db}-wal` || real === `${db}-shm` || real === `${db}-journal`) {
    throw new Error(`${target}: refusing to write the ${what} over the case database`);
  }
  for (const input of store.inputs()) {
    if (canonical(input.path) === real) {
      throw new Error(`${target}: refusing to write the ${what} over ${input.fileName}, an original imported into this case (evidence is only ever read)`);
    }
  }
  return target;
}
