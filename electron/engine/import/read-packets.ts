/**
 * The packet half of an import: a pcap or pcapng stream through its reader and the
 * dissector into a record sink, with the input's summary figures (packets, time span,
 * link types, producer). Shared by the in-thread import and the dissect worker.
 */
import { MAX_SANE_SEC } from '../capture/anomaly-gate.ts';
import { createPcapReader } from '../capture/pcap-reader.ts';
import { createPcapngReader } from '../capture/pcapng-reader.ts';
import type { CaptureInterface, PacketReader, PacketReaderEvents, RawFrame, ReaderAnomaly } from '../capture/types.ts';
import { Dissector } from '../dissect/dissector.ts';
import '../protocols/index.ts';
import type { RecordSink } from '../records.ts';
import { toNs } from '../util/time.ts';

const SECRET_TYPE_NAMES: Record<number, string> = {
  0x544c534b: 'TLS key log',
  0x57474b4c: 'WireGuard key log',
  0x5a4e574b: 'ZigBee NWK key',
  0x5a415053: 'ZigBee APS key',
  0x4f504355: 'OPC UA key log',
};

/** What reading the packets found out about the input, besides the records. */
export interface PacketFacts {
  packets: number;
  commentedFrames: number;
  linkTypes: number[];
  tsDigits: number;
  firstTs: bigint | null;
  lastTs: bigint | null;
  /** The reader's fatal error (bad header, lost framing), if any. */
  fatal: string | null;
  /** Why reading stopped early (I/O error, damaged gzip stream), if it did. */
  readError: string | null;
  producer: string | null;
}

/** Live counters while reading, for progress reports. */
export interface PacketProgress {
  packets: number;
}

/**
 * Stream `chunks` (pcap or pcapng) through a reader and a dissector into `sink`.
 * `stop()` is asked after every chunk; once it says yes, the rest is not read but
 * what was read is still finished (open flows are flushed into records).
 */
export async function readPackets(
  kind: 'pcap' | 'pcapng',
  chunks: AsyncIterable<Buffer>,
  inputId: number,
  sink: RecordSink,
  stop: () => boolean,
  onChunk: (live: PacketProgress) => void,
): Promise<PacketFacts> {
  const dissector = new Dissector(inputId, sink);
  const linkTypes = new Set<number>();
  const live: PacketProgress = { packets: 0 };
  let commented = 0;
  let digits = 0;
  // Earliest/latest sane timestamp as (sec, nsec) pairs: cheap number compares per frame.
  let minSec = Infinity;
  let minNsec = 0;
  let maxSec = -Infinity;
  let maxNsec = 0;

  const events: PacketReaderEvents = {
    frame(f: RawFrame) {
      live.packets++;
      if (f.comment !== null) commented++;
      const s = f.tsSec;
      if (s >= 0 && s <= MAX_SANE_SEC) {
        if (s < minSec || (s === minSec && f.tsNsec < minNsec)) {
          minSec = s;
          minNsec = f.tsNsec;
        }
        if (s > maxSec || (s === maxSec && f.tsNsec > maxNsec)) {
          maxSec = s;
          maxNsec = f.tsNsec;
        }
      }
      dissector.frame(f);
    },
    iface(i: CaptureInterface) {
      linkTypes.add(i.linkType);
      if (i.tsDigits > digits) digits = i.tsDigits;
    },
    anomaly(a: ReaderAnomaly) {
      sink.anomaly({ input: inputId, frame: a.frame, layer: a.layer, error: a.error });
    },
    secrets(type: number, data: Buffer) {
      sink.secret({ input: inputId, type, typeName: SECRET_TYPE_NAMES[type] ?? `0x${type.toString(16)}`, data: Buffer.from(data) });
    },
    nameResolution(ip: string, names: string[]) {
      for (const name of names) sink.name({ input: inputId, frame: null, ts: minSec === Infinity ? 0n : toNs(minSec, minNsec), ip, mac: null, name, source: 'nrb' });
    },
    sectionComment(text: string) {
      // Some writers paste a TLS key log into the section comment (see the pcapng-example
      // corpus file); keep it with the other secrets for the decryption pass.
      if (/^(CLIENT_RANDOM|CLIENT_HANDSHAKE_TRAFFIC_SECRET|SERVER_HANDSHAKE_TRAFFIC_SECRET|CLIENT_TRAFFIC_SECRET_0) /m.test(text)) {
        sink.secret({ input: inputId, type: 0x544c534b, typeName: 'TLS key log (section comment)', data: Buffer.from(text, 'utf8') });
      }
    },
  };

  const reader: PacketReader = kind === 'pcap' ? createPcapReader(events) : createPcapngReader(events);
  let stopped = false;
  let readError: string | null = null;
  try {
    for await (const chunk of chunks) {
      reader.push(chunk);
      if (reader.fatal) break;
      onChunk(live);
      if (stop()) {
        stopped = true;
        break;
      }
    }
  } catch (e) {
    // What was read before the failure is still dissected to the end (flows flushed).
    readError = describeError(e);
    stopped = true;
  }
  if (!reader.fatal && !stopped && !stop()) reader.end();
  dissector.finish();

  return {
    packets: live.packets,
    commentedFrames: commented,
    linkTypes: [...linkTypes].sort((a, b) => a - b),
    tsDigits: digits || reader.tsDigits || 6,
    firstTs: minSec === Infinity ? null : toNs(minSec, minNsec),
    lastTs: minSec === Infinity ? null : toNs(maxSec, maxNsec),
    fatal: reader.fatal,
    readError,
    producer: reader.producer ?? null,
  };
}

/** A short, user-facing reason for a file-system or stream error. */
export function describeError(e: unknown): string {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    const code = String((e as { code: unknown }).code);
    if (code === 'ENOENT') return 'no such file';
    if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
    if (code === 'EISDIR') return 'is a directory, not a file';
  }
  return e instanceof Error ? e.message : String(e);
}
