/**
 * Worker thread of a pipelined import that computes the SHA-256 of the input file, so
 * hashing (about 0.6 s per GB on one core) runs beside dissecting and storing instead
 * of after or between them. It hashes the raw chunks the dissect worker reads, from a
 * ring in shared memory (hash-ring.ts), so the file is read once and the hash is of
 * exactly the bytes dissected. Posts the hex digest, an error, or `incomplete` when the
 * dissect worker stopped before the end of the file (the caller then hashes it itself).
 */
import { createHash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { END_CHANGED, END_COMPLETE, consumeRing, type HashRingData } from './hash-ring.ts';
import { jobData } from './worker-start.ts';

export type HashWorkerMessage =
  | { type: 'hash'; sha256: string; cpuMs: number }
  | { type: 'failed'; error: string }
  | { type: 'incomplete' };

const port = parentPort;
if (!port) throw new Error('hash-worker.ts must run as a worker thread');
// The job is workerData, or the first message when the worker was started ahead (worker-start.ts).
void jobData<HashRingData>(port, workerData).then((ring) => {
  try {
    const h = createHash('sha256');
    // Blocks this thread between chunks: it has nothing else to wait for.
    const end = consumeRing(ring, (chunk) => h.update(chunk));
    if (end === END_COMPLETE) {
      const cpu = process.threadCpuUsage();
      port.postMessage({ type: 'hash', sha256: h.digest('hex'), cpuMs: (cpu.user + cpu.system) / 1000 } satisfies HashWorkerMessage);
    } else if (end === END_CHANGED) {
      port.postMessage({ type: 'failed', error: 'the file changed while it was being hashed' } satisfies HashWorkerMessage);
    } else {
      port.postMessage({ type: 'incomplete' } satisfies HashWorkerMessage);
    }
  } catch (e) {
    port.postMessage({ type: 'failed', error: e instanceof Error ? e.message : String(e) } satisfies HashWorkerMessage);
  }
});
