/**
 * The case database: one SQLite file per case (WAL, foreign keys on, numbered
 * migrations). It is the RecordSink the import writes into and the source every
 * view and export reads from. Originals are never touched here: an input row holds
 * the path and the hash the importer computed.
 *
 * Write path: records are inserted with prepared statements into a transaction that
 * stays open across records and is committed every `batchRows` rows or at `flush()`.
 * SQLite's page cache is the buffer, so records are not retained as JS objects.
 * Host links are aggregated in memory and upserted at each explicit flush.
 *
 * While an input is being imported (addInput → finishInput) this connection does not
 * checkpoint: its commits only append to the WAL, which in WAL mode with
 * synchronous=NORMAL needs no fsync. Checkpoints (copying WAL pages into the database
 * file, with two fsyncs) used to stall the import every 4 MB of records; once the WAL
 * passes CHECKPOINTER_WAL_BYTES, a worker thread (checkpoint-worker.ts) does them
 * beside the import on its own connection, and what is left is checkpointed when the
 * input is finished. Once the WAL holds WAL_RESTART_BYTES, the writer checkpoints what
 * the worker has not copied yet, so that the WAL starts over instead of growing with
 * the import. Durability is unchanged (NORMAL: a power cut may lose the latest
 * commits, never corrupts the case).
 *
 * Read path: nanosecond timestamps are stored as INTEGER and read back with
 * CAST(... AS TEXT) then BigInt(), so every other integer column stays a plain number.
 */
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { basename, extname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type {
  AnomalyRecord,
  DnsAnswer,
  DnsRecord,
  FlowRecord,
  HarPageRecord,
  HeaderList,
  HttpRecord,
  NameRecord,
  RecordSink,
  SecretRecord,
  TlsRecord,
} from '../records.ts';
import type { InputSummary } from '../import/types.ts';
import { decodeBody, type BodyCodec } from './body-codec.ts';
import { prepareHttp, type PreparedHttp } from './http-prepare.ts';
import { decodedResponseBody } from '../protocols/http-body.ts';
import { dnsHostLinks, httpHostLinks, nameHostLinks, tlsHostLinks, type HostLinkFn, type HostSource } from './host-links.ts';
import { dropInputRecords, duplicateError, findDuplicate } from './duplicate-input.ts';
import { CaseSchemaError, migrate, pendingMigrations } from './migrate.ts';
import { HTTP_VIEW_INDEX } from './migrations/003-view-summaries.ts';
import { hostInfo, toolString } from './tool-info.ts';
import { workerUrl } from '../util/locate.ts';

/** PRAGMA application_id of a Telltale case: 'TTL1'. Lets us recognise a case from its header alone. */
export const CASE_APPLICATION_ID = 0x54544c31;

const SQLITE_MAGIC = 'SQLite format 3\0';
const GENESIS_HASH = '0'.repeat(64);
const MIN_TS = -(2n ** 63n);
/** WAL size from which an import gets a checkpoint worker; below it, one checkpoint at the end is cheap. */
const CHECKPOINTER_WAL_BYTES = 32 * 1024 * 1024;
/**
 * What the WAL holds (not the file's size, which never shrinks) when the writer, once a
 * checkpoint worker runs, checkpoints too: SQLite's own automatic checkpoint after a
 * commit, set to this many bytes of frames. It copies what the worker has not yet (the
 * worker does the bulk), so the writer's next transaction writes the WAL from its start
 * again; while the worker is checkpointing, the writer's attempt returns at once and
 * the next commit tries again. SQLite restarts the WAL only when a write transaction
 * begins with every frame already copied, and the writer begins its next transaction
 * as soon as it commits, so the worker alone never got there: the WAL grew to the size
 * of everything the import wrote (362 MB for 1 GB of real web traffic), appending to
 * the file cost the kernel more than overwriting cached pages (docs/benchmark.md,
 * row 29), and the disk needed that much room besides the case.
 */
const WAL_RESTART_BYTES = 64 * 1024 * 1024;
/** Host links aggregated in memory at most, before a batch commit writes them too. */
const MAX_HOST_AGG = 50_000;
/** Longest wait for the checkpoint worker's last checkpoint before going on without it. */
const CHECKPOINTER_STOP_MS = 30_000;

export type InputStatus = 'importing' | 'done' | 'failed' | 'cancelled';

/** How finishInput recorded an input. */
export interface FinishedInput {
  status: InputStatus;
  error: string | null;
  /** Id of the input this one duplicates (same SHA-256), whose records were kept instead; null if none. */
  duplicateOf: number | null;
}

/** Thrown when a path exists but is not a Telltale case (we never overwrite it). */
export class NotACaseError extends Error {
  override name = 'NotACaseError';
}

export { CaseSchemaError };

export interface CaseStoreOptions {
  /** Open without write access (views, export of a finished case). */
  readonly?: boolean;
  /** Create the case if the path does not exist (default false). */
  create?: boolean;
  /** Title recorded in meta when creating (default: file name without extension). */
  title?: string;
  /** Rows per write transaction on the record path (default 8192). */
  batchRows?: number;
}

export interface InputRow {
  id: number;
  path: string;
  fileName: string;
  size: number | null;
  sha256: string | null;
  format: 'pcap' | 'pcapng' | 'har' | null;
  gzip: boolean;
  linkTypes: number[];
  tsDigits: number | null;
  packets: number;
  entries: number;
  firstTs: bigint | null;
  lastTs: bigint | null;
  anomalies: number;
  commentedFrames: number;
  error: string | null;
  producer: string | null;
  status: InputStatus;
  addedAt: string;
  finishedAt: string | null;
}

export interface CustodyEntry {
  id: number;
  at: string;
  action: string;
  detail: Record<string, unknown>;
  tool: string;
  host: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface CaseCounts {
  inputs: number;
  flows: number;
  dns: number;
  tls: number;
  http: number;
  names: number;
  /** Distinct (ip, name, source) links. */
  hostLinks: number;
  /** Distinct IPs with at least one name. */
  hosts: number;
  anomalies: number;
  secrets: number;
  harPages: number;
}

export interface CaseMeta {
  format: string;
  caseId: string;
  title: string;
  created: string;
  createdWith: string;
  [key: string]: string;
}

/** Stored rows are the records as written, plus `rowId` (the table's primary key). */
export type StoredDns = DnsRecord & { rowId: number };
export type StoredTls = TlsRecord & { rowId: number };
/** What `httpBodies` did to a response body, and what the case holds of one it did not keep. */
export interface ResponseBodyInfo {
  /** Content codings undone on reading (the body was kept as sent), or null. */
  encoding: string | null;
  /** Why that decoding stopped early, or null. */
  decodeError: string | null;
  /** True when the decoded body stops at the cap or at damaged input. */
  decodeTruncated: boolean;
  /** SHA-256 of a body the case did not keep (media), or null. */
  sha256: string | null;
}

/** HTTP exchange without its bodies (read them with `httpBodies`). */
export type StoredHttp = Omit<HttpRecord, 'requestBody' | 'responseBody'> & {
  rowId: number;
  /**
   * Body sizes as kept, 0 when there is none: decoded, except a response kept as sent
   * (`responseBodyEncoding`), whose length is the encoded one; a response not kept
   * (`responseBodySha256`) counts its full length.
   */
  requestBodyLen: number;
  responseBodyLen: number;
};
export type StoredName = NameRecord & { rowId: number };
export type StoredAnomaly = AnomalyRecord & { rowId: number };

export interface StoredHostLink {
  ip: string;
  name: string;
  source: HostSource;
  firstTs: bigint;
  count: number;
  /** Evidence pointer of the earliest sighting. */
  input: number | null;
  frame: number | null;
  entry: number | null;
}

interface HostAgg {
  ip: string;
  name: string;
  source: HostSource;
  count: number;
  firstTs: bigint;
  input: number;
  frame: number | null;
  entry: number | null;
}

type Stmt = Database.Statement<unknown[], unknown>;
type Row = Record<string, unknown>;

/** True if `path` is an SQLite file carrying Telltale's application id (header check only). */
export function isCaseFile(path: string): boolean {
  let fd: number;
  try { fd = openSync(path, 'r'); } catch { return false; }
  try {
    const head = Buffer.alloc(100);
    const n = readSync(fd, head, 0, 100, 0);
    if (n < 100 || head.toString('latin1', 0, 16) !== SQLITE_MAGIC) return false;
    return head.readInt32BE(68) === CASE_APPLICATION_ID;
  } finally {
    closeSync(fd);
  }
}

function numJson(a: readonly number[]): string {
  return a.length === 0 ? '[]' : `[${a.join(',')}]`;
}

function nsOrNull(v: unknown): bigint | null {
  return v === null || v === undefined ? null : BigInt(v as string);
}

function custodyHash(prev: string, id: number, at: string, action: string, detail: string, tool: string, host: string): string {
  return createHash('sha256').update(`${prev}\n${id}\n${at}\n${action}\n${detail}\n${tool}\n${host}`, 'utf8').digest('hex');
}

/** Inputs from this size on import without the views' covering index (rebuilt at the end). */
const LARGE_INPUT_BYTES = 64 * 1024 * 1024;

/** Page size of new case files (bytes). */
export const CASE_PAGE_SIZE = 16384;

/**
 * SQLite's page cache per connection, in KiB (negative: `PRAGMA cache_size` counts KiB).
 * better-sqlite3 builds SQLite with 16 MB; a connection fills it as the case grows, so
 * an import's and an analysis's memory kept rising with the file until the case passed
 * 16 MB. With 4 MB the peak of a 1 GB import was 12–15 MB lower (the writer) and the
 * analysis's 11–13 MB lower, in the same time: inserts touch the right edge of each
 * table and index, the analysis scans, and the file's pages stay in the OS cache
 * (docs/benchmark.md, row 28). It also bounds what a sort keeps in memory before it
 * spills to a temporary file (the views' index rebuilt after an import, the analysis's
 * ORDER BY and GROUP BY); the times above include that.
 */
export const CASE_CACHE_KIB = 4096;

/** Error message of anything thrown. */
function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class CaseStore implements RecordSink {
  readonly path: string;
  readonly db: Database.Database;
  readonly readonly: boolean;
  /** Records that could not be stored (each also left an anomaly row when possible). */
  storeErrors = 0;

  private readonly batchRows: number;
  private txOpen = false;
  /** Inputs between addInput and finishInput (auto-checkpoints are off while > 0). */
  private importing = 0;
  private checkpointer: { worker: Worker; ctl: Int32Array } | null = null;
  /** The checkpoint worker could not run: this import checkpoints the ordinary way. */
  private checkpointerFailed = false;
  private pending = 0;
  private readonly hostAgg = new Map<string, HostAgg>();
  /** Pointer of the record whose host links are being emitted. */
  private curInput = 0;
  private curFrame: number | null = null;
  private curEntry: number | null = null;
  private curTs = 0n;
  private readonly emitHost: HostLinkFn;

  private readonly insDns: Stmt;
  private readonly insTls: Stmt;
  private readonly insHttp: Stmt;
  private readonly insFlow: Stmt;
  private readonly insName: Stmt;
  private readonly insAnomaly: Stmt;
  private readonly insSecret: Stmt;
  private readonly insHarPage: Stmt;
  private readonly upsertHost: Stmt;

  private constructor(path: string, db: Database.Database, readonly: boolean, batchRows: number) {
    this.path = path;
    this.db = db;
    this.readonly = readonly;
    this.batchRows = batchRows;
    this.emitHost = (ip, name, source) => this.addHostLink(ip, name, source);
    this.insDns = db.prepare(`INSERT INTO dns (input_id, frame, entry, ts_ns, src_ip, src_port, dst_ip, dst_port,
      transport, flavor, txid, response, opcode, rcode, qname, qtype, answers)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insTls = db.prepare(`INSERT INTO tls (input_id, frame, entry, ts_ns, src_ip, src_port, dst_ip, dst_port,
      transport, sni, alpn, versions, legacy_version, ciphers, extensions, ja4, quic_version, server_version,
      server_cipher, server_frame)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    // Header lists may come as UTF-8 bytes (JsonText, http-prepare.ts), bound as a blob:
    // the casts store them as text, which they are in a UTF-8 database (every case is made so).
    this.insHttp = db.prepare(`INSERT INTO http (input_id, frame, entry, ts_ns, src_ip, src_port, dst_ip, dst_port,
      source, method, host, uri, version, request_headers, request_body, request_body_codec, request_body_len,
      request_body_size, status, reason, response_headers, response_body, response_body_codec, response_body_len,
      response_body_size, response_frame, response_ts_ns, truncated, server_ip, response_body_encoding, response_body_sha256)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT), ?, ?, ?, ?, ?, ?, CAST(? AS TEXT), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insFlow = db.prepare(`INSERT INTO flows (input_id, proto, src_ip, src_port, dst_ip, dst_port, src_mac, dst_mac,
      first_frame, first_ts_ns, last_ts_ns, packets_up, packets_down, bytes_up, bytes_down, app, gap_bytes)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insName = db.prepare(`INSERT INTO names (input_id, frame, entry, ts_ns, ip, mac, name, source, vendor_class)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insAnomaly = db.prepare('INSERT INTO anomalies (input_id, frame, layer, error) VALUES (?, ?, ?, ?)');
    this.insSecret = db.prepare('INSERT INTO secrets (input_id, type, type_name, data) VALUES (?, ?, ?, ?)');
    this.insHarPage = db.prepare('INSERT INTO har_pages (input_id, page_id, title, ts_ns) VALUES (?, ?, ?, ?)');
    // In an UPDATE every right-hand side sees the old row, so the pointer columns
    // compare against the old first_ts_ns before it is lowered.
    this.upsertHost = db.prepare(`INSERT INTO hosts (ip, name, source, first_ts_ns, count, first_input_id, first_frame, first_entry)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (ip, name, source) DO UPDATE SET
        count = count + excluded.count,
        first_input_id = CASE WHEN excluded.first_ts_ns < first_ts_ns THEN excluded.first_input_id ELSE first_input_id END,
        first_frame = CASE WHEN excluded.first_ts_ns < first_ts_ns THEN excluded.first_frame ELSE first_frame END,
        first_entry = CASE WHEN excluded.first_ts_ns < first_ts_ns THEN excluded.first_entry ELSE first_entry END,
        first_ts_ns = min(first_ts_ns, excluded.first_ts_ns)`);
  }

  /**
   * Open a case, creating it when `create` is set and the path does not exist.
   * An existing file that is not a Telltale case is refused (never overwritten);
   * a case whose migration history differs from this build is refused too.
   */
  static open(path: string, opts: CaseStoreOptions = {}): CaseStore {
    const abs = resolve(path);
    const ro = opts.readonly === true;
    const exists = existsSync(abs);
    if (exists && !isCaseFile(abs)) {
      throw new NotACaseError(`${abs}: exists and is not a Telltale case; refusing to use or overwrite it`);
    }
    if (!exists && (ro || opts.create !== true)) {
      throw new NotACaseError(`${abs}: no such case file`);
    }
    const db = new Database(abs, { readonly: ro, fileMustExist: exists });
    try {
      let applied: number[] = [];
      if (ro) {
        const pending = pendingMigrations(db, abs);
        if (pending.length > 0) {
          throw new CaseSchemaError(`${abs}: the case uses an older schema; open it once with write access to upgrade it`);
        }
      } else {
        if (!exists) {
          // Before the first table, and before WAL (a WAL database cannot change it).
          // Rows here are large (headers as JSON, bodies): 16 KiB pages took the store's
          // share of a 1 GB real-traffic import from 2.9–3.6 to 2.4 s of CPU, with no change
          // on TLS-heavy traffic. Older cases keep the page size they were made with.
          db.pragma(`page_size = ${CASE_PAGE_SIZE}`);
          // SQLite's default, said outright: header lists are stored from UTF-8 bytes (JsonText).
          db.pragma("encoding = 'UTF-8'");
          // Set before WAL so the id lands in the main file's header, where isCaseFile looks.
          db.pragma(`application_id = ${CASE_APPLICATION_ID}`);
        }
        db.pragma('journal_mode = WAL');
        // NORMAL in WAL keeps the database consistent on a crash; only the last
        // commits may be lost, and they can be re-imported from the originals.
        db.pragma('synchronous = NORMAL');
        applied = migrate(db, abs);
        // An import interrupted before its end left the views' index dropped.
        db.exec(HTTP_VIEW_INDEX);
      }
      db.pragma('foreign_keys = ON');
      db.pragma(`cache_size = -${CASE_CACHE_KIB}`);
      const store = new CaseStore(abs, db, ro, opts.batchRows ?? 8192);
      if (!exists) {
        const title = opts.title ?? basename(abs, extname(abs));
        const caseId = randomUUID();
        const created = new Date().toISOString();
        const set = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
        db.transaction(() => {
          set.run('format', 'telltale-case');
          set.run('case_id', caseId);
          set.run('title', title);
          set.run('created', created);
          set.run('created_with', toolString());
        })();
        store.appendCustody('case.create', { path: abs, title, caseId });
      } else if (applied.length > 0) {
        store.appendCustody('case.migrate', { path: abs, applied });
      }
      return store;
    } catch (e) {
      db.close();
      throw e;
    }
  }

  // ---- record sink (hot path) -------------------------------------------------

  private begin(): void {
    if (!this.txOpen) {
      this.db.exec('BEGIN');
      this.txOpen = true;
    }
  }

  private tick(): void {
    if (++this.pending >= this.batchRows) this.commit(this.hostAgg.size >= MAX_HOST_AGG);
  }

  private failed(kind: string, input: number, frame: number | null, e: unknown): void {
    this.storeErrors++;
    try {
      this.insAnomaly.run(input, frame, 'store', `could not store ${kind} record: ${message(e)}`);
    } catch {
      // The input itself may be unknown (foreign key): the counter is all we can keep.
    }
  }

  private setPointer(input: number, frame: number | null, entry: number | null | undefined, ts: bigint): void {
    this.curInput = input;
    this.curFrame = frame;
    this.curEntry = entry ?? null;
    this.curTs = ts;
  }

  private addHostLink(ip: string, name: string, source: HostSource): void {
    const key = `${ip}\u0000${name}\u0000${source}`;
    const agg = this.hostAgg.get(key);
    if (agg) {
      agg.count++;
      if (this.curTs < agg.firstTs) {
        agg.firstTs = this.curTs;
        agg.input = this.curInput;
        agg.frame = this.curFrame;
        agg.entry = this.curEntry;
      }
      return;
    }
    this.hostAgg.set(key, {
      ip, name, source, count: 1, firstTs: this.curTs,
      input: this.curInput, frame: this.curFrame, entry: this.curEntry,
    });
  }

  /** Store a DNS message and link its answers to the names that led to them. */
  dns(r: DnsRecord): void {
    this.begin();
    try {
      this.insDns.run(r.input, r.frame, r.entry ?? null, r.ts, r.srcIp, r.srcPort, r.dstIp, r.dstPort,
        r.transport, r.flavor, r.id, r.response ? 1 : 0, r.opcode, r.rcode, r.qname, r.qtype,
        r.answers.length === 0 ? '[]' : JSON.stringify(r.answers));
    } catch (e) {
      this.failed('dns', r.input, r.frame, e);
    }
    if (r.response && r.answers.length > 0) {
      this.setPointer(r.input, r.frame, r.entry, r.ts);
      dnsHostLinks(r, this.emitHost);
    }
    this.tick();
  }

  /** Store a TLS (or QUIC) ClientHello with what the ServerHello negotiated. */
  tls(r: TlsRecord): void {
    this.begin();
    try {
      this.insTls.run(r.input, r.frame, r.entry ?? null, r.ts, r.srcIp, r.srcPort, r.dstIp, r.dstPort,
        r.transport, r.sni, r.alpn.length === 0 ? '[]' : JSON.stringify(r.alpn), numJson(r.versions),
        r.legacyVersion, numJson(r.ciphers), numJson(r.extensions), r.ja4, r.quicVersion, r.serverVersion,
        r.serverCipher, r.serverFrame);
    } catch (e) {
      this.failed('tls', r.input, r.frame, e);
    }
    if (r.sni) {
      this.setPointer(r.input, r.frame, r.entry, r.ts);
      tlsHostLinks(r, this.emitHost);
    }
    this.tick();
  }

  /** Store an HTTP exchange; bodies are compressed (see body-codec.ts). */
  http(r: HttpRecord): void {
    let p: PreparedHttp;
    try {
      p = prepareHttp(r);
    } catch (e) {
      this.begin();
      this.failed('http', r.input, r.frame, e);
      this.tick();
      return;
    }
    this.httpPrepared(p);
  }

  /** Store an HTTP exchange whose headers and bodies are already encoded (http-prepare.ts). */
  httpPrepared(r: PreparedHttp): void {
    this.begin();
    try {
      const req = r.requestBody !== null && r.requestBody.len > 0 ? r.requestBody : null;
      const res = r.responseBody !== null && r.responseBody.len > 0 ? r.responseBody : null;
      const sha256 = res === null ? r.responseBodySha256 ?? null : null;
      // A body not kept still counts its full length (the capture holds the bytes).
      const resLen = res !== null ? res.len : sha256 !== null ? r.responseBodySize : 0;
      this.insHttp.run(r.input, r.frame, r.entry ?? null, r.ts, r.srcIp, r.srcPort, r.dstIp, r.dstPort,
        r.source, r.method, r.host, r.uri, r.version, r.requestHeadersJson,
        req?.data ?? null, req?.codec ?? null, req?.len ?? 0, r.requestBodySize, r.status, r.reason,
        r.responseHeadersJson, res?.data ?? null, res?.codec ?? null, resLen,
        r.responseBodySize, r.responseFrame, r.responseTs, r.truncated ? 1 : 0, r.serverIp ?? null,
        res === null ? null : r.responseBodyEncoding ?? null, sha256);
    } catch (e) {
      this.failed('http', r.input, r.frame, e);
    }
    if (r.host) {
      this.setPointer(r.input, r.frame, r.entry, r.ts);
      httpHostLinks(r, this.emitHost);
    }
    this.tick();
  }

  /** Store a finished TCP/UDP conversation. */
  flow(r: FlowRecord): void {
    this.begin();
    try {
      this.insFlow.run(r.input, r.proto, r.srcIp, r.srcPort, r.dstIp, r.dstPort, r.srcMac, r.dstMac,
        r.firstFrame, r.firstTs, r.lastTs, r.packetsUp, r.packetsDown, r.bytesUp, r.bytesDown, r.app, r.gapBytes);
    } catch (e) {
      this.failed('flow', r.input, r.firstFrame, e);
    }
    this.tick();
  }

  /** Store a local name (DHCP, mDNS, NBNS, pcapng NRB) and link it to its address. */
  name(r: NameRecord): void {
    this.begin();
    try {
      this.insName.run(r.input, r.frame, r.entry ?? null, r.ts, r.ip, r.mac, r.name, r.source, r.vendorClass ?? null);
    } catch (e) {
      this.failed('name', r.input, r.frame, e);
    }
    if (r.ip) {
      this.setPointer(r.input, r.frame, r.entry, r.ts);
      nameHostLinks(r, this.emitHost);
    }
    this.tick();
  }

  /** Store an anomaly (what could not be parsed, and where). */
  anomaly(r: AnomalyRecord): void {
    this.begin();
    try {
      this.insAnomaly.run(r.input, r.frame, r.layer, r.error);
    } catch {
      // An anomaly that cannot be stored cannot be reported as one either: count it.
      this.storeErrors++;
    }
    this.tick();
  }

  /** Store a pcapng decryption secret (kept for decryption later). */
  secret(r: SecretRecord): void {
    this.begin();
    try {
      this.insSecret.run(r.input, r.type, r.typeName, r.data);
    } catch (e) {
      this.failed('secret', r.input, null, e);
    }
    this.tick();
  }

  /** Store a HAR page. */
  harPage(r: HarPageRecord): void {
    this.begin();
    try {
      this.insHarPage.run(r.input, r.pageId, r.title, r.ts);
    } catch (e) {
      this.failed('har page', r.input, null, e);
    }
    this.tick();
  }

  /** Commit buffered rows and host links: after this, other connections see them. */
  flush(): void {
    this.commit(true);
  }

  /**
   * Commit the open transaction. Host links are written with it only on an explicit
   * flush (the import worker's, about once a second) or when many are pending: the
   * same links recur in every batch, so upserting them at each batch commit repeated
   * most of the work.
   */
  private commit(hosts: boolean): void {
    if (hosts && this.hostAgg.size > 0) {
      this.begin();
      for (const h of this.hostAgg.values()) {
        this.upsertHost.run(h.ip, h.name, h.source, h.firstTs, h.count, h.input, h.frame, h.entry);
      }
      this.hostAgg.clear();
    }
    this.pending = 0;
    if (!this.txOpen) return;
    this.txOpen = false;
    try {
      this.db.exec('COMMIT');
    } catch (e) {
      // A failed COMMIT (disk full, I/O error) leaves the transaction open: drop the
      // batch so the case stays consistent and later writes are not silently lost too.
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw e;
    }
    if (this.importing > 0) this.checkWal();
  }

  /** Flush and close the database. */
  close(): void {
    if (!this.db.open) return;
    if (!this.readonly) this.flush();
    this.stopCheckpointer();
    this.db.close();
  }

  /** Start of an import: commits append to the WAL only (see the file comment). */
  private beginImport(large: boolean): void {
    if (this.importing++ === 0) {
      this.checkpointerFailed = false;
      this.db.pragma('wal_autocheckpoint = 0');
    }
    // Built again at the end of the import: cheaper than keeping it up to date row by row,
    // but only for a file large enough to pay for rebuilding it over the whole case.
    if (large) this.db.exec('DROP INDEX IF EXISTS http_view');
  }

  /**
   * After a commit during an import: hand checkpoints to a worker once the WAL is large,
   * and from then on let the writer's automatic checkpoint start the WAL over once it
   * holds WAL_RESTART_BYTES.
   */
  private checkWal(): void {
    if (this.checkpointer !== null || this.checkpointerFailed) return;
    let size = 0;
    try { size = statSync(`${this.path}-wal`).size; } catch { return; }
    if (size < CHECKPOINTER_WAL_BYTES) return;
    const control = new SharedArrayBuffer(12);
    let worker: Worker;
    try {
      worker = new Worker(workerUrl('checkpoint-worker', import.meta.url), {
        workerData: { path: this.path, control },
        resourceLimits: { maxYoungGenerationSizeMb: 4 },
      });
    } catch {
      this.checkpointerLost();
      return;
    }
    worker.unref();
    worker.on('error', () => this.checkpointerLost());
    this.checkpointer = { worker, ctl: new Int32Array(control) };
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    this.db.pragma(`wal_autocheckpoint = ${Math.ceil(WAL_RESTART_BYTES / pageSize)}`);
  }

  /** Without the worker, this connection checkpoints as usual again. */
  private checkpointerLost(): void {
    this.checkpointerFailed = true;
    this.checkpointer = null;
    if (this.db.open && this.importing > 0) this.db.pragma('wal_autocheckpoint = 1000');
  }

  /** Ask the checkpoint worker for its last checkpoint and wait until it has closed. */
  private stopCheckpointer(): void {
    const c = this.checkpointer;
    if (c === null) return;
    this.checkpointer = null;
    Atomics.store(c.ctl, 0, 1);
    Atomics.notify(c.ctl, 0);
    // Not running yet (still loading, or failed to): nothing of it to wait for.
    if (Atomics.load(c.ctl, 2) === 1) {
      // The worker never waits for locks, so this returns within one checkpoint.
      Atomics.wait(c.ctl, 1, 0, CHECKPOINTER_STOP_MS);
    }
    if (Atomics.load(c.ctl, 1) === 0) void c.worker.terminate();
  }

  /** End of an import: checkpoint what it wrote and restore automatic checkpoints. */
  private endImport(): void {
    if (this.importing === 0 || --this.importing > 0) return;
    // The index first: the checkpoint worker copies the WAL meanwhile (its last
    // checkpoint, which stopCheckpointer waits for, used to come first).
    try {
      this.db.exec(HTTP_VIEW_INDEX);
    } catch {
      // Only a speed-up for the views (a full disk, say): the next write-open builds it.
    }
    this.stopCheckpointer();
    this.db.pragma('wal_autocheckpoint = 1000');
    // PASSIVE never waits for readers; whatever it cannot copy now goes at a later checkpoint.
    this.db.pragma('wal_checkpoint(PASSIVE)');
  }

  // ---- inputs and custody -------------------------------------------------------

  /** Register an input about to be imported; returns its id (the `input` of its records). */
  addInput(path: string): number {
    this.flush();
    const abs = resolve(path);
    const res = this.db.prepare('INSERT INTO inputs (path, file_name, status, added_at) VALUES (?, ?, ?, ?)')
      .run(abs, basename(abs), 'importing', new Date().toISOString());
    let size = 0;
    try { size = statSync(abs).size; } catch { size = 0; }
    this.beginImport(size >= LARGE_INPUT_BYTES);
    return Number(res.lastInsertRowid);
  }

  /**
   * Record an input's summary. Status defaults to 'failed' when nothing could be read
   * (error and no packets/entries), else 'done' (an error then means a partial read).
   * An input with the SHA-256 of another input already 'done' is a duplicate: its
   * records are deleted (duplicate-input.ts) and it is kept as 'failed' with an error
   * naming that input, whatever `status` says.
   */
  finishInput(id: number, s: InputSummary, status?: InputStatus): FinishedInput {
    this.flush();
    let st: InputStatus = status ?? (s.error !== null && s.packets === 0 && s.entries === 0 ? 'failed' : 'done');
    let error = s.error;
    let anomalies = s.anomalies;
    const dup = findDuplicate(this.db, id, s.sha256);
    if (dup !== null) {
      dropInputRecords(this.db, id);
      st = 'failed';
      error = duplicateError(dup);
      // Its anomaly rows are gone with the rest; the file's own facts (size, format, times) stay.
      anomalies = 0;
    }
    this.db.prepare(`UPDATE inputs SET size = ?, sha256 = ?, format = ?, gzip = ?, link_types = ?, ts_digits = ?,
      packets = ?, entries = ?, first_ts_ns = ?, last_ts_ns = ?, anomalies = ?, commented_frames = ?, error = ?,
      producer = ?, status = ?, finished_at = ? WHERE id = ?`)
      .run(s.size, s.sha256 === '' ? null : s.sha256, s.format, s.gzip ? 1 : 0, numJson(s.linkTypes), s.tsDigits,
        s.packets, s.entries, s.firstTs, s.lastTs, anomalies, s.commentedFrames, error, s.producer, st,
        new Date().toISOString(), id);
    this.endImport();
    return { status: st, error, duplicateOf: dup?.id ?? null };
  }

  /**
   * Append to the custody log. Each entry carries the SHA-256 of the previous one,
   * so a rewritten or removed entry breaks the chain (see verifyCustody).
   */
  appendCustody(action: string, detail: Record<string, unknown> = {}): CustodyEntry {
    this.flush();
    const at = new Date().toISOString();
    const detailJson = JSON.stringify(detail);
    const tool = toolString();
    const hostJson = JSON.stringify(hostInfo());
    return this.db.transaction((): CustodyEntry => {
      const last = this.db.prepare('SELECT id, hash FROM custody_log ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string } | undefined;
      const id = (last?.id ?? 0) + 1;
      const prevHash = last?.hash ?? GENESIS_HASH;
      const hash = custodyHash(prevHash, id, at, action, detailJson, tool, hostJson);
      this.db.prepare('INSERT INTO custody_log (id, at, action, detail, tool, host, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(id, at, action, detailJson, tool, hostJson, prevHash, hash);
      return { id, at, action, detail, tool, host: hostInfo() as unknown as Record<string, unknown>, prevHash, hash };
    }).immediate();
  }

  /** The custody log in order. */
  custodyLog(): CustodyEntry[] {
    const rows = this.db.prepare('SELECT id, at, action, detail, tool, host, prev_hash, hash FROM custody_log ORDER BY id').all() as Row[];
    return rows.map((r) => ({
      id: r.id as number,
      at: r.at as string,
      action: r.action as string,
      detail: JSON.parse(r.detail as string) as Record<string, unknown>,
      tool: r.tool as string,
      host: JSON.parse(r.host as string) as Record<string, unknown>,
      prevHash: r.prev_hash as string,
      hash: r.hash as string,
    }));
  }

  /** Recompute the custody hash chain; `firstBad` is the id of the first entry that does not match. */
  verifyCustody(): { ok: boolean; entries: number; firstBad: number | null } {
    const rows = this.db.prepare('SELECT id, at, action, detail, tool, host, prev_hash, hash FROM custody_log ORDER BY id').all() as Row[];
    let prev = GENESIS_HASH;
    let expectId = 1;
    for (const r of rows) {
      const id = r.id as number;
      const h = custodyHash(prev, id, r.at as string, r.action as string, r.detail as string, r.tool as string, r.host as string);
      if (id !== expectId || r.prev_hash !== prev || r.hash !== h) return { ok: false, entries: rows.length, firstBad: id };
      prev = h;
      expectId++;
    }
    return { ok: true, entries: rows.length, firstBad: null };
  }

  // ---- queries ------------------------------------------------------------------

  /** Case metadata (format, case id, title, creation time and tool). */
  meta(): CaseMeta {
    const rows = this.db.prepare('SELECT key, value FROM meta').all() as Array<{ key: string; value: string }>;
    const out: Record<string, string> = {};
    for (const r of rows) out[r.key] = r.value;
    return {
      ...out,
      format: out.format ?? '',
      caseId: out.case_id ?? '',
      title: out.title ?? '',
      created: out.created ?? '',
      createdWith: out.created_with ?? '',
    };
  }

  /** Inputs in the order they were added. */
  inputs(): InputRow[] {
    const rows = this.db.prepare(`SELECT id, path, file_name, size, sha256, format, gzip, link_types, ts_digits, packets,
      entries, CAST(first_ts_ns AS TEXT) AS first_ts, CAST(last_ts_ns AS TEXT) AS last_ts, anomalies, commented_frames,
      error, producer, status, added_at, finished_at FROM inputs ORDER BY id`).all() as Row[];
    return rows.map((r) => ({
      id: r.id as number,
      path: r.path as string,
      fileName: r.file_name as string,
      size: r.size as number | null,
      sha256: r.sha256 as string | null,
      format: r.format as InputRow['format'],
      gzip: r.gzip === 1,
      linkTypes: JSON.parse(r.link_types as string) as number[],
      tsDigits: r.ts_digits as number | null,
      packets: r.packets as number,
      entries: r.entries as number,
      firstTs: nsOrNull(r.first_ts),
      lastTs: nsOrNull(r.last_ts),
      anomalies: r.anomalies as number,
      commentedFrames: r.commented_frames as number,
      error: r.error as string | null,
      producer: r.producer as string | null,
      status: r.status as InputStatus,
      addedAt: r.added_at as string,
      finishedAt: r.finished_at as string | null,
    }));
  }

  /** Row counts of the record tables. */
  counts(): CaseCounts {
    const c = (sql: string): number => (this.db.prepare(sql).pluck().get() as number);
    return {
      inputs: c('SELECT count(*) FROM inputs'),
      flows: c('SELECT count(*) FROM flows'),
      dns: c('SELECT count(*) FROM dns'),
      tls: c('SELECT count(*) FROM tls'),
      http: c('SELECT count(*) FROM http'),
      names: c('SELECT count(*) FROM names'),
      hostLinks: c('SELECT count(*) FROM hosts'),
      hosts: c('SELECT count(DISTINCT ip) FROM hosts'),
      anomalies: c('SELECT count(*) FROM anomalies'),
      secrets: c('SELECT count(*) FROM secrets'),
      harPages: c('SELECT count(*) FROM har_pages'),
    };
  }

  /**
   * Page through a table in (ts_ns, id) order without holding a cursor open between
   * pages, so callers may await between rows (streaming export) safely.
   */
  private *byTime<T>(table: string, columns: string, map: (r: Row) => T, pageSize: number): Generator<T> {
    const stmt = this.db.prepare(`SELECT ${columns}, id, CAST(ts_ns AS TEXT) AS ts_text FROM ${table}
      WHERE (ts_ns, id) > (?, ?) ORDER BY ts_ns, id LIMIT ?`);
    let lastTs = MIN_TS;
    let lastId = -1;
    for (;;) {
      const rows = stmt.all(lastTs, lastId, pageSize) as Row[];
      for (const r of rows) yield map(r);
      if (rows.length < pageSize) return;
      const tail = rows[rows.length - 1];
      lastTs = BigInt(tail.ts_text as string);
      lastId = tail.id as number;
    }
  }

  /** DNS messages ordered by time. */
  iterDns(pageSize = 2000): Generator<StoredDns> {
    return this.byTime('dns', `input_id, frame, entry, src_ip, src_port, dst_ip, dst_port, transport, flavor, txid,
      response, opcode, rcode, qname, qtype, answers`, (r) => ({
      rowId: r.id as number,
      input: r.input_id as number,
      frame: r.frame as number | null,
      entry: r.entry as number | null,
      ts: BigInt(r.ts_text as string),
      srcIp: r.src_ip as string,
      srcPort: r.src_port as number,
      dstIp: r.dst_ip as string,
      dstPort: r.dst_port as number,
      transport: r.transport as StoredDns['transport'],
      flavor: r.flavor as StoredDns['flavor'],
      id: r.txid as number,
      response: r.response === 1,
      opcode: r.opcode as number,
      rcode: r.rcode as number | null,
      qname: r.qname as string,
      qtype: r.qtype as number,
      answers: JSON.parse(r.answers as string) as DnsAnswer[],
    }), pageSize);
  }

  /** TLS/QUIC ClientHellos ordered by time. */
  iterTls(pageSize = 2000): Generator<StoredTls> {
    return this.byTime('tls', `input_id, frame, entry, src_ip, src_port, dst_ip, dst_port, transport, sni, alpn,
      versions, legacy_version, ciphers, extensions, ja4, quic_version, server_version, server_cipher, server_frame`, (r) => ({
      rowId: r.id as number,
      input: r.input_id as number,
      frame: r.frame as number | null,
      entry: r.entry as number | null,
      ts: BigInt(r.ts_text as string),
      srcIp: r.src_ip as string,
      srcPort: r.src_port as number,
      dstIp: r.dst_ip as string,
      dstPort: r.dst_port as number,
      transport: r.transport as StoredTls['transport'],
      sni: r.sni as string | null,
      alpn: JSON.parse(r.alpn as string) as string[],
      versions: JSON.parse(r.versions as string) as number[],
      legacyVersion: r.legacy_version as number,
      ciphers: JSON.parse(r.ciphers as string) as number[],
      extensions: JSON.parse(r.extensions as string) as number[],
      ja4: r.ja4 as string | null,
      quicVersion: r.quic_version as number | null,
      serverVersion: r.server_version as number | null,
      serverCipher: r.server_cipher as number | null,
      serverFrame: r.server_frame as number | null,
    }), pageSize);
  }

  /** HTTP exchanges (without bodies) ordered by request time. */
  iterHttp(pageSize = 2000): Generator<StoredHttp> {
    return this.byTime('http', `input_id, frame, entry, src_ip, src_port, dst_ip, dst_port, source, method, host, uri,
      version, request_headers, request_body_len, request_body_size, status, reason, response_headers,
      response_body_len, response_body_size, response_frame, CAST(response_ts_ns AS TEXT) AS response_ts, truncated,
      server_ip, response_body_encoding, response_body_sha256`, (r) => ({
      rowId: r.id as number,
      input: r.input_id as number,
      frame: r.frame as number | null,
      entry: r.entry as number | null,
      ts: BigInt(r.ts_text as string),
      srcIp: r.src_ip as string,
      srcPort: r.src_port as number,
      dstIp: r.dst_ip as string,
      dstPort: r.dst_port as number,
      source: r.source as StoredHttp['source'],
      method: r.method as string,
      host: r.host as string | null,
      uri: r.uri as string,
      version: r.version as string,
      requestHeaders: JSON.parse(r.request_headers as string) as HeaderList,
      requestBodyLen: r.request_body_len as number,
      requestBodySize: r.request_body_size as number,
      status: r.status as number | null,
      reason: r.reason as string | null,
      responseHeaders: r.response_headers === null ? null : JSON.parse(r.response_headers as string) as HeaderList,
      responseBodyLen: r.response_body_len as number,
      responseBodyEncoding: r.response_body_encoding as string | null,
      responseBodySha256: r.response_body_sha256 as string | null,
      responseBodySize: r.response_body_size as number,
      responseFrame: r.response_frame as number | null,
      responseTs: nsOrNull(r.response_ts),
      truncated: r.truncated === 1,
      serverIp: r.server_ip as string | null,
    }), pageSize);
  }

  /** Local names (DHCP, mDNS, NBNS, NRB) ordered by time. */
  iterNames(pageSize = 2000): Generator<StoredName> {
    return this.byTime('names', 'input_id, frame, entry, ip, mac, name, source, vendor_class', (r) => ({
      rowId: r.id as number,
      input: r.input_id as number,
      frame: r.frame as number | null,
      entry: r.entry as number | null,
      ts: BigInt(r.ts_text as string),
      ip: r.ip as string | null,
      mac: r.mac as string | null,
      name: r.name as string,
      source: r.source as StoredName['source'],
      vendorClass: r.vendor_class as string | null,
    }), pageSize);
  }

  /** Host links ordered by ip, name, source. */
  *iterHosts(pageSize = 2000): Generator<StoredHostLink> {
    const stmt = this.db.prepare(`SELECT ip, name, source, CAST(first_ts_ns AS TEXT) AS first_ts, count, first_input_id,
      first_frame, first_entry FROM hosts WHERE (ip, name, source) > (?, ?, ?) ORDER BY ip, name, source LIMIT ?`);
    let last: [string, string, string] = ['', '', ''];
    for (;;) {
      const rows = stmt.all(last[0], last[1], last[2], pageSize) as Row[];
      for (const r of rows) {
        yield {
          ip: r.ip as string,
          name: r.name as string,
          source: r.source as HostSource,
          firstTs: BigInt(r.first_ts as string),
          count: r.count as number,
          input: r.first_input_id as number | null,
          frame: r.first_frame as number | null,
          entry: r.first_entry as number | null,
        };
      }
      if (rows.length < pageSize) return;
      const t = rows[rows.length - 1];
      last = [t.ip as string, t.name as string, t.source as string];
    }
  }

  /** Anomalies ordered by input, then in the order they were reported (file order). */
  *iterAnomalies(pageSize = 2000): Generator<StoredAnomaly> {
    const stmt = this.db.prepare(`SELECT id, input_id, frame, layer, error FROM anomalies
      WHERE (input_id, id) > (?, ?) ORDER BY input_id, id LIMIT ?`);
    let lastInput = -1;
    let lastId = -1;
    for (;;) {
      const rows = stmt.all(lastInput, lastId, pageSize) as Row[];
      for (const r of rows) {
        yield { rowId: r.id as number, input: r.input_id as number, frame: r.frame as number | null, layer: r.layer as string, error: r.error as string };
      }
      if (rows.length < pageSize) return;
      const t = rows[rows.length - 1];
      lastInput = t.input_id as number;
      lastId = t.id as number;
    }
  }

  /**
   * Decoded request and response bodies of one HTTP exchange (null where there is none
   * or it was not kept). A response kept as sent is content-decoded here, with the
   * dissector's cap; `response` says what was undone, what went wrong, and, for a body
   * not kept, its SHA-256.
   */
  httpBodies(id: number): { request: Buffer | null; response: Buffer | null } & { responseInfo: ResponseBodyInfo } {
    const r = this.db.prepare(`SELECT request_body, request_body_codec, response_body, response_body_codec,
      response_body_encoding, response_body_sha256 FROM http WHERE id = ?`).get(id) as Row | undefined;
    const info: ResponseBodyInfo = { encoding: null, decodeError: null, decodeTruncated: false, sha256: null };
    if (!r) return { request: null, response: null, responseInfo: info };
    let response = r.response_body === null ? null : decodeBody(r.response_body_codec as BodyCodec, r.response_body as Buffer);
    info.sha256 = (r.response_body_sha256 as string | null) ?? null;
    const encoding = (r.response_body_encoding as string | null) ?? null;
    const d = encoding === null ? null : decodedResponseBody({ responseBody: response, responseBodyEncoding: encoding });
    if (d !== null) {
      response = d.body;
      info.encoding = encoding;
      info.decodeError = d.error;
      info.decodeTruncated = d.truncated;
    }
    return {
      request: r.request_body === null ? null : decodeBody(r.request_body_codec as BodyCodec, r.request_body as Buffer),
      response,
      responseInfo: info,
    };
  }

  /** Secrets of one input (e.g. TLS key log lines from a pcapng DSB). */
  secrets(inputId: number): SecretRecord[] {
    const rows = this.db.prepare('SELECT input_id, type, type_name, data FROM secrets WHERE input_id = ? ORDER BY id').all(inputId) as Row[];
    return rows.map((r) => ({ input: r.input_id as number, type: r.type as number, typeName: r.type_name as string, data: r.data as Buffer }));
  }

  /** HAR pages of one input. */
  harPages(inputId: number): HarPageRecord[] {
    const rows = this.db.prepare('SELECT input_id, page_id, title, CAST(ts_ns AS TEXT) AS ts FROM har_pages WHERE input_id = ? ORDER BY id').all(inputId) as Row[];
    return rows.map((r) => ({ input: r.input_id as number, pageId: r.page_id as string, title: r.title as string, ts: BigInt(r.ts as string) }));
  }
}
