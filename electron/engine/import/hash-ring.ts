/**
 * The ring through which a pipelined import hashes the bytes the dissect worker reads,
 * so the file is read once and the SHA-256 covers exactly the bytes dissected.
 *
 * A few chunk-sized slots in shared memory and a shared control array. The dissect
 * worker (producer) reads each raw chunk of the file into the next slot and publishes
 * it; the hash worker (consumer) hashes published slots in order and releases them.
 * The producer reuses a slot only once it is released, so the hash never sees a slot
 * being overwritten; the consumer never waits on the producer's event loop, only on
 * the counters. The thread that started both marks either side as gone when its
 * worker exits, so neither waits for a peer that will not come.
 */
import type { RawTee } from '../capture/file-source.ts';

/** Slots in the ring: one being dissected, one being hashed, one being read. */
export const RING_SLOTS = 3;

// Control array (Int32) layout.
const C_PUBLISHED = 0;
const C_CONSUMED = 1;
const C_END = 2;
const C_CONSUMER_GONE = 3;
const C_LENGTHS = 4;
const C_SLOTS = C_LENGTHS + RING_SLOTS;

/** The producer is still reading. */
export const END_RUNNING = 0;
/** Every byte of the file was published, and the file did not change meanwhile. */
export const END_COMPLETE = 1;
/** The file's size or modification time changed while it was read: it has no one hash. */
export const END_CHANGED = 2;
/** The producer stopped before the end of the file (read error, worker gone). */
export const END_INCOMPLETE = 3;

/** What both workers are given (structured-cloned; the buffers are shared, not copied). */
export interface HashRingData {
  slots: SharedArrayBuffer;
  control: SharedArrayBuffer;
  slotBytes: number;
}

/** Shared memory for a ring of RING_SLOTS slots of `slotBytes` each. */
export function createHashRing(slotBytes: number): HashRingData {
  return {
    slots: new SharedArrayBuffer(RING_SLOTS * slotBytes),
    control: new SharedArrayBuffer(C_SLOTS * 4),
    slotBytes,
  };
}

/** Called by the thread that started the workers once the producer is gone: the consumer stops waiting. */
export function producerGone(ring: HashRingData): void {
  const ctl = new Int32Array(ring.control);
  Atomics.compareExchange(ctl, C_END, END_RUNNING, END_INCOMPLETE);
  Atomics.notify(ctl, C_PUBLISHED);
}

/** Called by the thread that started the workers once the consumer is gone: the producer stops waiting. */
export function consumerGone(ring: HashRingData): void {
  const ctl = new Int32Array(ring.control);
  Atomics.store(ctl, C_CONSUMER_GONE, 1);
  Atomics.notify(ctl, C_CONSUMED);
}

/** Producer side, as the file source's raw tee: raw chunks are read straight into the slots. */
export class RingProducer implements RawTee {
  private readonly ctl: Int32Array;
  private readonly views: Buffer[] = [];
  private published = 0;

  constructor(ring: HashRingData) {
    this.ctl = new Int32Array(ring.control);
    for (let i = 0; i < RING_SLOTS; i++) this.views.push(Buffer.from(ring.slots, i * ring.slotBytes, ring.slotBytes));
  }

  /** The slot for the next chunk, once the consumer has released it (blocks until then). */
  next(): Buffer {
    const k = this.published;
    for (;;) {
      const c = Atomics.load(this.ctl, C_CONSUMED);
      if (k - c < RING_SLOTS || Atomics.load(this.ctl, C_CONSUMER_GONE) !== 0) break;
      // A timeout, not an endless wait: a consumer marked gone without notify is seen too.
      Atomics.wait(this.ctl, C_CONSUMED, c, 200);
    }
    return this.views[k % RING_SLOTS];
  }

  /** The slot last handed out now holds `n` bytes of the file: publish it. */
  filled(n: number): void {
    const k = this.published++;
    Atomics.store(this.ctl, C_LENGTHS + (k % RING_SLOTS), n);
    Atomics.store(this.ctl, C_PUBLISHED, this.published);
    Atomics.notify(this.ctl, C_PUBLISHED);
  }

  /** No more chunks: say why (END_COMPLETE, END_CHANGED or END_INCOMPLETE). */
  end(status: number): void {
    Atomics.compareExchange(this.ctl, C_END, END_RUNNING, status);
    Atomics.notify(this.ctl, C_PUBLISHED);
  }
}

/**
 * Consumer side: hand every published chunk, in order, to `take` (the bytes are valid
 * only during the call), until the producer ends. Returns how it ended (END_*).
 */
export function consumeRing(ring: HashRingData, take: (chunk: Buffer) => void): number {
  const ctl = new Int32Array(ring.control);
  const views: Buffer[] = [];
  for (let i = 0; i < RING_SLOTS; i++) views.push(Buffer.from(ring.slots, i * ring.slotBytes, ring.slotBytes));
  let k = 0;
  for (;;) {
    const p = Atomics.load(ctl, C_PUBLISHED);
    if (k < p) {
      const slot = k % RING_SLOTS;
      const n = Atomics.load(ctl, C_LENGTHS + slot);
      take(n === ring.slotBytes ? views[slot] : views[slot].subarray(0, n));
      k++;
      Atomics.store(ctl, C_CONSUMED, k);
      Atomics.notify(ctl, C_CONSUMED);
      continue;
    }
    const end = Atomics.load(ctl, C_END);
    if (end !== END_RUNNING) {
      // Published before it ended: hash that too before stopping.
      if (Atomics.load(ctl, C_PUBLISHED) > k) continue;
      return end;
    }
    Atomics.wait(ctl, C_PUBLISHED, p, 200);
  }
}
