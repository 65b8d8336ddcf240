/** Shared helpers for the capture reader tests: corpus access, truth parsing, frame collection. */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CaptureInterface, PacketReader, PacketReaderEvents, ReaderAnomaly } from '../../../electron/engine/capture/types.ts';

export const CORPUS = fileURLToPath(new URL('../../fixtures/corpus/', import.meta.url));

export function corpusFiles(ext: string): string[] {
  return readdirSync(CORPUS).filter((f) => f.endsWith(ext)).sort();
}

export function corpusBytes(name: string): Buffer {
  return readFileSync(CORPUS + name);
}

// Truth sidecars are loose JSON written by a Python tool; tests read only what they check.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Truth = Record<string, any>;

export function truthOf(name: string): Truth | null {
  try {
    return JSON.parse(readFileSync(`${CORPUS}${name}.truth.json`, 'utf8')) as Truth;
  } catch {
    return null;
  }
}

/**
 * Wireshark's WTAP_ENCAP number for a LINKTYPE_* value, as in the table of
 * wiretap/pcap-common.c: tshark's truth files speak WTAP numbers, readers LINKTYPE ones.
 */
export const LINKTYPE_TO_WTAP: Record<number, number> = {
  0: 15, // NULL/Loopback
  1: 1, // Ethernet
  101: 7, // Raw IP
  113: 25, // Linux SLL
  228: 129, // Raw IPv4
  229: 130, // Raw IPv6
  276: 210, // Linux SLL2
};

/** The number in tshark's "Ethernet (1 - ether)" encapsulation names. */
export function wtapOfName(s: string): number {
  const m = /\((\d+) - /.exec(s);
  if (!m) throw new Error(`cannot read encapsulation ${s}`);
  return Number(m[1]);
}

/**
 * A tshark epoch string as [seconds, nanoseconds]. tshark 4.0 prints an out-of-range
 * nanosecond field as is (10 digits), and with a '-' when the field is >= 2^31 (it
 * formats it as signed): both are undone here and the fraction is carried into the
 * seconds, which is what the readers do.
 */
export function tsharkTs(s: string): [number, number] {
  let text = s;
  const [, fracText] = text.split('.');
  if (text.startsWith('-') && fracText.length > 9) text = text.slice(1);
  const [secText, frac] = text.split('.');
  const f = BigInt(frac.length > 9 ? frac : frac.padEnd(9, '0'));
  return [Number(secText) + Number(f / 1_000_000_000n), Number(f % 1_000_000_000n)];
}

export interface CollectedFrame {
  index: number;
  linkType: number;
  interfaceId: number;
  origLen: number;
  tsSec: number;
  tsNsec: number;
  comment: string | null;
  data: Buffer;
}

export interface Collected {
  frames: CollectedFrame[];
  ifaces: CaptureInterface[];
  anomalies: ReaderAnomaly[];
  secrets: Array<{ type: number; data: Buffer }>;
  names: Array<{ ip: string; names: string[] }>;
  sectionComments: string[];
  reader: PacketReader;
}

/** Run a reader over `buf`, pushed in the given chunk sizes (cycled), copying every frame. */
export function collect(create: (e: PacketReaderEvents) => PacketReader, buf: Buffer, sizes: number[] = [buf.length || 1]): Collected {
  const out: Omit<Collected, 'reader'> = { frames: [], ifaces: [], anomalies: [], secrets: [], names: [], sectionComments: [] };
  const reader = create({
    frame(f) {
      out.frames.push({ index: f.index, linkType: f.linkType, interfaceId: f.interfaceId, origLen: f.origLen, tsSec: f.tsSec, tsNsec: f.tsNsec, comment: f.comment, data: Buffer.from(f.data) });
    },
    iface(i) { out.ifaces.push({ ...i }); },
    anomaly(a) { out.anomalies.push({ ...a }); },
    secrets(type, data) { out.secrets.push({ type, data }); },
    nameResolution(ip, names) { out.names.push({ ip, names }); },
    sectionComment(text) { out.sectionComments.push(text); },
  });
  let pos = 0;
  let k = 0;
  while (pos < buf.length) {
    const n = Math.max(1, sizes[k++ % sizes.length]);
    reader.push(buf.subarray(pos, pos + n));
    pos += n;
  }
  reader.end();
  return { ...out, reader };
}

/** Frames reduced to comparable text (for chunking equivalence). */
export function frameDigest(frames: CollectedFrame[]): string[] {
  return frames.map((f) => `${f.index} ${f.linkType} ${f.interfaceId} ${f.origLen} ${f.tsSec}.${f.tsNsec} ${f.comment ?? '-'} ${f.data.toString('hex')}`);
}

/** Deterministic pseudo-random chunk sizes in [1, max] (xorshift; seeds make failures reproducible). */
export function chunkSizes(seed: number, count: number, max: number): number[] {
  let x = seed | 0 || 1;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out.push(1 + ((x >>> 0) % max));
  }
  return out;
}
