/**
 * Records crossing from the dissect worker to the thread that stores them.
 *
 * The worker encodes records into one byte buffer per batch, field by field in a fixed
 * order per kind, and transfers it (no copy). Structured cloning the record objects
 * instead cost about 4 µs per record across the two threads, mostly spent writing and
 * re-reading every property name. Byte payloads (HTTP bodies, secrets) are copied into
 * the same buffer; on the receiving side they are views into it, valid as long as the
 * record is (the case store consumes them at once), and so are HTTP header lists, as
 * their JSON's UTF-8 bytes (JsonText in store/http-prepare.ts).
 *
 * Every field of every record type in records.ts is encoded here: a field added there
 * must be added to both `encode*` and `decode*` below (the round-trip tests in
 * tests/unit/import/record-batch.test.ts compare whole records and will say so).
 */
import type {
  AnomalyRecord,
  DnsAnswer,
  DnsRecord,
  FlowRecord,
  HarPageRecord,
  HttpRecord,
  NameRecord,
  RecordSink,
  SecretRecord,
  TlsRecord,
} from '../records.ts';
import { prepareHttpParts, unprepareHttp, type EncodedBody, type PreparedHttp } from '../store/http-prepare.ts';

const K_DNS = 0;
const K_TLS = 1;
const K_HTTP = 2;
const K_FLOW = 3;
const K_NAME = 4;
const K_ANOMALY = 5;
const K_SECRET = 6;
const K_HAR_PAGE = 7;

/** Tags of an encoded body (besides NULL): its case codec. */
const BODY_RAW = 3;
const BODY_BR = 4;

/** One message's worth of records, in emission order. */
export interface RecordBatch {
  /** The encoded records (transferred). */
  data: ArrayBuffer;
  /** Bytes of `data` in use. */
  length: number;
  count: number;
  /** Raw bytes of the input read when the batch was sent (progress). */
  bytesRead: number;
  /** Packets read when the batch was sent (progress). */
  packets: number;
}

/** Send at the next chunk boundary at the latest, or sooner past these sizes. */
const MAX_BATCH_RECORDS = 4096;
const MAX_BATCH_PAYLOAD = 4 * 1024 * 1024;
const INITIAL_BYTES = 256 * 1024;

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

/** From this length on, strings are written by one native call instead of a byte loop (measured crossover: 40–60). */
const LONG_STRING = 48;

// Tags of nullable and optional values.
const ABSENT = 0;
const NULL = 1;
const VALUE = 2;

/** Worker side: a sink that encodes records into batches and hands each full one to `send`. */
export class BatchingSink implements RecordSink {
  private buf: Buffer = Buffer.allocUnsafe(INITIAL_BYTES);
  private pos = 0;
  private count = 0;
  private payloadBytes = 0;
  private readonly send: (batch: RecordBatch, transfer: ArrayBuffer[]) => void;
  /** Progress figures stamped on the batches. */
  bytesRead = 0;
  packets = 0;

  constructor(send: (batch: RecordBatch, transfer: ArrayBuffer[]) => void) {
    this.send = send;
  }

  // ---- primitives ----

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  private u8(v: number): void {
    this.room(1);
    this.buf[this.pos++] = v;
  }

  private u32(v: number): void {
    this.room(4);
    this.buf.writeUInt32LE(v, this.pos);
    this.pos += 4;
  }

