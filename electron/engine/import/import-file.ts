/**
 * Import one capture or HAR file: open it read-only, hash it, decide its format by
 * magic bytes, stream it through the matching reader and the dissector, and send the
 * records to a sink. Bad input never throws: the summary's `error` says what went
 * wrong, and what was read before the problem is kept.
 *
 * Large pcap/pcapng files are pipelined over three threads: a dissect worker
 * (dissect-worker.ts) reads and dissects, a hash worker (hash-worker.ts) computes the
 * SHA-256 of the chunks the dissect worker read (hash-ring.ts), and this thread hands
 * the records to the sink (the case store), batch by batch, in the order the dissector
 * emitted them. Small files, HAR files and a
 * worker that cannot start are done here, in one thread, by the same code.
 */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { openSource, RAW_CHUNK, type FileSource } from '../capture/file-source.ts';
import { readHar } from '../capture/har-reader.ts';
import { sniffDecoded } from '../capture/sniff.ts';
import type { AnomalyRecord, RecordSink } from '../records.ts';
import type { PreparedHttp } from '../store/http-prepare.ts';
import { replayBatch } from './record-batch.ts';
import { describeError, readPackets, type PacketFacts } from './read-packets.ts';
import type { HashWorkerMessage } from './hash-worker.ts';
import { consumerGone, createHashRing, producerGone } from './hash-ring.ts';
import { CTL_CANCEL, CTL_INFLIGHT, CTL_SLOTS, type DissectWorkerData, type DissectWorkerMessage } from './pipeline-protocol.ts';
import type { ImportProgress, InputSummary } from './types.ts';
import { pipelineMinBytes, startWorker } from './worker-start.ts';

export interface ImportOptions {
  signal?: AbortSignal;
  onProgress?: (p: ImportProgress) => void;
  /** Minimum milliseconds between progress callbacks. */
  progressIntervalMs?: number;
  /**
   * Dissect on a worker thread while this thread hashes and stores: true or false to
   * force it either way; by default only for files large enough to repay the
   * worker's start-up (pipelineMinBytes).
   */
  pipeline?: boolean;
  /** Told the CPU time of each worker of a pipelined import when it ends (for benchmarks). */
  onWorkerCpu?: (t: { dissectMs: number | null; hashMs: number | null }) => void;
}

