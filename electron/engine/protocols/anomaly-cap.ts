/**
 * Per-input cap on anomalies reported by the protocol modules (DNS, mDNS, NBNS, DHCP,
 * HTTP, TLS, QUIC). Protocol modules write to the sink directly, so a capture full of
 * broken packets on one port could otherwise bury the store in near-identical anomaly
 * records. After the cap, one record says that further ones of that layer were not kept.
 *
 * The counters belong to the sink the records go to (one per import: a case store, a
 * worker's batching sink, a test's collecting sink) and, within it, to the input id.
 * Input ids restart at 1 in every case, so a process-wide count would let one case's
 * anomalies silence the next case's; a WeakMap lets the counts go with their sink.
 */
import type { RecordSink } from '../records.ts';

/** Anomalies kept per input and layer. */
export const ANOMALIES_PER_LAYER = 1000;

const countsBySink = new WeakMap<RecordSink, Map<string, number>>();

/** Report an anomaly unless this input already reported ANOMALIES_PER_LAYER of this layer to this sink. */
export function cappedAnomaly(sink: RecordSink, input: number, frame: number | null, layer: string, error: string): void {
  let counts = countsBySink.get(sink);
  if (counts === undefined) {
    counts = new Map();
    countsBySink.set(sink, counts);
  }
  const key = `${input}|${layer}`;
  const n = (counts.get(key) ?? 0) + 1;
  counts.set(key, n);
  if (n <= ANOMALIES_PER_LAYER) {
    sink.anomaly({ input, frame, layer, error });
  } else if (n === ANOMALIES_PER_LAYER + 1) {
    sink.anomaly({ input, frame, layer, error: `more than ${ANOMALIES_PER_LAYER} ${layer} anomalies in this input; the rest are not recorded` });
  }
}