  /** Any JS number (frame numbers, counts, TTLs may exceed 32 bits in odd files). */
  private num(v: number): void {
    this.room(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  private numOrNull(v: number | null): void {
    if (v === null) this.u8(NULL);
    else { this.u8(VALUE); this.num(v); }
  }

  private numOpt(v: number | null | undefined): void {
    if (v === undefined) this.u8(ABSENT);
    else this.numOrNull(v);
  }

  private big(v: bigint): void {
    if (v >= I64_MIN && v <= I64_MAX) {
      this.room(9);
      this.buf[this.pos++] = VALUE;
      this.buf.writeBigInt64LE(v, this.pos);
      this.pos += 8;
    } else {
      // Beyond 64 bits (a year-9999 timestamp in nanoseconds): rare, so as text.
      this.u8(ABSENT);
      this.str(v.toString());
    }
  }

  private bigOrNull(v: bigint | null): void {
    if (v === null) this.u8(NULL);
    else this.big(v);
  }

  /** Length-prefixed UTF-8; the low bit of the prefix says "all ASCII" so decoding can use latin1. */
  private str(s: string): void {
    const len = s.length;
    this.room(4 + len * 3);
    const b = this.buf;
    const at = this.pos + 4;
    let n: number;
    let ascii: boolean;
    if (len < LONG_STRING) {
      // Most strings (addresses, names, methods) are short ASCII: a byte loop beats a call into C++.
      let i = 0;
      while (i < len) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[at + i] = c;
        i++;
      }
      ascii = i === len;
      n = ascii ? len : b.write(s, at, len * 3, 'utf8');
    } else {
      // Longer ones (header values, URIs, user agents) go faster through one native write;
      // UTF-8 takes two bytes or more for any non-ASCII character, so equal lengths mean ASCII.
      n = b.write(s, at, len * 3, 'utf8');
      ascii = n === len;
    }
    b.writeUInt32LE(n * 2 + (ascii ? 1 : 0), this.pos);
    this.pos = at + n;
  }

  private strOrNull(s: string | null): void {
    if (s === null) this.u8(NULL);
    else { this.u8(VALUE); this.str(s); }
  }

  private strOpt(s: string | null | undefined): void {
    if (s === undefined) this.u8(ABSENT);
    else this.strOrNull(s);
  }

  private bool(v: boolean): void {
    this.u8(v ? 1 : 0);
  }

  private strs(list: readonly string[]): void {
    this.u32(list.length);
    for (let i = 0; i < list.length; i++) this.str(list[i]);
  }

  private nums(list: readonly number[]): void {
    this.u32(list.length);
    for (let i = 0; i < list.length; i++) this.num(list[i]);
  }

  /** Length-prefixed bytes. */
  private payload(b: Buffer | null): void {
    if (b === null) {
      this.u8(NULL);
      return;
    }
    this.room(5 + b.length);
    this.buf[this.pos] = VALUE;
    this.buf.writeUInt32LE(b.length, this.pos + 1);
    b.copy(this.buf, this.pos + 5);
    this.pos += 5 + b.length;
    this.payloadBytes += b.length;
  }

  private body(b: EncodedBody | null): void {
    if (b === null) {
      this.u8(NULL);
      return;
    }
    this.u8(b.codec === 'br' ? BODY_BR : BODY_RAW);
    this.num(b.len);
    this.payload(b.data);
  }

  private pointer(input: number, frame: number | null, entry: number | null | undefined, ts: bigint): void {
    this.num(input);
    this.numOrNull(frame);
    this.numOpt(entry);
    this.big(ts);
  }

  private endpoints(srcIp: string, srcPort: number, dstIp: string, dstPort: number): void {
    this.str(srcIp);
    this.num(srcPort);
    this.str(dstIp);
    this.num(dstPort);
  }

  private done(): void {
    if (++this.count >= MAX_BATCH_RECORDS || this.payloadBytes >= MAX_BATCH_PAYLOAD) this.flush();
  }

  // ---- records ----

  dns(r: DnsRecord): void {
    this.u8(K_DNS);
    this.pointer(r.input, r.frame, r.entry, r.ts);
    this.endpoints(r.srcIp, r.srcPort, r.dstIp, r.dstPort);
    this.str(r.transport);
    this.str(r.flavor);
    this.num(r.id);
    this.bool(r.response);
    this.num(r.opcode);
    this.numOrNull(r.rcode);
    this.str(r.qname);
    this.num(r.qtype);
    const a = r.answers;
    this.u32(a.length);
    for (let i = 0; i < a.length; i++) {
      this.str(a[i].name);
      this.num(a[i].type);
      this.num(a[i].ttl);
      this.str(a[i].data);
    }
    this.done();
  }

  tls(r: TlsRecord): void {
    this.u8(K_TLS);
    this.pointer(r.input, r.frame, r.entry, r.ts);
    this.endpoints(r.srcIp, r.srcPort, r.dstIp, r.dstPort);
    this.str(r.transport);
    this.strOrNull(r.sni);
    this.strs(r.alpn);
    this.nums(r.versions);
    this.num(r.legacyVersion);
    this.nums(r.ciphers);
    this.nums(r.extensions);
    this.strOrNull(r.ja4);
    this.numOrNull(r.quicVersion);
    this.numOrNull(r.serverVersion);
    this.numOrNull(r.serverCipher);
    this.numOrNull(r.serverFrame);
    this.done();
  }

  /** HTTP exchanges cross prepared for the case store: headers as JSON, bodies encoded (store/http-prepare.ts). */
  http(r: HttpRecord): void {
    const p = prepareHttpParts(r);
    this.u8(K_HTTP);
    this.pointer(r.input, r.frame, r.entry, r.ts);
    this.endpoints(r.srcIp, r.srcPort, r.dstIp, r.dstPort);
    this.str(r.method);
    this.strOrNull(r.host);
    this.str(r.uri);
    this.str(r.version);
    this.str(p.requestHeadersJson);
    this.body(p.requestBody);
    this.num(r.requestBodySize);
    this.numOrNull(r.status);
    this.strOrNull(r.reason);
    this.strOrNull(p.responseHeadersJson);
    this.body(p.responseBody);
    this.num(r.responseBodySize);
    this.numOrNull(r.responseFrame);
    this.bigOrNull(r.responseTs);
    this.bool(r.truncated);
    this.str(r.source);
    this.strOpt(r.serverIp);
    this.strOpt(r.responseBodyEncoding);
    this.strOpt(r.responseBodySha256);
    this.done();
  }

  flow(r: FlowRecord): void {
    this.u8(K_FLOW);
    this.num(r.input);
    this.str(r.proto);
    this.endpoints(r.srcIp, r.srcPort, r.dstIp, r.dstPort);
    this.strOrNull(r.srcMac);
    this.strOrNull(r.dstMac);
    this.num(r.firstFrame);
    this.big(r.firstTs);
    this.big(r.lastTs);
    this.num(r.packetsUp);
    this.num(r.packetsDown);
    this.num(r.bytesUp);
    this.num(r.bytesDown);
    this.strOrNull(r.app);
    this.num(r.gapBytes);
    this.done();
  }

  name(r: NameRecord): void {
    this.u8(K_NAME);
    this.pointer(r.input, r.frame, r.entry, r.ts);
    this.strOrNull(r.ip);
    this.strOrNull(r.mac);
    this.str(r.name);
    this.str(r.source);
    this.strOpt(r.vendorClass);
    this.done();
  }

  anomaly(r: AnomalyRecord): void {
    this.u8(K_ANOMALY);
    this.num(r.input);
    this.numOrNull(r.frame);
    this.str(r.layer);
    this.str(r.error);
    this.done();
  }

  secret(r: SecretRecord): void {
    this.u8(K_SECRET);
    this.num(r.input);
    this.num(r.type);
    this.str(r.typeName);
    this.payload(r.data);
    this.done();
  }

  harPage(r: HarPageRecord): void {
    this.u8(K_HAR_PAGE);
    this.num(r.input);
    this.str(r.pageId);
    this.str(r.title);
    this.big(r.ts);
    this.done();
  }

  /** Send what has been collected (nothing if empty). */
  flush(): void {
    if (this.count === 0) return;
    const transfer: ArrayBuffer[] = [this.buf.buffer as ArrayBuffer];
    const batch: RecordBatch = {
      data: this.buf.buffer as ArrayBuffer,
      length: this.pos,
      count: this.count,
      bytesRead: this.bytesRead,
      packets: this.packets,
    };
    // Bodies make batches grow: start the next one small again rather than keep the peak.
    this.buf = Buffer.allocUnsafe(INITIAL_BYTES);
    this.pos = 0;
    this.count = 0;
    this.payloadBytes = 0;
    this.send(batch, transfer);
  }
}

/** Receiving side: reads one batch back into record objects. */
class BatchReader {
  private readonly buf: Buffer;
  private pos = 0;