/** Read `path` read-only and stream it through the matching reader and the dissector into `sink`. */
export async function importFile(path: string, inputId: number, sink: RecordSink, opts: ImportOptions = {}): Promise<InputSummary> {
  const summary: InputSummary = {
    format: null,
    gzip: false,
    sha256: '',
    size: 0,
    linkTypes: [],
    tsDigits: 6,
    packets: 0,
    entries: 0,
    firstTs: null,
    lastTs: null,
    anomalies: 0,
    error: null,
    producer: null,
    commentedFrames: 0,
  };
  // Checked before any open: a FIFO blocks in open() itself, and a device never ends.
  let kind: string | null;
  try {
    kind = notRegular(await stat(path));
  } catch (e) {
    summary.error = `cannot open file: ${describeError(e)}`;
    return summary;
  }
  if (kind !== null) {
    summary.error = `not a regular file: ${path} is ${kind}; expected a pcap, pcapng or HAR capture file`;
    return summary;
  }
  let source: FileSource;
  try {
    source = await openSource(path);
  } catch (e) {
    summary.error = `cannot open file: ${describeError(e)}`;
    return summary;
  }
  summary.size = source.size;
  summary.gzip = source.gzip;

  const counting: RecordSink = {
    dns: (r) => sink.dns(r),
    tls: (r) => sink.tls(r),
    http: (r) => sink.http(r),
    // Only when the sink takes prepared exchanges, so that replayBatch still sees whether it does.
    ...(sink.httpPrepared ? { httpPrepared: (r: PreparedHttp) => sink.httpPrepared?.(r) } : {}),
    flow: (r) => sink.flow(r),
    name: (r) => sink.name(r),
    secret: (r) => sink.secret(r),
    harPage: (r) => sink.harPage(r),
    anomaly: (r: AnomalyRecord) => {
      summary.anomalies++;
      sink.anomaly(r);
    },
  };

  // Set by the hash worker of a pipelined import; otherwise `source` hashes what it reads.
  let hashed: string | null = null;
  let hashError: string | null = null;

  const interval = opts.progressIntervalMs ?? 100;
  let lastProgress = 0;
  let bytesRead = 0;
  const progress = (force = false): void => {
    if (!opts.onProgress) return;
    const now = Date.now();
    if (!force && now - lastProgress < interval) return;
    lastProgress = now;
    opts.onProgress({ file: path, bytesRead: force ? source.size : bytesRead, bytesTotal: source.size, packets: summary.packets, entries: summary.entries });
  };

  try {
    const it = source.chunks();
    const first = await it.next();
    if (first.done || first.value.length === 0) {
      summary.error = source.gzip
        ? 'gzip-compressed, but it holds nothing: expected a pcap, pcapng or HAR capture inside'
        : 'empty file: expected a pcap, pcapng or HAR capture';
      return summary;
    }
    // The source has already gunzipped: sniffing its bytes as a file's would take a
    // second gzip layer for the file's own and read compressed bytes as a capture.
    const sniffed = sniffDecoded(first.value, source.gzip);
    if (sniffed.kind === 'unknown') {
      summary.error = sniffed.reason;
      return summary;
    }
    summary.format = sniffed.kind;
    const rest = async function* (): AsyncGenerator<Buffer> {
      yield first.value;
      for (;;) {
        const n = await it.next();
        if (n.done) return;
        bytesRead = source.rawBytesRead;
        yield n.value;
      }
    };

    if (sniffed.kind === 'har') {
      summary.tsDigits = 3;
      const har = await readHar(abortable(rest(), opts.signal, () => progress()), inputId, counting, () => {
        summary.entries++;
      });
      summary.entries = har.entries;
      summary.firstTs = har.firstTs;
      summary.lastTs = har.lastTs;
      summary.error = har.error;
      summary.producer = [har.creator, har.browser].filter(Boolean).join(' / ') || null;
      // Milliseconds at least (the timings are in ms even when startedDateTime has whole
      // seconds); more when the HAR itself has more (Firefox, mitmproxy).
      summary.tsDigits = Math.max(3, har.tsDigits);
    } else {
      const big = source.size >= pipelineMinBytes(source.gzip);
      let facts: PacketFacts | null = null;
      let chunks: AsyncIterable<Buffer> = rest();
      if (opts.pipeline ?? big) {
        // The workers read the file themselves; this source is only a fallback now.
        await it.return(undefined);
        const run = await runPipeline(path, inputId, sniffed.kind, counting, summary, opts.signal, (read) => {
          bytesRead = read;
          progress();
        });
        facts = run.facts;
        opts.onWorkerCpu?.({ dissectMs: run.dissectCpuMs, hashMs: run.hashCpuMs });
        if (run.sha256 !== null) hashed = run.sha256;
        else if (run.hashError !== null) hashError = run.hashError;
        // null: the worker could not start (a bundle without its file, say): same work, one thread.
        if (facts === null) chunks = await fresh(path);
      }
      facts ??= await readPackets(sniffed.kind, chunks, inputId, counting, () => opts.signal?.aborted === true, (live) => {
        summary.packets = live.packets;
        progress();
      });
      applyFacts(summary, facts, source.gzip);
    }
    if (opts.signal?.aborted && !summary.error) summary.error = 'import cancelled';
  } catch (e) {
    summary.error = source.gzip ? `gzip stream damaged: ${describeError(e)}` : `read failed: ${describeError(e)}`;
  } finally {
    if (hashed !== null) {
      summary.sha256 = hashed;
    } else if (hashError !== null) {
      summary.error ??= `cannot hash file: ${hashError}`;
    } else {
      try {
        summary.sha256 = await source.digest();
      } catch (e) {
        summary.error ??= `cannot hash file: ${describeError(e)}`;
      }
    }
    await source.close();
    progress(true);
  }
  return summary;
}

