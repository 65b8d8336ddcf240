/**
 * Import one capture or HAR file: open it read-only, hash it, decide its format by
 * magic bytes, stream it through the matching reader and the dissector, and send the
 * records to a sink. Bad input never throws: the summary's `error` says what went
 * wrong, and what was read before the problem is kept.
 */
import { openSource, type FileSource } from '../capture/file-source.ts';
import { readHar } from '../capture/har-reader.ts';
import { createPcapReader } from '../capture/pcap-reader.ts';
import { createPcapngReader } from '../capture/pcapng-reader.ts';
import { sniffFormat } from '../capture/sniff.ts';
import type { CaptureInterface, PacketReader, PacketReaderEvents, RawFrame, ReaderAnomaly } from '../capture/types.ts';
import { Dissector } from '../dissect/dissector.ts';
import '../protocols/index.ts';
import type { AnomalyRecord, RecordSink } from '../records.ts';
import { toNs } from '../util/time.ts';
import type { ImportProgress, InputSummary } from './types.ts';

export interface ImportOptions {
  signal?: AbortSignal;
  onProgress?: (p: ImportProgress) => void;
  /** Minimum milliseconds between progress callbacks. */
  progressIntervalMs?: number;
}

/** Latest second a timestamp may have and still count for the input's time span (year 9999). */
const MAX_SANE_SEC = 253402300799;

const SECRET_TYPE_NAMES: Record<number, string> = {
  0x544c534b: 'TLS key log',
  0x57474b4c: 'WireGuard key log',
  0x5a4e574b: 'ZigBee NWK key',
  0x5a415053: 'ZigBee APS key',
  0x4f504355: 'OPC UA key log',
};

/** Read `path` read-only and stream it through the matching reader and the dissector into `sink`. */
export async function importFile(path: string, inputId: number, sink: RecordSink, opts: ImportOptions = {}): Promise<InputSummary> {
  const summary: InputSummary = {
    format: null,
    gzip: false,
    sha256: '',
    size: 0,
    linkTypes: [],
    tsDigits: 6,
    packets: 0,
    entries: 0,
    firstTs: null,
    lastTs: null,
    anomalies: 0,
    error: null,
    producer: null,
    commentedFrames: 0,
  };
  let source: FileSource;
  try {
    source = await openSource(path);
  } catch (e) {
    summary.error = `cannot open file: ${describeError(e)}`;
    return summary;
  }
  summary.size = source.size;
  summary.gzip = source.gzip;

  const counting: RecordSink = {
    dns: (r) => sink.dns(r),
    tls: (r) => sink.tls(r),
    http: (r) => sink.http(r),
    flow: (r) => sink.flow(r),
    name: (r) => sink.name(r),
    secret: (r) => sink.secret(r),
    harPage: (r) => sink.harPage(r),
    anomaly: (r: AnomalyRecord) => {
      summary.anomalies++;
      sink.anomaly(r);
    },
  };

  const interval = opts.progressIntervalMs ?? 100;
  let lastProgress = 0;
  const progress = (force = false): void => {
    if (!opts.onProgress) return;
    const now = Date.now();
    if (!force && now - lastProgress < interval) return;
    lastProgress = now;
    opts.onProgress({ file: path, bytesRead: source.rawBytesRead, bytesTotal: source.size, packets: summary.packets, entries: summary.entries });
  };

  try {
    const it = source.chunks();
    const first = await it.next();
    if (first.done || first.value.length === 0) {
      summary.error = 'empty file: expected a pcap, pcapng or HAR capture';
      return summary;
    }
    const sniffed = sniffFormat(first.value);
    if (sniffed.kind === 'unknown') {
      summary.error = sniffed.reason;
      return summary;
    }
    summary.format = sniffed.kind;
    const rest = async function* (): AsyncGenerator<Buffer> {
      yield first.value;
      for (;;) {
        const n = await it.next();
        if (n.done) return;
        yield n.value;
      }
    };

    if (sniffed.kind === 'har') {
      summary.tsDigits = 3;
      const har = await readHar(abortable(rest(), opts.signal, () => progress()), inputId, counting, () => {
        summary.entries++;
      });
      summary.entries = har.entries;
      summary.firstTs = har.firstTs;
      summary.lastTs = har.lastTs;
      summary.error = har.error;
      summary.producer = [har.creator, har.browser].filter(Boolean).join(' / ') || null;
      // A HAR whose first timestamp has sub-millisecond digits (Firefox, mitmproxy) keeps them.
      summary.tsDigits = har.tsDigits ?? 3;
    } else {
      await readPackets(sniffed.kind, rest(), inputId, counting, summary, opts.signal, progress);
    }
    if (opts.signal?.aborted && !summary.error) summary.error = 'import cancelled';
  } catch (e) {
    summary.error = source.gzip ? `gzip stream damaged: ${describeError(e)}` : `read failed: ${describeError(e)}`;
  } finally {
    try {
      summary.sha256 = await source.digest();
    } catch (e) {
      summary.error ??= `cannot hash file: ${describeError(e)}`;
    }
    await source.close();
    progress(true);
  }
  return summary;
}

async function readPackets(
  kind: 'pcap' | 'pcapng',
  chunks: AsyncIterable<Buffer>,
  inputId: number,
  sink: RecordSink,
  summary: InputSummary,
  signal: AbortSignal | undefined,
  progress: () => void,
): Promise<void> {
  const dissector = new Dissector(inputId, sink);
  const linkTypes = new Set<number>();
  let digits = 0;
  // Earliest/latest sane timestamp as (sec, nsec) pairs: cheap number compares per frame.
  let minSec = Infinity;
  let minNsec = 0;
  let maxSec = -Infinity;
  let maxNsec = 0;

  const events: PacketReaderEvents = {
    frame(f: RawFrame) {
      summary.packets++;
      if (f.comment !== null) summary.commentedFrames++;
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
  for await (const chunk of chunks) {
    reader.push(chunk);
    if (reader.fatal) break;
    if (signal?.aborted) break;
    progress();
  }
  if (!reader.fatal && !signal?.aborted) reader.end();
  dissector.finish();

  summary.linkTypes = [...linkTypes].sort((a, b) => a - b);
  summary.tsDigits = digits || reader.tsDigits || 6;
  if (minSec !== Infinity) {
    summary.firstTs = toNs(minSec, minNsec);
    summary.lastTs = toNs(maxSec, maxNsec);
  }
  if (reader.fatal) summary.error = reader.fatal;
  const producer = (reader as PacketReader & { producer?: string | null }).producer;
  if (producer) summary.producer = producer;
}

/** Pass chunks through, stopping when the signal aborts, and report progress after each. */
async function* abortable(src: AsyncIterable<Buffer>, signal: AbortSignal | undefined, tick: () => void): AsyncGenerator<Buffer> {
  for await (const c of src) {
    if (signal?.aborted) return;
    yield c;
    tick();
  }
}

function describeError(e: unknown): string {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    const code = String((e as { code: unknown }).code);
    if (code === 'ENOENT') return 'no such file';
    if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
    if (code === 'EISDIR') return 'is a directory, not a file';
  }
  return e instanceof Error ? e.message : String(e);
}
