/**
 * Worker thread of a pipelined import that computes the SHA-256 of the input file
 * with its own read-only handle, so hashing (about 0.6 s per GB on one core) runs
 * beside dissecting and storing instead of after or between them. Posts the hex
 * digest, or an error message.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

export type HashWorkerMessage = { type: 'hash'; sha256: string; cpuMs: number } | { type: 'failed'; error: string };

const port = parentPort;
if (!port) throw new Error('hash-worker.ts must run as a worker thread');
const path = (workerData as { path: string }).path;

// Synchronous reads into one reused buffer: this thread has nothing else to wait for.
const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
try {
  const fd = openSync(path, 'r');
  try {
    const before = fstatSync(fd);
    const h = createHash('sha256');
    let pos = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      h.update(n === buf.length ? buf : buf.subarray(0, n));
      pos += n;
    }
    const after = fstatSync(fd);
    // The dissector reads the file separately: a file written to meanwhile has no one hash.
    if (after.size !== before.size || after.mtimeMs !== before.mtimeMs || pos !== after.size) {
      throw new Error('the file changed while it was being hashed');
    }
    const cpu = process.threadCpuUsage();
    port.postMessage({ type: 'hash', sha256: h.digest('hex'), cpuMs: (cpu.user + cpu.system) / 1000 } satisfies HashWorkerMessage);
  } finally {
    closeSync(fd);
  }
} catch (e) {
  port.postMessage({ type: 'failed', error: e instanceof Error ? e.message : String(e) } satisfies HashWorkerMessage);
}
