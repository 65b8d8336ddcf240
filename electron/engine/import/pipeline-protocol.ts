/** What import-file.ts and dissect-worker.ts say to each other during a pipelined import. */
import type { RecordBatch } from './record-batch.ts';
import type { PacketFacts } from './read-packets.ts';
import type { HashRingData } from './hash-ring.ts';

/** Index in the shared control array: batches posted and not yet stored. */
export const CTL_INFLIGHT = 0;
/** Index in the shared control array: non-zero once the import is cancelled. */
export const CTL_CANCEL = 1;
export const CTL_SLOTS = 2;

/**
 * Batches the worker may have in flight before it waits. A batch is at most one read
 * chunk of records (or about 4 MiB of bodies), so this bounds the records' memory to a
 * few tens of MiB however far the dissector could run ahead of the store.
 */
export const MAX_INFLIGHT = 4;

export interface DissectWorkerData {
  path: string;
  inputId: number;
  kind: 'pcap' | 'pcapng';
  /** SharedArrayBuffer of CTL_SLOTS Int32 slots. */
  control: SharedArrayBuffer;
  /** The ring the hash worker hashes from; absent when no hash worker runs (the caller then hashes). */
  hashRing?: HashRingData;
}

export type DissectWorkerMessage =
  | { type: 'ready' }
  | { type: 'batch'; batch: RecordBatch }
  | { type: 'done'; facts: PacketFacts; cpuMs: number }
  | { type: 'failed'; error: string };
