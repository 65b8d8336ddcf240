/**
 * A large capture made of real traffic: copies of a real capture written one after
 * another until a size is reached, for benchmarks that should not rest on generated
 * packets alone.
 *
 * Copy k is the input shifted in time by k × (span of the input + gap), so every copy
 * starts strictly after the previous one ends. The default gap (10 minutes) is longer
 * than any idle timeout of the engine's dissector (TCP 300 s, UDP 120 s, closed TCP
 * connections linger 30 s, IP fragments 60 s), so no connection of one copy is still
 * open when the next copy starts, and neither Telltale nor tshark can read a copy's
 * packets as retransmissions of the previous copy's.
 *
 * Client ports are varied per copy too (copy 0 keeps them), so flows stay distinct even
 * for tools that track conversations by address and port alone, as tshark does: a TCP
 * SYN with the same ports and the same initial sequence number would otherwise continue
 * the old conversation. Only ports whose side is known to be the client change:
 *   - TCP: the (address, port) that sent a SYN without ACK anywhere in the input, when
 *     that port is 1024 or above (an active FTP data connection, opened by the server
 *     from port 20, keeps its ports);
 *   - UDP, and TCP connections where neither side is such an endpoint (their SYN was
 *     before the capture began): the port of 1024 or above when the other port is below
 *     1024 (DNS, NTP, QUIC clients of port 443, HTTP clients of port 80). Between two
 *     high ports or two low ones nothing changes.
 * A changed port stays in its range (1024–32767, 32768–49151 or 49152–65535) through a
 * bijection of that range, so no two client ports of one copy meet and no port drops
 * below 1024. Which side holds the lower port (what tools fall back on without a SYN,
 * and the port tshark tries first) therefore stays the same whenever the server port
 * is below 1024 or below the client's range; only a client in 1024–32767 talking to a
 * server port above 1024 could swap, and current systems take client ports from 32768
 * up. What keeps its ports (UDP or SYN-less TCP between two high ports) is apart in
 * time all the same.
 *
 * Checksums: a port change updates the TCP/UDP checksum incrementally (RFC 1624), so a
 * checksum that was right stays right and one that was wrong (checksum offload on the
 * capturing host) stays wrong by the same amount; a UDP checksum of 0 (none) stays 0.
 * Neither Telltale nor tshark (by default) verifies checksums, but Zeek, for one, does.
 *
 * Input: pcap or pcapng, gzip-compressed or not, read with the engine's own readers.
 * Output: classic pcap with the input's link type (and FCS flag) and its timestamp
 * resolution (nanoseconds if any interface has more than microseconds). A pcapng with
 * interfaces of different link types cannot go into one classic pcap and is refused.
 * pcapng comments, name-resolution and decryption-secrets blocks are not copied.
 *
 * Memory: an input that decodes to under 64 MB is held once in memory and re-parsed for
 * each copy; a larger one is read again from disk for each copy.
 *
 * CLI: node tools/synth/replay-capture.ts <in.pcap|pcapng> <out.pcap> --size 1G [--gap 10m]
 *      [--copies N] [--same-ports] [--force]
 */
