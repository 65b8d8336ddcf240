/**
 * Records crossing from the dissect worker to the thread that stores them. The worker
 * side collects records into batches; byte payloads (HTTP bodies, secrets) are copied
 * into buffers of their own and transferred rather than cloned, because a Buffer is
 * often a view into a much larger chunk and cloning a view clones all of its memory.
 * The receiving side turns them back into Buffers and replays them into a sink in the
 * order they were emitted.
 */
import type { AnomalyRecord, DnsRecord, FlowRecord, HarPageRecord, HttpRecord, NameRecord, RecordSink, SecretRecord, TlsRecord } from '../records.ts';

const K_DNS = 0;
const K_TLS = 1;
const K_HTTP = 2;
const K_FLOW = 3;
const K_NAME = 4;
const K_ANOMALY = 5;
const K_SECRET = 6;
const K_HAR_PAGE = 7;

/** One message's worth of records, in emission order. */
export interface RecordBatch {
  kinds: number[];
  records: unknown[];
  /** Raw bytes of the input read when the batch was sent (progress). */
  bytesRead: number;
  /** Packets read when the batch was sent (progress). */
  packets: number;
}

/** Send at the next chunk boundary at the latest, or sooner past these sizes. */
const MAX_BATCH_RECORDS = 4096;
const MAX_BATCH_BYTES = 8 * 1024 * 1024;

/** A copy of `b` in an ArrayBuffer of its own (listed in `transfer`), as a plain Uint8Array. */
function detached(b: Buffer, transfer: ArrayBuffer[]): Uint8Array {
  const u = new Uint8Array(b.length);
  u.set(b);
  transfer.push(u.buffer);
  return u;
}

/** Worker side: a sink that fills batches and hands each full one to `send`. */
export class BatchingSink implements RecordSink {
  private kinds: number[] = [];
  private records: unknown[] = [];
  private transfer: ArrayBuffer[] = [];
  private bytes = 0;
  private readonly send: (batch: RecordBatch, transfer: ArrayBuffer[]) => void;
  /** Progress figures stamped on the batches. */
  bytesRead = 0;
  packets = 0;

  constructor(send: (batch: RecordBatch, transfer: ArrayBuffer[]) => void) {
    this.send = send;
  }

  private add(kind: number, r: unknown): void {
    this.kinds.push(kind);
    this.records.push(r);
    if (this.kinds.length >= MAX_BATCH_RECORDS || this.bytes >= MAX_BATCH_BYTES) this.flush();
  }

  dns(r: DnsRecord): void { this.add(K_DNS, r); }
  tls(r: TlsRecord): void { this.add(K_TLS, r); }
  flow(r: FlowRecord): void { this.add(K_FLOW, r); }
  name(r: NameRecord): void { this.add(K_NAME, r); }
  anomaly(r: AnomalyRecord): void { this.add(K_ANOMALY, r); }
  harPage(r: HarPageRecord): void { this.add(K_HAR_PAGE, r); }

  http(r: HttpRecord): void {
    if (r.requestBody === null && r.responseBody === null) {
      this.add(K_HTTP, r);
      return;
    }
    const out = { ...r } as Record<string, unknown>;
    if (r.requestBody !== null) {
      out.requestBody = detached(r.requestBody, this.transfer);
      this.bytes += r.requestBody.length;
    }
    if (r.responseBody !== null) {
      out.responseBody = detached(r.responseBody, this.transfer);
      this.bytes += r.responseBody.length;
    }
    this.add(K_HTTP, out);
  }

  secret(r: SecretRecord): void {
    this.bytes += r.data.length;
    this.add(K_SECRET, { ...r, data: detached(r.data, this.transfer) });
  }

  /** Send what has been collected (nothing if empty). */
  flush(): void {
    if (this.kinds.length === 0) return;
    const batch: RecordBatch = { kinds: this.kinds, records: this.records, bytesRead: this.bytesRead, packets: this.packets };
    const transfer = this.transfer;
    this.kinds = [];
    this.records = [];
    this.transfer = [];
    this.bytes = 0;
    this.send(batch, transfer);
  }
}

function asBuffer(u: unknown): Buffer | null {
  if (u === null || u === undefined) return null;
  const a = u as Uint8Array;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Receiving side: deliver a batch's records to `sink`, Buffers restored. */
export function replayBatch(batch: RecordBatch, sink: RecordSink): void {
  const { kinds, records } = batch;
  for (let i = 0; i < kinds.length; i++) {
    const r = records[i];
    switch (kinds[i]) {
      case K_DNS: sink.dns(r as DnsRecord); break;
      case K_TLS: sink.tls(r as TlsRecord); break;
      case K_HTTP: {
        const h = r as HttpRecord;
        h.requestBody = asBuffer(h.requestBody);
        h.responseBody = asBuffer(h.responseBody);
        sink.http(h);
        break;
      }
      case K_FLOW: sink.flow(r as FlowRecord); break;
      case K_NAME: sink.name(r as NameRecord); break;
      case K_ANOMALY: sink.anomaly(r as AnomalyRecord); break;
      case K_SECRET: {
        const s = r as SecretRecord;
        s.data = asBuffer(s.data) as Buffer;
        sink.secret(s);
        break;
      }
      case K_HAR_PAGE: sink.harPage(r as HarPageRecord); break;
    }
  }
}