  constructor(batch: RecordBatch) {
    this.buf = Buffer.from(batch.data, 0, batch.length);
  }

  u8(): number {
    return this.buf[this.pos++];
  }

  u32(): number {
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  num(): number {
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  numOrNull(): number | null {
    return this.u8() === NULL ? null : this.num();
  }

  /** undefined when the field was absent from the record. */
  numOpt(): number | null | undefined {
    const t = this.u8();
    return t === ABSENT ? undefined : t === NULL ? null : this.num();
  }

  big(): bigint {
    if (this.u8() === VALUE) {
      const v = this.buf.readBigInt64LE(this.pos);
      this.pos += 8;
      return v;
    }
    return BigInt(this.str());
  }

  bigOrNull(): bigint | null {
    if (this.buf[this.pos] === NULL) {
      this.pos++;
      return null;
    }
    return this.big();
  }

  str(): string {
    const h = this.u32();
    const n = h >>> 1;
    const start = this.pos;
    this.pos += n;
    if (n === 0) return '';
    return this.buf.toString((h & 1) === 1 ? 'latin1' : 'utf8', start, start + n);
  }

  strOrNull(): string | null {
    return this.u8() === NULL ? null : this.str();
  }

  /** What str() would decode, as its UTF-8 bytes: a view of the batch (see JsonText). */
  utf8(): Buffer {
    const n = this.u32() >>> 1;
    const start = this.pos;
    this.pos += n;
    return this.buf.subarray(start, start + n);
  }

  utf8OrNull(): Buffer | null {
    return this.u8() === NULL ? null : this.utf8();
  }

  strOpt(): string | null | undefined {
    const t = this.u8();
    return t === ABSENT ? undefined : t === NULL ? null : this.str();
  }

  bool(): boolean {
    return this.u8() === 1;
  }

  strs(): string[] {
    const n = this.u32();
    const out: string[] = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = this.str();
    return out;
  }

  nums(): number[] {
    const n = this.u32();
    const out: number[] = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = this.num();
    return out;
  }

  payload(): Buffer | null {
    if (this.u8() === NULL) return null;
    const n = this.u32();
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  answers(): DnsAnswer[] {
    const n = this.u32();
    const out: DnsAnswer[] = new Array<DnsAnswer>(n);
    for (let i = 0; i < n; i++) out[i] = { name: this.str(), type: this.num(), ttl: this.num(), data: this.str() };
    return out;
  }

  dns(): DnsRecord {
    const input = this.num();
    const frame = this.numOrNull();
    const entry = this.numOpt();
    const ts = this.big();
    const r: DnsRecord = {
      input, frame, ts,
      srcIp: this.str(), srcPort: this.num(), dstIp: this.str(), dstPort: this.num(),
      transport: this.str() as DnsRecord['transport'],
      flavor: this.str() as DnsRecord['flavor'],
      id: this.num(),
      response: this.bool(),
      opcode: this.num(),
      rcode: this.numOrNull(),
      qname: this.str(),
      qtype: this.num(),
      answers: this.answers(),
    };
    if (entry !== undefined) r.entry = entry;
    return r;
  }

  tls(): TlsRecord {
    const input = this.num();
    const frame = this.numOrNull();
    const entry = this.numOpt();
    const ts = this.big();
    const r: TlsRecord = {
      input, frame, ts,
      srcIp: this.str(), srcPort: this.num(), dstIp: this.str(), dstPort: this.num(),
      transport: this.str() as TlsRecord['transport'],
      sni: this.strOrNull(),
      alpn: this.strs(),
      versions: this.nums(),
      legacyVersion: this.num(),
      ciphers: this.nums(),
      extensions: this.nums(),
      ja4: this.strOrNull(),
      quicVersion: this.numOrNull(),
      serverVersion: this.numOrNull(),
      serverCipher: this.numOrNull(),
      serverFrame: this.numOrNull(),
    };
    if (entry !== undefined) r.entry = entry;
    return r;
  }

  body(): EncodedBody | null {
    const t = this.u8();
    if (t === NULL) return null;
    const len = this.num();
    return { codec: t === BODY_BR ? 'br' : 'raw', len, data: this.payload() as Buffer };
  }

  http(): PreparedHttp {
    const input = this.num();
    const frame = this.numOrNull();
    const entry = this.numOpt();
    const ts = this.big();
    const r: PreparedHttp = {
      input, frame, ts,
      srcIp: this.str(), srcPort: this.num(), dstIp: this.str(), dstPort: this.num(),
      method: this.str(),
      host: this.strOrNull(),
      uri: this.str(),
      version: this.str(),
      requestHeadersJson: this.utf8(),
      requestBody: this.body(),
      requestBodySize: this.num(),
      status: this.numOrNull(),
      reason: this.strOrNull(),
      responseHeadersJson: this.utf8OrNull(),
      responseBody: this.body(),
      responseBodySize: this.num(),
      responseFrame: this.numOrNull(),
      responseTs: this.bigOrNull(),
      truncated: this.bool(),
      source: this.str() as HttpRecord['source'],
    };
    const serverIp = this.strOpt();
    const encoding = this.strOpt();
    const sha256 = this.strOpt();
    if (entry !== undefined) r.entry = entry;
    if (serverIp !== undefined) r.serverIp = serverIp;
    if (encoding !== undefined) r.responseBodyEncoding = encoding;
    if (sha256 !== undefined) r.responseBodySha256 = sha256;
    return r;
  }

  flow(): FlowRecord {
    return {
      input: this.num(),
      proto: this.str() as FlowRecord['proto'],
      srcIp: this.str(), srcPort: this.num(), dstIp: this.str(), dstPort: this.num(),
      srcMac: this.strOrNull(),
      dstMac: this.strOrNull(),
      firstFrame: this.num(),
      firstTs: this.big(),
      lastTs: this.big(),
      packetsUp: this.num(),
      packetsDown: this.num(),
      bytesUp: this.num(),
      bytesDown: this.num(),
      app: this.strOrNull(),
      gapBytes: this.num(),
    };
  }

  name(): NameRecord {
    const input = this.num();
    const frame = this.numOrNull();
    const entry = this.numOpt();
    const ts = this.big();
    const r: NameRecord = {
      input, frame, ts,
      ip: this.strOrNull(),
      mac: this.strOrNull(),
      name: this.str(),
      source: this.str() as NameRecord['source'],
    };
    const vendorClass = this.strOpt();
    if (entry !== undefined) r.entry = entry;
    if (vendorClass !== undefined) r.vendorClass = vendorClass;
    return r;
  }

  anomaly(): AnomalyRecord {
    return { input: this.num(), frame: this.numOrNull(), layer: this.str(), error: this.str() };
  }

  secret(): SecretRecord {
    return { input: this.num(), type: this.num(), typeName: this.str(), data: this.payload() as Buffer };
  }

  harPage(): HarPageRecord {
    return { input: this.num(), pageId: this.str(), title: this.str(), ts: this.big() };
  }
}

/** Receiving side: deliver a batch's records to `sink`, in the order they were emitted. */
export function replayBatch(batch: RecordBatch, sink: RecordSink): void {
  const r = new BatchReader(batch);
  for (let i = 0; i < batch.count; i++) {
    switch (r.u8()) {
      case K_DNS: sink.dns(r.dns()); break;
      case K_TLS: sink.tls(r.tls()); break;
      case K_HTTP: {
        const p = r.http();
        if (sink.httpPrepared) sink.httpPrepared(p);
        else sink.http(unprepareHttp(p));
        break;
      }
      case K_FLOW: sink.flow(r.flow()); break;
      case K_NAME: sink.name(r.name()); break;
      case K_ANOMALY: sink.anomaly(r.anomaly()); break;
      case K_SECRET: sink.secret(r.secret()); break;
      case K_HAR_PAGE: sink.harPage(r.harPage()); break;
      default: throw new Error('record batch is corrupt (unknown record kind)');
    }
  }
}
