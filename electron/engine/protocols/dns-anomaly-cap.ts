/**
 * Per-input cap on anomalies reported by the DNS, mDNS, NBNS, DHCP and HTTP modules.
 * Protocol modules write to the sink directly, so a capture full of broken packets on
 * port 53 or 80 could otherwise bury the store in near-identical anomaly records.
 * After the cap, one record says that further ones of that layer were not kept.
 *
 * The counters are keyed by input id and live as long as the process: input ids are
 * unique within a case, and the map holds one small entry per (input, layer).
 */
import type { RecordSink } from '../records.ts';

/** Anomalies kept per input and layer. */
export const ANOMALIES_PER_LAYER = 1000;

const counts = new Map<string, number>();

/** Report an anomaly unless this input already reported ANOMALIES_PER_LAYER of this layer. */
export function cappedAnomaly(sink: RecordSink, input: number, frame: number | null, layer: string, error: string): void {
  const key = `${input}|${layer}`;
  const n = (counts.get(key) ?? 0) + 1;
  counts.set(key, n);
  if (n <= ANOMALIES_PER_LAYER) {
    sink.anomaly({ input, frame, layer, error });
  } else if (n === ANOMALIES_PER_LAYER + 1) {
    sink.anomaly({ input, frame, layer, error: `more than ${ANOMALIES_PER_LAYER} ${layer} anomalies in this input; the rest are not recorded` });
  }
}