import { existsSync, unlinkSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { openSource } from '../../electron/engine/capture/file-source.ts';
import { createPcapReader } from '../../electron/engine/capture/pcap-reader.ts';
import { createPcapngReader } from '../../electron/engine/capture/pcapng-reader.ts';
import { sniffDecoded } from '../../electron/engine/capture/sniff.ts';
import type { CaptureInterface, PacketReader, PacketReaderEvents, RawFrame } from '../../electron/engine/capture/types.ts';
import { LINK_IPV4, LINK_IPV6, parseLink, type LinkInfo } from '../../electron/engine/dissect/link.ts';
import { parseSize } from './bench-capture.ts';
import { createPcapWriter } from './writer.ts';

export interface ReplayOptions {
  /** Write whole copies until the output reaches this size (at least one copy). */
  targetBytes?: number;
  /** Exactly this many copies (instead of `targetBytes`). */
  copies?: number;
  /** Time between the end of one copy and the start of the next, ns (default 10 min). */
  gapNs?: bigint;
  /** Vary client ports per copy (default true). */
  varyPorts?: boolean;
  /** Inputs that decode to fewer bytes are held in memory between copies (default 64 MiB). */
  holdBytes?: number;
  /** Called after each copy is written. */
  onProgress?: (copiesWritten: number, copies: number, bytesWritten: number) => void;
}

export interface ReplayReport {
  input: string;
  /** SHA-256 of the input file as it is on disk. */
  inputSha256: string;
  inputBytes: number;
  inputFormat: 'pcap' | 'pcapng';
  inputGzip: boolean;
  output: string;
  linkType: number;
  nanosecond: boolean;
  framesPerCopy: number;
  copies: number;
  frames: number;
  bytes: number;
  firstTsNs: bigint;
  lastTsNs: bigint;
  /** Last timestamp minus first timestamp of the input, ns. */
  spanNs: bigint;
  gapNs: bigint;
  /** Time shift from one copy to the next: span + gap (rounded up to the output's resolution). */
  strideNs: bigint;
  /** TCP (address, port) pairs seen sending a SYN, whose port changes per copy. */
  tcpClientEndpoints: number;
  /** Frames of one copy whose ports change in copies after the first. */
  framesWithPortChanges: number;
  /** The input was held in memory (under 64 MB decoded) rather than re-read per copy. */
  heldInMemory: boolean;
  /** Reader anomalies in the input (each copy has them too). */
  inputAnomalies: string[];
  elapsedMs: number;
}

/** Default gap between copies: twice the engine's longest idle timeout (TCP, 300 s). */
export const DEFAULT_GAP_NS = 600_000_000_000n;
/** Inputs that decode to less than this are held in memory between copies. */
const HOLD_LIMIT = 64 * 1024 * 1024;
const PCAP_FILE_HEADER = 24;
const PCAP_RECORD_HEADER = 16;
/** Step of the port bijection; coprime with every range size below, so ports cycle through the whole range. */
const PORT_STRIDE = 7919;

/** Parse "600s", "10m", "1h", "250ms" or a plain number of seconds into nanoseconds. */
export function parseDuration(text: string): bigint {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?$/i.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${text} (use e.g. 600s, 10m or 1h)`);
  const unit = (m[2] ?? 's').toLowerCase();
  const mult = unit === 'ms' ? 1e6 : unit === 's' ? 1e9 : unit === 'h' ? 3600e9 : 60e9;
  return BigInt(Math.round(Number(m[1]) * mult));
}

/** Port `p` of copy `k`: a bijection of p's range that leaves copy 0 alone. */
export function shiftedPort(p: number, k: number): number {
  if (k === 0 || p < 1024) return p;
  const lo = p >= 49152 ? 49152 : p >= 32768 ? 32768 : 1024;
  const size = p >= 49152 ? 16384 : p >= 32768 ? 16384 : 31744;
  return lo + ((p - lo + ((k * PORT_STRIDE) % size)) % size);
}

const IPV6_HOP = 0;
const IPV6_ROUTING = 43;
const IPV6_FRAGMENT = 44;
const IPV6_AH = 51;
const IPV6_DSTOPTS = 60;

/** Offset of the TCP/UDP header in d[ip, end), its protocol in `out.proto`; -1 when there is none to rewrite. */
function transportOffset(d: Buffer, ip: number, end: number, kind: number, out: { proto: number }): number {
  if (kind === LINK_IPV4) {
    if (ip + 20 > end) return -1;
    const ihl = (d[ip] & 0x0f) * 4;
    // A later fragment has no transport header; only the first one carries the ports.
    if ((((d[ip + 6] << 8) | d[ip + 7]) & 0x1fff) !== 0) return -1;
    out.proto = d[ip + 9];
    return ihl >= 20 && ip + ihl <= end ? ip + ihl : -1;
  }
  if (ip + 40 > end) return -1;
  let next = d[ip + 6];
  let off = ip + 40;
  for (let depth = 0; depth < 8; depth++) {
    if (next === 6 || next === 17) {
      out.proto = next;
      return off;
    }
    if (off + 8 > end) return -1;
    if (next === IPV6_HOP || next === IPV6_ROUTING || next === IPV6_DSTOPTS) {
      next = d[off];
      off += (d[off + 1] + 1) * 8;
    } else if (next === IPV6_FRAGMENT) {
      if ((((d[off + 2] << 8) | d[off + 3]) & 0xfff8) !== 0) return -1;
      next = d[off];
      off += 8;
    } else if (next === IPV6_AH) {
      next = d[off];
      off += (d[off + 1] + 2) * 4;
    } else {
      return -1;
    }
  }
  return -1;
}

/** Text key of an address and port (only built for SYNs and for packets whose port is a known client port). */
function endpointKey(d: Buffer, ip: number, kind: number, src: boolean, port: number): string {
  const at = kind === LINK_IPV4 ? ip + (src ? 12 : 16) : ip + (src ? 8 : 24);
  return `${d.toString('hex', at, at + (kind === LINK_IPV4 ? 4 : 16))}:${port}`;
}

/** Replace the 16-bit word at `at` and fix the checksum at `sumAt` incrementally (RFC 1624, eqn. 3). */
function patchWord(d: Buffer, at: number, value: number, sumAt: number, end: number, udp: boolean): void {
  const old = (d[at] << 8) | d[at + 1];
  d[at] = value >> 8;
  d[at + 1] = value & 0xff;
  if (sumAt + 2 > end) return; // the checksum was not captured
  const hc = (d[sumAt] << 8) | d[sumAt + 1];
  if (udp && hc === 0) return; // no UDP checksum
  let sum = (~hc & 0xffff) + (~old & 0xffff) + value;
  sum = (sum & 0xffff) + (sum >>> 16);
  sum = (sum & 0xffff) + (sum >>> 16);
  let out = ~sum & 0xffff;
  if (udp && out === 0) out = 0xffff; // 0 means "no checksum" in UDP
  d[sumAt] = out >> 8;
  d[sumAt + 1] = out & 0xff;
}

interface Survey {
  format: 'pcap' | 'pcapng';
  gzip: boolean;
  sha256: string;
  sizeOnDisk: number;
  held: Buffer[] | null;
  ifaces: CaptureInterface[];
  frames: number;
  capturedBytes: number;
  maxCaptured: number;
  minTs: bigint;
  maxTs: bigint;
  clientEndpoints: Set<string>;
  /** Ports that occur in `clientEndpoints`: a cheap first test before building a key. */
  clientPorts: Set<number>;
  anomalies: string[];
}

const TCP_SYN = 0x02;
const TCP_ACK = 0x10;

/** Feed the decoded bytes of `path` (or `held`) to the engine's reader for its format. */
async function readCapture(path: string, held: Buffer[] | null, format: 'pcap' | 'pcapng', events: PacketReaderEvents): Promise<PacketReader> {
  const reader = format === 'pcap' ? createPcapReader(events) : createPcapngReader(events);
  if (held !== null) {
    for (const c of held) reader.push(c);
  } else {
    const src = await openSource(path, { hash: false, reuseBuffer: true });
    try {
      for await (const c of src.chunks()) {
        reader.push(c);
        if (reader.fatal !== null) break;
      }
    } finally {
      await src.close();
    }
  }
  if (reader.fatal === null) reader.end();
  return reader;
}

/** First pass: format, interfaces, time span, size of one copy, TCP client endpoints, SHA-256; keeps a small input. */
async function survey(path: string, holdLimit: number): Promise<Survey> {
  const src = await openSource(path, { hash: true });
  const chunks: Buffer[] = [];
  let heldBytes = 0;
  let keep = true;
  let format: 'pcap' | 'pcapng' | null = null;
  let reader: PacketReader | null = null;
  const s: Survey = {
    format: 'pcap', gzip: src.gzip, sha256: '', sizeOnDisk: src.size, held: null, ifaces: [], frames: 0, capturedBytes: 0, maxCaptured: 0,
    minTs: 0n, maxTs: 0n, clientEndpoints: new Set(), clientPorts: new Set(), anomalies: [],
  };
  const link: LinkInfo = { off: 0, macSrc: -1, macDst: -1, error: '' };
  const tp = { proto: 0 };
  let minSec = Infinity;
  let minNsec = 0;
  let maxSec = -Infinity;
  let maxNsec = 0;
  const events: PacketReaderEvents = {
    frame(f: RawFrame) {
      s.frames++;
      const d = f.buffer ?? f.data;
      const start = f.buffer !== undefined ? (f.start ?? 0) : 0;
      const end = f.buffer !== undefined ? (f.end ?? d.length) : d.length;
      s.capturedBytes += end - start;
      if (end - start > s.maxCaptured) s.maxCaptured = end - start;
      if (f.tsSec < minSec || (f.tsSec === minSec && f.tsNsec < minNsec)) { minSec = f.tsSec; minNsec = f.tsNsec; }
      if (f.tsSec > maxSec || (f.tsSec === maxSec && f.tsNsec > maxNsec)) { maxSec = f.tsSec; maxNsec = f.tsNsec; }
      const kind = parseLink(d, start, end, f.linkType, link);
      if (kind !== LINK_IPV4 && kind !== LINK_IPV6) return;
      const t = transportOffset(d, link.off, end, kind, tp);
      if (t < 0 || tp.proto !== 6 || t + 14 > end) return;
      if ((d[t + 13] & (TCP_SYN | TCP_ACK)) !== TCP_SYN) return;
      const port = (d[t] << 8) | d[t + 1];
      if (port < 1024) return;
      s.clientEndpoints.add(endpointKey(d, link.off, kind, true, port));
      s.clientPorts.add(port);
    },
    iface(i: CaptureInterface) { s.ifaces.push(i); },
    anomaly(a) { s.anomalies.push(a.error); },
  };
  try {
    for await (const chunk of src.chunks()) {
      if (format === null) {
        const sniffed = sniffDecoded(chunk, src.gzip);
        if (sniffed.kind !== 'pcap' && sniffed.kind !== 'pcapng') {
          throw new Error(`${path}: ${sniffed.kind === 'unknown' ? sniffed.reason : 'a HAR file has no packets to replay'}`);
        }
        format = sniffed.kind;
        reader = format === 'pcap' ? createPcapReader(events) : createPcapngReader(events);
      }
      if (keep) {
        heldBytes += chunk.length;
        if (heldBytes < holdLimit) chunks.push(chunk);
        else { keep = false; chunks.length = 0; }
      }
      (reader as PacketReader).push(chunk);
      if ((reader as PacketReader).fatal !== null) break;
    }
    if (reader === null) throw new Error(`${path}: the file is empty`);
    if (reader.fatal === null) reader.end();
    if (reader.fatal !== null) throw new Error(`${path}: ${reader.fatal}`);
    s.sha256 = await src.digest();
  } finally {
    await src.close();
  }
  if (s.frames === 0) throw new Error(`${path}: no packets to replay`);
  s.format = format as 'pcap' | 'pcapng';
  s.held = keep ? chunks : null;
  s.minTs = BigInt(minSec) * 1_000_000_000n + BigInt(minNsec);
  s.maxTs = BigInt(maxSec) * 1_000_000_000n + BigInt(maxNsec);
  return s;
}

/** Write copies of the capture at `input` to `output` (a new classic pcap) and say what was written. */
export async function replayCapture(input: string, output: string, opts: ReplayOptions): Promise<ReplayReport> {
  const began = performance.now();
  const sv = await survey(input, opts.holdBytes ?? HOLD_LIMIT);
  const linkTypes = [...new Set(sv.ifaces.map((i) => i.linkType))];
  if (linkTypes.length !== 1) {
    throw new Error(`${input}: interfaces of ${linkTypes.length} link types (${linkTypes.join(', ')}); a classic pcap holds one`);
  }
  const linkType = linkTypes[0];
  const fcs = sv.ifaces[0].fcsBytes ?? 0;
  const linkWord = fcs > 0 ? (linkType | 0x04000000 | ((fcs / 2) << 28)) >>> 0 : linkType;
  const nanosecond = sv.ifaces.some((i) => i.tsDigits > 6);
  const snaplen = Math.max(sv.maxCaptured, ...sv.ifaces.map((i) => i.snaplen || 262144));

  const perCopy = sv.frames * PCAP_RECORD_HEADER + sv.capturedBytes;
  const copies = opts.copies !== undefined
    ? Math.max(1, Math.floor(opts.copies))
    : Math.max(1, Math.ceil(((opts.targetBytes ?? 0) - PCAP_FILE_HEADER) / perCopy));
  const gapNs = opts.gapNs ?? DEFAULT_GAP_NS;
  if (gapNs <= 0n) throw new Error('the gap between copies must be positive');
  const spanNs = sv.maxTs - sv.minTs;
  const unit = nanosecond ? 1n : 1000n;
  // Whole output ticks, so the shift loses nothing at microsecond resolution.
  const strideNs = ((spanNs + gapNs + unit - 1n) / unit) * unit;
  const lastTsNs = sv.maxTs + BigInt(copies - 1) * strideNs;
  if (sv.minTs < 0n) throw new Error(`${input}: a timestamp before 1970, which a classic pcap cannot hold`);
  if (lastTsNs >= 0x100000000n * 1_000_000_000n) {
    throw new Error(`${copies} copies would run past what a classic pcap timestamp holds (year 2106); use fewer copies or a shorter gap`);
  }

  const vary = opts.varyPorts !== false;
  const w = createPcapWriter(output, nanosecond, linkWord, snaplen);
  const link: LinkInfo = { off: 0, macSrc: -1, macDst: -1, error: '' };
  const tp = { proto: 0 };
  let scratch = Buffer.allocUnsafe(Math.max(65536, sv.maxCaptured));
  let shift = 0n;
  let k = 0;
  let changedFrames = 0;
  const { clientPorts, clientEndpoints } = sv;

  // Port changes of one frame into `scratch`; returns false (and leaves scratch alone) when none apply.
  const rewrite = (d: Buffer, start: number, end: number, lt: number): boolean => {
    const kind = parseLink(d, start, end, lt, link);
    if (kind !== LINK_IPV4 && kind !== LINK_IPV6) return false;
    const t = transportOffset(d, link.off, end, kind, tp);
    if (t < 0 || t + 4 > end || (tp.proto !== 6 && tp.proto !== 17)) return false;
    const sp = (d[t] << 8) | d[t + 1];
    const dp = (d[t + 2] << 8) | d[t + 3];
    let newSp = sp;
    let newDp = dp;
    let known = false;
    if (tp.proto === 6) {
      if (clientPorts.has(sp) && clientEndpoints.has(endpointKey(d, link.off, kind, true, sp))) { newSp = shiftedPort(sp, k); known = true; }
      if (clientPorts.has(dp) && clientEndpoints.has(endpointKey(d, link.off, kind, false, dp))) { newDp = shiftedPort(dp, k); known = true; }
    }
    if (known) {
      // The SYN said which side is the client.
    } else if (sp >= 1024 && dp < 1024) {
      newSp = shiftedPort(sp, k);
    } else if (dp >= 1024 && sp < 1024) {
      newDp = shiftedPort(dp, k);
    }
    if (newSp === sp && newDp === dp) return false;
    if (k === 1) changedFrames++;
    d.copy(scratch, 0, start, end);
    const base = t - start;
    const sumAt = base + (tp.proto === 6 ? 16 : 6);
    const n = end - start;
    if (newSp !== sp) patchWord(scratch, base, newSp, sumAt, n, tp.proto === 17);
    if (newDp !== dp) patchWord(scratch, base + 2, newDp, sumAt, n, tp.proto === 17);
    return true;
  };

  const events: PacketReaderEvents = {
    frame(f: RawFrame) {
      const d = f.buffer ?? f.data;
      const start = f.buffer !== undefined ? (f.start ?? 0) : 0;
      const end = f.buffer !== undefined ? (f.end ?? d.length) : d.length;
      const ts = BigInt(f.tsSec) * 1_000_000_000n + BigInt(f.tsNsec) + shift;
      const orig = f.origLen > end - start ? f.origLen : undefined;
      if (end - start > scratch.length) scratch = Buffer.allocUnsafe(end - start);
      if (vary && k > 0 && rewrite(d, start, end, f.linkType)) w.write(scratch.subarray(0, end - start), ts, undefined, orig);
      else w.write(start === 0 && end === d.length ? d : d.subarray(start, end), ts, undefined, orig);
    },
    iface() { /* surveyed already */ },
    anomaly() { /* reported once, by the survey */ },
  };
  try {
    for (k = 0; k < copies; k++) {
      shift = BigInt(k) * strideNs;
      const before = w.frames;
      const reader = await readCapture(input, sv.held, sv.format, events);
      if (reader.fatal !== null) throw new Error(`${input}: ${reader.fatal} (copy ${k + 1})`);
      if (w.frames - before !== sv.frames) throw new Error(`${input} changed while it was replayed: copy ${k + 1} has ${w.frames - before} frames, the first had ${sv.frames}`);
      opts.onProgress?.(k + 1, copies, w.bytes);
    }
  } finally {
    w.close();
  }
  return {
    input, inputSha256: sv.sha256, inputBytes: sv.sizeOnDisk, inputFormat: sv.format, inputGzip: sv.gzip, output, linkType, nanosecond,
    framesPerCopy: sv.frames, copies, frames: w.frames, bytes: w.bytes, firstTsNs: sv.minTs, lastTsNs, spanNs, gapNs, strideNs,
    tcpClientEndpoints: sv.clientEndpoints.size, framesWithPortChanges: vary && copies > 1 ? changedFrames : 0,
    heldInMemory: sv.held !== null, inputAnomalies: sv.anomalies, elapsedMs: performance.now() - began,
  };
}

/** One-paragraph description of a replay, for the CLI and the benchmark. */
export function describeReplay(r: ReplayReport): string {
  const mb = r.bytes / 1e6;
  const fmtSec = (ns: bigint): string => `${(Number(ns) / 1e9).toFixed(1)} s`;
  return [
    `${r.output}: pcap (link type ${r.linkType}, ${r.nanosecond ? 'ns' : 'µs'}), ${mb.toFixed(1)} MB, ${r.frames.toLocaleString('en-US')} frames: ` +
      `${r.copies.toLocaleString('en-US')} copies of ${basename(r.input)}`,
    `  input: ${r.inputFormat}${r.inputGzip ? ' (gzip)' : ''}, ${r.inputBytes.toLocaleString('en-US')} bytes, ${r.framesPerCopy.toLocaleString('en-US')} frames, ` +
      `span ${fmtSec(r.spanNs)}, SHA-256 ${r.inputSha256}`,
    `  copy k starts k × ${fmtSec(r.strideNs)} later (span + gap of ${fmtSec(r.gapNs)}); ` +
      `${r.tcpClientEndpoints} TCP client endpoints, ${r.framesWithPortChanges.toLocaleString('en-US')} frames per copy with a client port varied`,
    ...(r.inputAnomalies.length > 0 ? [`  the input has ${r.inputAnomalies.length} reader anomalies (each copy has them too): ${r.inputAnomalies.slice(0, 3).join('; ')}`] : []),
    `  written in ${(r.elapsedMs / 1000).toFixed(1)} s (${(mb / (r.elapsedMs / 1000)).toFixed(0)} MB/s; input ${r.heldInMemory ? 'held in memory' : 're-read per copy'})`,
  ].join('\n');
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      size: { type: 'string' },
      copies: { type: 'string' },
      gap: { type: 'string', default: '600s' },
      'same-ports': { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
    },
  });
  const [input, output] = positionals;
  const usage = 'usage: node tools/synth/replay-capture.ts <in.pcap|in.pcapng> <out.pcap> (--size 1G | --copies N) [--gap 600s] [--same-ports] [--force]';
  if (!input || !output || (values.size === undefined) === (values.copies === undefined)) {
    console.error(usage);
    process.exit(1);
  }
  if (output.endsWith('.pcapng')) {
    console.error('the replay is written as classic pcap; name the output .pcap');
    process.exit(1);
  }
  if (existsSync(output)) {
    if (!values.force) {
      console.error(`${output} exists; pass --force to replace it`);
      process.exit(1);
    }
    unlinkSync(output);
  }
  try {
    const report = await replayCapture(input, output, {
      targetBytes: values.size !== undefined ? parseSize(values.size) : undefined,
      copies: values.copies !== undefined ? Number(values.copies) : undefined,
      gapNs: parseDuration(values.gap),
      varyPorts: !values['same-ports'],
      onProgress: (done, all, bytes) => process.stderr.write(`\r${done}/${all} copies, ${(bytes / 1e6).toFixed(0)} MB…`),
    });
    process.stderr.write('\r');
    console.log(describeReplay(report));
  } catch (e) {
    console.error(`replay-capture: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
