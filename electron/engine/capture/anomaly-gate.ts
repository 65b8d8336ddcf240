/** Per-kind cap on repeated reader anomalies, so a damaged multi-GB file cannot flood the store. */
import type { PacketReaderEvents, ReaderAnomaly } from './types.ts';

/** Reports kept per kind of problem; the rest are summed up once at the end. */
export const ANOMALY_CAP_PER_KIND = 1000;

/** Latest second a timestamp may carry before it is called absurd: 9999-12-31T23:59:59Z. */
export const MAX_SANE_SEC = 253_402_300_799;

export class AnomalyGate {
  private readonly events: PacketReaderEvents;
  private readonly layer: ReaderAnomaly['layer'];
  private readonly counts = new Map<string, number>();
  private readonly labels = new Map<string, string>();

  constructor(events: PacketReaderEvents, layer: ReaderAnomaly['layer']) {
    this.events = events;
    this.layer = layer;
  }

  /** Report an anomaly of `kind` unless that kind already hit the cap; `label` words the summary. */
  report(kind: string, label: string, frame: number | null, error: string): void {
    const n = (this.counts.get(kind) ?? 0) + 1;
    this.counts.set(kind, n);
    if (n <= ANOMALY_CAP_PER_KIND) {
      this.events.anomaly({ frame, layer: this.layer, error });
    } else if (n === ANOMALY_CAP_PER_KIND + 1) {
      this.labels.set(kind, label);
    }
  }

  /** One summary anomaly per kind that went over the cap. */
  flush(): void {
    for (const [kind, label] of this.labels) {
      const extra = (this.counts.get(kind) ?? 0) - ANOMALY_CAP_PER_KIND;
      this.events.anomaly({ frame: null, layer: this.layer, error: `${extra} more ${label} not listed one by one` });
    }
    this.labels.clear();
  }
}
