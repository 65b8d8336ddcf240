/**
 * Review finding: out-of-order TCP segments were capped by bytes only, so a hostile
 * capture of many 1-byte segments (highest sequence first, the first byte never sent)
 * made every insert scan and splice an ever longer array: O(N²), 11 s for 80 000
 * segments and hours at the 2 MiB cap. The count is capped now (MAX_OOO_SEGMENTS); this
 * checks the bound on what is held, not a time, and that no byte is silently lost: what
 * could not wait is delivered after a declared gap.
 */
import { describe, expect, it } from 'vitest';
import { Dissector } from '../../electron/engine/dissect/dissector.ts';
import { MAX_OOO_SEGMENTS } from '../../electron/engine/dissect/tcp-stream.ts';
import '../../electron/engine/protocols/index.ts';
import { CollectingSink } from '../../electron/engine/records.ts';
import { SYN, frame, tcp } from './review-bytes.ts';

describe('review: out-of-order TCP segments', () => {
  it('never holds more than MAX_OOO_SEGMENTS segments per direction, and counts the hole', () => {
    const n = MAX_OOO_SEGMENTS * 3;
    const sink = new CollectingSink();
    const d = new Dissector(1, sink);
    d.frame(frame(1, tcp('192.168.1.2', 40000, '203.0.113.5', 9999, 1000, 0, SYN), 1_600_000_000, 0));
    let peak = 0;
    for (let k = n; k >= 1; k--) {
      d.frame(frame(n - k + 2, tcp('192.168.1.2', 40000, '203.0.113.5', 9999, 1001 + k, 0, 0x18, Buffer.from('x')), 1_600_000_000, n - k + 1));
      peak = Math.max(peak, d.occupancy.outOfOrderBytes);
    }
    expect(peak).toBeLessThanOrEqual(MAX_OOO_SEGMENTS + 1);
    d.finish();
    const flow = sink.flowRecords.find((f) => f.dstPort === 9999);
    expect(flow).toBeDefined();
    // At least the byte at 1001 was never captured.
    expect(flow?.gapBytes).toBeGreaterThan(0);
  });
});
