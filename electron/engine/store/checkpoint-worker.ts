/**
 * Worker thread that checkpoints a case's WAL while a large import writes into it
 * (started by CaseStore). A checkpoint copies committed pages into the database file
 * and fsyncs twice; done here, the waiting for the disk happens beside the import
 * instead of stalling its writes. It uses its own connection with the same
 * synchronous=NORMAL durability as the writer, and stops on request after a last
 * checkpoint.
 *
 * Control slots (Int32 in a SharedArrayBuffer): [0] set to 1 to stop; [1] set to 1
 * by the worker once it has stopped; [2] set to 1 by the worker once it runs.
 */
import Database from 'better-sqlite3';
import { workerData } from 'node:worker_threads';

/** How often the WAL is checkpointed while the import runs. */
const INTERVAL_MS = 250;

const { path, control } = workerData as { path: string; control: SharedArrayBuffer };
const ctl = new Int32Array(control);
Atomics.store(ctl, 2, 1);

try {
  const db = new Database(path, { fileMustExist: true });
  try {
    db.pragma('synchronous = NORMAL');
    // Never wait for the writer's locks: a checkpoint that cannot run now runs next time.
    db.pragma('busy_timeout = 0');
    for (;;) {
      const stop = Atomics.load(ctl, 0) !== 0;
      try {
        // Another checkpoint running (the writer's, see CaseStore) is not an error: the
        // pragma reports it as busy and this one runs again next round.
        db.pragma('wal_checkpoint(PASSIVE)');
      } catch {
        // An I/O error: the writer's checkpoints and the one at the end copy it instead.
      }
      if (stop) break;
      Atomics.wait(ctl, 0, 0, INTERVAL_MS);
    }
  } finally {
    db.close();
  }
} finally {
  Atomics.store(ctl, 1, 1);
  Atomics.notify(ctl, 1);
}
