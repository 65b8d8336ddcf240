/**
 * Domain types that cross the Engine API. Everything here must survive JSON and the
 * structured clone of Electron IPC unchanged, so: timestamps are ISO 8601 UTC strings
 * with up to nine fractional digits (a double cannot hold nanoseconds at today's
 * epoch, a string can, and fixed-width ISO strings sort correctly as text), no bigint,
 * no Buffer, no Date, no class instances.
 *
 * Only what the engine can serve now is here; findings, timelines, map data and the
 * report model arrive with the issues that build them.
 */

/** ISO 8601 UTC timestamp, e.g. "2009-11-18T20:58:04.822720Z". */
export type IsoTime = string;

/** Capture or HAR file format, decided by magic bytes. */
export type InputFormat = 'pcap' | 'pcapng' | 'har';

/** Where a row came from: the evidence pointer every row carries. */
export interface EvidencePointer {
  /** Input id within the open case. */
  input: number;
  /** 1-based frame number in a capture, or null for HAR rows. */
  frame: number | null;
  /** 0-based index into a HAR's log.entries, or null for capture rows. */
  entry: number | null;
  ts: IsoTime;
}

/** Client→server orientation (client = the side that started the conversation). */
export interface Endpoints {
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
}

/** Versions of the running shell, for the about line and for the report's provenance. */
export interface AppVersionInfo {
  name: string;
  version: string;
  /** Null outside Electron (web host, CLI). */
  electron: string | null;
  /** Null outside Electron. */
  chrome: string | null;
  node: string;
}

/** Counts and time span of the open case. */
export interface CaseSummary {
  /** Absolute path of the case file. */
  path: string;
  inputs: number;
  packets: number;
  harEntries: number;
  flows: number;
  dns: number;
  tls: number;
  http: number;
  hosts: number;
  anomalies: number;
  firstTs: IsoTime | null;
  lastTs: IsoTime | null;
}

/** One imported file and what the import found in it. */
export interface InputInfo {
  id: number;
  /** Absolute path as given at import time; the file is never modified. */
  path: string;
  /** Null when the file was not recognised. */
  format: InputFormat | null;
  gzip: boolean;
  sha256: string;
  size: number;
  linkTypes: number[];
  /** Fractional-second digits of the input's own timestamps (6 µs, 9 ns, 3 HAR ms). */
  tsDigits: number;
  packets: number;
  harEntries: number;
  firstTs: IsoTime | null;
  lastTs: IsoTime | null;
  anomalies: number;
  /** Set when the input could not be read at all or stopped early (partial results kept). */
  error: string | null;
  /** HAR creator/browser or pcapng SHB hardware/os/application, when known. */
  producer: string | null;
  importedAt: IsoTime;
}

export type ImportState = 'running' | 'done' | 'failed' | 'cancelled';

/** Pushed while an import runs; the last event of an import has a state other than 'running'. */
export interface ImportProgressEvent {
  importId: string;
  state: ImportState;
  /** File being read now (absolute path). */
  file: string;
  /** 0-based position of `file` among the import's files. */
  fileIndex: number;
  fileCount: number;
  bytesRead: number;
  bytesTotal: number;
  packets: number;
  harEntries: number;
  /** Set with state 'failed', or when one file of several could not be read. */
  error: string | null;
}

export interface DnsAnswer {
  name: string;
  /** Numeric RR type (1 = A, 28 = AAAA, 5 = CNAME, 65 = HTTPS, ...). */
  type: number;
  ttl: number;
  data: string;
}

export interface DnsRow extends EvidencePointer, Endpoints {
  transport: 'udp' | 'tcp';
  flavor: 'dns' | 'mdns';
  id: number;
  response: boolean;
  opcode: number;
  rcode: number | null;
  qname: string;
  qtype: number;
  answers: DnsAnswer[];
}

/** A TLS or QUIC ClientHello, with the ServerHello's choice when one was seen. */
export interface TlsRow extends EvidencePointer, Endpoints {
  transport: 'tcp' | 'quic';
  sni: string | null;
  alpn: string[];
  versions: number[];
  legacyVersion: number;
  ciphers: number[];
  extensions: number[];
  ja4: string | null;
  quicVersion: number | null;
  serverVersion: number | null;
  serverCipher: number | null;
  serverFrame: number | null;
}

export type HeaderList = Array<[name: string, value: string]>;

/**
 * One HTTP request and its response. Bodies are not carried in rows (they can be
 * megabytes); sizes say whether there is one to fetch once a body method exists.
 */
export interface HttpRow extends EvidencePointer, Endpoints {
  method: string;
  host: string | null;
  uri: string;
  version: string;
  requestHeaders: HeaderList;
  requestBodySize: number;
  status: number | null;
  reason: string | null;
  responseHeaders: HeaderList | null;
  responseBodySize: number;
  responseFrame: number | null;
  responseTs: IsoTime | null;
  truncated: boolean;
  source: 'tcp' | 'har';
}

/** A remote address the case talked to, with the names it was known by. */
export interface HostRow {
  ip: string;
  /** Names seen for this address: DNS answers, TLS SNI, HTTP Host; sorted, unique. */
  names: string[];
  flows: number;
  bytesUp: number;
  bytesDown: number;
  firstTs: IsoTime;
  lastTs: IsoTime;
}

/** Something a parser could not make sense of; the import carried on past it. */
export interface AnomalyRow {
  input: number;
  frame: number | null;
  layer: string;
  error: string;
}

/** A page of rows plus the total that matched, for paging and counts. */
export interface Page<Row> {
  rows: Row[];
  total: number;
}

/** Common filter and paging for list methods. */
export interface RowQuery {
  /** Restrict to one input. */
  input?: number;
  /** Case-insensitive substring over the row's main text (qname, SNI, host + URI, ip/names, error). */
  search?: string;
  offset?: number;
  /** At most API_MAX_LIMIT; defaults to API_DEFAULT_LIMIT. */
  limit?: number;
}

export const API_DEFAULT_LIMIT = 200;
export const API_MAX_LIMIT = 5000;
