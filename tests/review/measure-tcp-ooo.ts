/**
 * Review measurement (not a test): N one-byte out-of-order segments, highest sequence
 * first. Before the segment-count cap this cost O(N²) (11 s for 80 000); with
 * MAX_OOO_SEGMENTS it stays linear. tests/review/tcp-ooo-segment-cap.test.ts checks the cap.
 *
 *   npx node tests/review/measure-tcp-ooo.ts 20000   # then 40000, 80000: time grows ~N²
 */
import { Dissector } from '../../electron/engine/dissect/dissector.ts';
import '../../electron/engine/protocols/index.ts';
import { CollectingSink } from '../../electron/engine/records.ts';
import { SYN, frame, tcp } from './review-bytes.ts';

const n = Number(process.argv[2] ?? 20000);
const client = '192.168.1.2';
const server = '203.0.113.5';
const d = new Dissector(1, new CollectingSink());
d.frame(frame(1, tcp(client, 40000, server, 9999, 1000, 0, SYN), 1_600_000_000, 0));
// The byte at sequence 1001 never comes, so every later segment waits in the buffer.
const frames: Buffer[] = [];
for (let k = n; k >= 1; k--) frames.push(tcp(client, 40000, server, 9999, 1001 + k, 0, 0x18, Buffer.from('x')));
const t0 = performance.now();
frames.forEach((f, i) => d.frame(frame(i + 2, f, 1_600_000_000, i + 1)));
const ms = performance.now() - t0;
console.log(`segments=${n} time=${ms.toFixed(0)} ms buffered=${d.occupancy.outOfOrderBytes} bytes`);
