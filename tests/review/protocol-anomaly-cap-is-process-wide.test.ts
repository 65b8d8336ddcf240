/**
 * Review finding: anomaly-cap.ts counts anomalies in a module-level Map keyed by
 * `${input}|${layer}` that lives as long as the process. Input ids restart at 1 in every
 * case, so a second case imported in the same process (tests, benchmarks, any in-thread
 * import) inherits the first case's counts: its DNS/HTTP/DHCP/NBNS anomalies are dropped
 * from the very first one, without even the "more than N" summary line.
 */
import { describe, expect, it } from 'vitest';
import { Dissector } from '../../electron/engine/dissect/dissector.ts';
import { ANOMALIES_PER_LAYER } from '../../electron/engine/protocols/anomaly-cap.ts';
import '../../electron/engine/protocols/index.ts';
import { CollectingSink } from '../../electron/engine/records.ts';
import { frame, udp } from './review-bytes.ts';

/** Dissect `n` too-short DNS messages as input 1 of a fresh case; returns its DNS anomalies. */
function brokenDnsImport(n: number): number {
  const sink = new CollectingSink();
  const d = new Dissector(1, sink);
  for (let i = 1; i <= n; i++) d.frame(frame(i, udp('192.168.1.2', 40000 + (i % 1000), '192.168.1.1', 53, Buffer.from([1, 2, 3]))));
  d.finish();
  return sink.anomalyRecords.filter((a) => a.layer === 'dns').length;
}

describe('review: per-input anomaly cap shared across cases', () => {
  it('gives a second case with the same input id its own anomalies', () => {
    const first = brokenDnsImport(ANOMALIES_PER_LAYER + 10);
    expect(first).toBe(ANOMALIES_PER_LAYER + 1);
    const second = brokenDnsImport(5);
    expect(second).toBe(5);
  });
});