/** What a non-regular file is, in words for an error message; null for a regular file. */
function notRegular(st: Stats): string | null {
  if (st.isFile()) return null;
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** The chunks of `path` from its start, unhashed (the hashing source has moved on). */
async function fresh(path: string): Promise<AsyncIterable<Buffer>> {
  const s = await openSource(path, { hash: false, reuseBuffer: true });
  return (async function* (): AsyncGenerator<Buffer> {
    try {
      yield* s.chunks();
    } finally {
      await s.close();
    }
  })();
}

function applyFacts(summary: InputSummary, facts: PacketFacts, gzip: boolean): void {
  summary.packets = facts.packets;
  summary.commentedFrames = facts.commentedFrames;
  summary.linkTypes = facts.linkTypes;
  summary.tsDigits = facts.tsDigits;
  summary.firstTs = facts.firstTs;
  summary.lastTs = facts.lastTs;
  if (facts.producer) summary.producer = facts.producer;
  if (facts.fatal) summary.error = facts.fatal;
  else if (facts.readError) summary.error = gzip ? `gzip stream damaged: ${facts.readError}` : `read failed: ${facts.readError}`;
}

/** How a pipelined run ended: the dissector's facts (null if its worker never started) and the hash. */
interface PipelineResult {
  facts: PacketFacts | null;
  /** Hex SHA-256, or null when the hash worker failed (hashError) or never started. */
  sha256: string | null;
  hashError: string | null;
  dissectCpuMs: number | null;
  hashCpuMs: number | null;
}

/**
 * Dissect `path` on one worker thread and hash it on another, feeding the records to
 * `sink` here as they come. A worker that fails before it starts leaves its part
 * (null) to the caller, who then does it on this thread.
 */
function runPipeline(
  path: string,
  inputId: number,
  kind: 'pcap' | 'pcapng',
  sink: RecordSink,
  summary: InputSummary,
  signal: AbortSignal | undefined,
  onBatch: (bytesRead: number) => void,
): Promise<PipelineResult> {
  const control = new SharedArrayBuffer(CTL_SLOTS * 4);
  const ctl = new Int32Array(control);
  const data: DissectWorkerData = { path, inputId, kind, control };
  const result: PipelineResult = { facts: null, sha256: null, hashError: null, dissectCpuMs: null, hashCpuMs: null };
  const ring = createHashRing(RAW_CHUNK);

  const hashed = new Promise<void>((done) => {
    const hasher = startWorker('hash', ring);
    if (hasher === null) {
      done();
      return;
    }
    // The dissect worker reads into the ring only when someone hashes from it.
    data.hashRing = ring;
    hasher.on('message', (m: HashWorkerMessage) => {
      if (m.type === 'hash') {
        result.sha256 = m.sha256;
        result.hashCpuMs = m.cpuMs;
      } else if (m.type === 'failed') {
        result.hashError = m.error;
      }
      // 'incomplete': the file was not read to its end; the caller hashes it.
    });
    // An error before any message means the worker never ran: the caller hashes instead.
    hasher.on('error', () => undefined);
    hasher.on('exit', () => {
      consumerGone(ring);
      done();
    });
  });

  const dissected = new Promise<void>((done, fail) => {
    const worker = startWorker('dissect', data);
    if (worker === null) {
      producerGone(ring);
      done();
      return;
    }
    let started = false;
    let ended = false;
    let failure: unknown = null;
    const cancel = (): void => {
      Atomics.store(ctl, CTL_CANCEL, 1);
      Atomics.notify(ctl, CTL_INFLIGHT);
    };
    signal?.addEventListener('abort', cancel, { once: true });
    if (signal?.aborted) cancel();
    worker.on('message', (m: DissectWorkerMessage) => {
      if (failure !== null) return;
      switch (m.type) {
        case 'ready':
          started = true;
          break;
        case 'batch':
          try {
            replayBatch(m.batch, sink);
          } catch (e) {
            // The sink (the case store) failed: stop the worker; the caller sees a throw, as in-thread.
            failure = e;
            cancel();
            void worker.terminate();
            return;
          }
          summary.packets = m.batch.packets;
          Atomics.sub(ctl, CTL_INFLIGHT, 1);
          Atomics.notify(ctl, CTL_INFLIGHT);
          onBatch(m.batch.bytesRead);
          break;
        case 'done':
          ended = true;
          result.facts = m.facts;
          result.dissectCpuMs = m.cpuMs;
          break;
        case 'failed':
          failure = new Error(`dissect worker failed: ${m.error}`);
          break;
      }
    });
    worker.on('error', (e) => {
      if (started && failure === null) failure = e;
    });
    worker.on('exit', () => {
      producerGone(ring);
      signal?.removeEventListener('abort', cancel);
      // Not even loaded: nothing was read, so doing it on this thread loses nothing.
      if (!started) done();
      else if (failure !== null) fail(failure);
      else if (!ended) fail(new Error('dissect worker stopped before the end of the file'));
      else done();
    });
  });

  // Both settle before the caller goes on, so no worker outlives the import.
  return Promise.allSettled([dissected, hashed]).then(([d]) => {
    if (d.status === 'rejected') throw d.reason;
    return result;
  });
}

/** Pass chunks through, stopping when the signal aborts, and report progress after each. */
async function* abortable(src: AsyncIterable<Buffer>, signal: AbortSignal | undefined, tick: () => void): AsyncGenerator<Buffer> {
  for await (const c of src) {
    if (signal?.aborted) return;
    yield c;
    tick();
  }
}
