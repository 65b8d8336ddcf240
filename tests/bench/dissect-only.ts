/**
 * `node tests/bench/dissect-only.ts <capture>`: the engine's reader, dissector and
 * protocol analyzers (importFile) into a sink that only counts, so the benchmark can
 * tell parsing time from case-store time. Prints one JSON line.
 */
import { importFile } from '../../electron/engine/import/import-file.ts';
import { countingSink } from './counting-sink.ts';

const { sink, counts } = countingSink();

const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: node tests/bench/dissect-only.ts <capture>\n');
  process.exit(1);
}
const summary = await importFile(path, 1, sink);
process.stdout.write(`${JSON.stringify({ packets: summary.packets, size: summary.size, error: summary.error, records: counts })}\n`);
