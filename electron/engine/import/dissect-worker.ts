/**
 * Worker-thread side of a pipelined import (see import-file.ts): reads and dissects
 * one pcap/pcapng file and posts its records in batches, while the thread that
 * started it hashes the file and stores the records. Two cores then share the work
 * that one thread did in turn.
 *
 * Flow control is a counter in shared memory: the worker waits while too many
 * batches are unacknowledged, so a slow store bounds the memory the records take.
 *
 * With a hash ring (hash-ring.ts), every raw chunk is read into a slot the hash worker
 * hashes from: the file is read once. The worker then reads to the end of the file even
 * when the packets stop early (a fatal reader error, a cancel), and says whether the
 * file changed meanwhile.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { openSource, RAW_CHUNK, type FileSource } from '../capture/file-source.ts';
import { END_CHANGED, END_COMPLETE, END_INCOMPLETE, RingProducer } from './hash-ring.ts';
import { BatchingSink, type RecordBatch } from './record-batch.ts';
import { readPackets, type PacketFacts } from './read-packets.ts';
import { CTL_CANCEL, CTL_INFLIGHT, MAX_INFLIGHT, type DissectWorkerData, type DissectWorkerMessage } from './pipeline-protocol.ts';
import { jobData } from './worker-start.ts';

const port = parentPort;
if (!port) throw new Error('dissect-worker.ts must run as a worker thread');
// Set from the job (workerData, or the first message when started ahead: worker-start.ts).
let input: DissectWorkerData;
let ctl: Int32Array;

function post(m: DissectWorkerMessage, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(m, transfer);
}

function send(batch: RecordBatch, transfer: ArrayBuffer[]): void {
  Atomics.add(ctl, CTL_INFLIGHT, 1);
  post({ type: 'batch', batch }, transfer);
  for (;;) {
    const n = Atomics.load(ctl, CTL_INFLIGHT);
    if (n < MAX_INFLIGHT || Atomics.load(ctl, CTL_CANCEL) !== 0) return;
    // A timeout, not an endless wait: a cancel flag set without notify is seen too.
    Atomics.wait(ctl, CTL_INFLIGHT, n, 200);
  }
}

async function main(): Promise<void> {
  input = await jobData<DissectWorkerData>(port as MessagePort, workerData);
  ctl = new Int32Array(input.control);
  post({ type: 'ready' });
  const sink = new BatchingSink(send);
  const ring = input.hashRing === undefined || input.hashRing.slotBytes < RAW_CHUNK ? null : new RingProducer(input.hashRing);
  let source: FileSource;
  try {
    source = await openSource(input.path, { hash: false, reuseBuffer: true, tee: ring ?? undefined });
  } catch (e) {
    ring?.end(END_INCOMPLETE);
    throw e;
  }
  let facts: PacketFacts;
  try {
    facts = await readPackets(input.kind, source.chunks(), input.inputId, sink, () => Atomics.load(ctl, CTL_CANCEL) !== 0, (live) => {
      sink.bytesRead = source.rawBytesRead;
      sink.packets = live.packets;
      sink.flush();
    });
    if (ring !== null) await finishRing(ring, source, facts.readError !== null);
  } finally {
    ring?.end(END_INCOMPLETE);
    await source.close();
  }
  sink.bytesRead = source.rawBytesRead;
  sink.packets = facts.packets;
  sink.flush();
  const cpu = process.threadCpuUsage();
  post({ type: 'done', facts, cpuMs: (cpu.user + cpu.system) / 1000 });
}

/** Let the hash worker see the rest of the file, then say how the file ended. */
async function finishRing(ring: RingProducer, source: FileSource, readFailed: boolean): Promise<void> {
  if (readFailed) return; // reading again would fail again: the hash is left to the caller
  try {
    await source.readRest();
  } catch {
    return;
  }
  // The hash is of the bytes read; a file written to meanwhile has no one hash.
  ring.end((await source.unchanged()) ? END_COMPLETE : END_CHANGED);
}

main().catch((e: unknown) => {
  post({ type: 'failed', error: e instanceof Error ? e.message : String(e) });
});
