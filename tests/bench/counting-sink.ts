/**
 * A record sink that keeps only counts, for the benchmark scripts that time parsing
 * apart from the case store (dissect-only.ts, profile-import.ts --count).
 */
import type { RecordSink } from '../../electron/engine/records.ts';

interface RecordCounts {
  dns: number; tls: number; http: number; flows: number; names: number; anomalies: number; secrets: number; harPages: number;
}

/** A sink that counts each kind of record into `counts` and keeps nothing else. */
export function countingSink(): { sink: RecordSink; counts: RecordCounts } {
  const counts: RecordCounts = { dns: 0, tls: 0, http: 0, flows: 0, names: 0, anomalies: 0, secrets: 0, harPages: 0 };
  const sink: RecordSink = {
    dns: () => { counts.dns++; },
    tls: () => { counts.tls++; },
    http: () => { counts.http++; },
    flow: () => { counts.flows++; },
    name: () => { counts.names++; },
    anomaly: () => { counts.anomalies++; },
    secret: () => { counts.secrets++; },
    harPage: () => { counts.harPages++; },
  };
  return { sink, counts };
}
