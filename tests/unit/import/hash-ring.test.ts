/**
 * The hash ring between the dissect worker (producer, here the test thread) and the
 * hash worker (a real worker thread): the digest covers exactly the bytes published,
 * in order, however many times the slots are reused; a changed file, a producer that
 * stops early and a consumer that goes away are each reported, and nobody waits forever.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import {
  END_CHANGED, END_COMPLETE, END_INCOMPLETE, RING_SLOTS, RingProducer, consumeRing, consumerGone, createHashRing, producerGone,
  type HashRingData,
} from '../../../electron/engine/import/hash-ring.ts';
import type { HashWorkerMessage } from '../../../electron/engine/import/hash-worker.ts';

const SLOT = 64 * 1024;

function startHasher(ring: HashRingData): { worker: Worker; result: Promise<HashWorkerMessage> } {
  const worker = new Worker(new URL('../../../electron/engine/import/hash-worker.ts', import.meta.url), { workerData: ring });
  const result = new Promise<HashWorkerMessage>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { worker, result };
}

/** Publish `data` through the ring in pieces of at most `piece` bytes. */
function produce(ring: HashRingData, data: Buffer, piece: number): RingProducer {
  const p = new RingProducer(ring);
  for (let at = 0; at < data.length; at += piece) {
    const slot = p.next();
    const n = data.copy(slot, 0, at, Math.min(at + piece, data.length));
    p.filled(n);
  }
  return p;
}

describe('hash ring', () => {
  it('hashes every published byte in order, many times round the ring', async () => {
    const ring = createHashRing(SLOT);
    const data = randomBytes(SLOT * RING_SLOTS * 5 + 777);
    const { worker, result } = startHasher(ring);
    // Uneven pieces: full slots and short ones.
    produce(ring, data, SLOT - 1000).end(END_COMPLETE);
    const m = await result;
    await worker.terminate();
    expect(m.type).toBe('hash');
    expect(m.type === 'hash' && m.sha256).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('reports a file that changed while it was read, and a producer that stopped early', async () => {
    for (const [status, expected] of [
      [END_CHANGED, { type: 'failed', error: 'the file changed while it was being hashed' }],
      [END_INCOMPLETE, { type: 'incomplete' }],
    ] as const) {
      const ring = createHashRing(SLOT);
      const { worker, result } = startHasher(ring);
      produce(ring, randomBytes(SLOT * 2), SLOT).end(status);
      expect(await result).toStrictEqual(expected);
      await worker.terminate();
    }
  });

  it('frees the consumer when the producer is gone, and the producer when the consumer is', async () => {
    const ring = createHashRing(SLOT);
    const { worker, result } = startHasher(ring);
    produce(ring, randomBytes(100), 100);
    // The dissect worker died without a word: the thread that started it says so.
    producerGone(ring);
    expect(await result).toStrictEqual({ type: 'incomplete' });
    await worker.terminate();

    // No consumer at all: once it is marked gone, the producer runs round the ring without waiting.
    const lonely = createHashRing(SLOT);
    consumerGone(lonely);
    const p = produce(lonely, randomBytes(SLOT * RING_SLOTS * 3), SLOT);
    p.end(END_COMPLETE);
  });

  it('lets a consumer finish what was published before the end', () => {
    // Within the ring's capacity, producer and consumer can take turns on one thread.
    const ring = createHashRing(SLOT);
    const data = randomBytes(SLOT * (RING_SLOTS - 1) + 5);
    produce(ring, data, SLOT).end(END_COMPLETE);
    const got: Buffer[] = [];
    expect(consumeRing(ring, (c) => got.push(Buffer.from(c)))).toBe(END_COMPLETE);
    expect(Buffer.concat(got).equals(data)).toBe(true);
  });
});
