/**
 * `node tests/bench/dissect-only.ts <capture>`: the engine's reader, dissector and
 * protocol analyzers (importFile) into a sink that only counts, so the benchmark can
 * tell parsing time from case-store time. Prints one JSON line.
 */
import { importFile } from '../../electron/engine/import/import-file.ts';
import type { RecordSink } from '../../electron/engine/records.ts';

const counts = { dns: 0, tls: 0, http: 0, flows: 0, names: 0, anomalies: 0, secrets: 0, harPages: 0 };
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

const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: node tests/bench/dissect-only.ts <capture>\n');
  process.exit(1);
}
const summary = await importFile(path, 1, sink);
process.stdout.write(`${JSON.stringify({ packets: summary.packets, size: summary.size, error: summary.error, records: counts })}\n`);
