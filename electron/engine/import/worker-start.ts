/**
 * Starting the worker threads of a pipelined import (import-file.ts), and starting them
 * ahead: a worker spends about 0.1 s loading its modules before it can take a file, time
 * the import waited through. The import worker knows, before it loads the protocols and
 * the import code and opens the case, whether its first file is large enough to be
 * pipelined (`likelyPipelined`), and then starts the dissect and hash workers at once
 * (`startPipelineAhead`): they load on the other core while this thread gets ready, and
 * wait for their job. `startWorker` hands a waiting worker its job, or starts a new one.
 *
 * This module stays light (no engine imports), so that the workers can be started
 * before the engine is loaded.
 */
import { type MessagePort, Worker } from 'node:worker_threads';
import { workerUrl } from '../util/locate.ts';

/** Below this size (on disk) a file is dissected on the calling thread. */
const PIPELINE_MIN_BYTES = 64_000_000;
/** Gzip files expand several times over: pipeline them from a smaller size. */
const PIPELINE_MIN_GZIP_BYTES = 16_000_000;

/**
 * The dissect worker's old-generation cap (see PIPELINE_WORKERS). 2,048 saved 0.2–0.5 s of
 * CPU per GB but let the worker's heap, and the import's peak RSS, grow with the file
 * (270 → 302 MB from 1 to 2 GB, against 241 → 264 MB at 1,024): memory that stays flat
 * on long captures matters more here than 5 % of CPU.
 */
const DISSECT_OLD_GENERATION_MB = 1024;

/**
 * The pipeline's workers and their heap limits. The young generation is capped: left to itself V8 grew
 * the dissect worker's heap to about 150 MB (20 MB of it live), and the whole import's
 * peak RSS with it (330 → 210 MB for 1 GB, same CPU).
 *
 * `oldMb` caps the old generation, but V8 also derives from it how far the old
 * generation may grow between full collections: under 2 GB the factor is small, and
 * with a 12 MB live heap and a 16 MB young generation the dissect worker was marking
 * almost all the time (21 mark-compacts per GB). From 2 GB on, V8 lets the heap grow
 * about four times the live size: 10 mark-compacts per GB, 0.3–0.5 s less CPU over
 * all threads, for about 28 MB more peak RSS that also grows with the file
 * (DISSECT_OLD_GENERATION_MB). Nothing is reserved up front.
 */
export const PIPELINE_WORKERS = {
  dissect: { name: 'dissect-worker', youngMb: 16, oldMb: DISSECT_OLD_GENERATION_MB },
  hash: { name: 'hash-worker', youngMb: 4, oldMb: 1024 },
} as const;

/** One of the pipeline's workers. */
export type PipelineWorker = keyof typeof PIPELINE_WORKERS;

/** Start the dissect and hash workers ahead (startAhead). */
export function startPipelineAhead(): void {
  startAhead('dissect');
  startAhead('hash');
}

/** The workerData of a worker started ahead: its job comes as a message (JobMessage). */
const STANDBY = 'telltale-worker-standby';

/** What a worker started ahead is sent when its file comes. */
interface JobMessage {
  type: 'job';
  data: unknown;
}

/** Workers started ahead, alive and not yet given a job. */
const ahead = new Map<PipelineWorker, Worker>();

/** How startWorker handed out the jobs of each kind: posted to a worker started ahead, or given to a new one. */
const given: Record<PipelineWorker, { ahead: number; new: number }> = {
  dissect: { ahead: 0, new: 0 },
  hash: { ahead: 0, new: 0 },
};

function construct(kind: PipelineWorker, data: unknown): Worker | null {
  const { name, youngMb, oldMb } = PIPELINE_WORKERS[kind];
  try {
    return new Worker(workerUrl(name, import.meta.url), {
      workerData: data,
      // Both generations capped (see PIPELINE_WORKERS); the old one still leaves room for the
      // dissector's worst case (65,536 open TCP connections and as many UDP conversations).
      resourceLimits: { maxYoungGenerationSizeMb: youngMb, maxOldGenerationSizeMb: oldMb },
    });
  } catch {
    return null;
  }
}

/**
 * A `kind` worker with `data` as its job: the one started ahead if it is still alive,
 * else a new one (with PIPELINE_WORKERS' limits); null if none can be constructed.
 */
export function startWorker(kind: PipelineWorker, data: unknown): Worker | null {
  const waiting = ahead.get(kind);
  ahead.delete(kind);
  if (waiting !== undefined) {
    waiting.ref();
    waiting.postMessage({ type: 'job', data } satisfies JobMessage);
    given[kind].ahead++;
    return waiting;
  }
  const worker = construct(kind, data);
  if (worker !== null) given[kind].new++;
  return worker;
}

/**
 * Start a `kind` worker now, to be given its job by startWorker. It waits without
 * keeping the thread alive; stopAhead ends it if no job comes. A worker that fails to
 * load is forgotten (startWorker then tries a new one, which fails the same way and
 * leaves the work to the calling thread). Returns the waiting worker (the one already
 * waiting, if any), or null if none could be constructed.
 */
export function startAhead(kind: PipelineWorker): Worker | null {
  const have = ahead.get(kind);
  if (have !== undefined) return have;
  const worker = construct(kind, STANDBY);
  if (worker === null) return null;
  worker.on('error', () => undefined);
  worker.on('exit', () => {
    if (ahead.get(kind) === worker) ahead.delete(kind);
  });
  worker.unref();
  ahead.set(kind, worker);
  return worker;
}

/** End the workers started ahead that got no job. */
export function stopAhead(): void {
  for (const w of ahead.values()) void w.terminate();
  ahead.clear();
}

/** How many workers started ahead are waiting for a job (for tests). */
export function waitingAhead(): number {
  return ahead.size;
}

/** How many jobs of each kind startWorker has posted to a worker started ahead and given to a new one (read by tests). */
export function jobsGiven(): Record<PipelineWorker, { ahead: number; new: number }> {
  return { dissect: { ...given.dissect }, hash: { ...given.hash } };
}

/** The size on disk from which a capture is pipelined, gzip-compressed or not. */
export function pipelineMinBytes(gzip: boolean): number {
  return gzip ? PIPELINE_MIN_GZIP_BYTES : PIPELINE_MIN_BYTES;
}

/** Whether a file of `size` bytes named `path` will probably be pipelined (the decision itself is importFile's, on the file's magic). */
export function likelyPipelined(path: string, size: number): boolean {
  return size >= pipelineMinBytes(/\.gz$/i.test(path));
}

/** In a worker: its job, from workerData or, when it was started ahead, from the first message. */
export function jobData<T>(port: MessagePort, data: unknown): Promise<T> {
  if (data !== STANDBY) return Promise.resolve(data as T);
  return new Promise((resolve) => {
    port.once('message', (m: JobMessage) => resolve(m.data as T));
  });
}
