/**
 * Domain types that cross the Engine API. Everything here must survive JSON and the
 * structured clone of Electron IPC unchanged, so: no bigint, no Buffer, no Date, no
 * class instances.
 *
 * Time is given twice. `ts`-style fields are ISO 8601 UTC strings with the precision of
 * the input they come from (6 digits for a microsecond pcap, 9 for nanoseconds, 3 for
 * HAR): a double cannot hold nanoseconds at today's epoch, a string can, and
 * fixed-width ISO strings sort correctly as text. `…Ms` fields are the same instant as
 * epoch milliseconds (a float, sub-millisecond digits kept as far as a double allows),
 * for charts and time arithmetic in the views.
 */

/** ISO 8601 UTC timestamp, e.g. "2009-11-18T20:58:04.822720Z". */
export type IsoTime = string;

/** Capture or HAR file format, decided by magic bytes. */
export type InputFormat = 'pcap' | 'pcapng' | 'har';

/** Import state of one input as recorded in the case. */
export type InputStatus = 'importing' | 'done' | 'failed' | 'cancelled';

/** Where a row came from: the evidence pointer every row carries. */
export interface EvidencePointer {
  /** Input id within the open case. */
  input: number;
  /** 1-based frame number in a capture, or null for HAR rows. */
  frame: number | null;
  /** 0-based index into a HAR's log.entries, or null for capture rows. */
  entry: number | null;
  ts: IsoTime;
  tsMs: number;
}

/** Client→server orientation (client = the side that started the conversation). */
export interface Endpoints {
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
}

/** A closed time interval. */
export interface TimeSpan {
  from: IsoTime;
  to: IsoTime;
  fromMs: number;
  toMs: number;
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

// ---- case -------------------------------------------------------------------------

/** Row counts of the open case. */
export interface CaseCounts {
  inputs: number;
  packets: number;
  harEntries: number;
  flows: number;
  dns: number;
  tls: number;
  http: number;
  /** Local names (DHCP, mDNS, NBNS, pcapng name resolution). */
  names: number;
  /** Distinct remote addresses with at least one name. */
  hosts: number;
  anomalies: number;
}

/** One imported file and what the import found in it. */
export interface InputInfo {
  id: number;
  /** Absolute path as given at import time (for the web host: the stored upload); never modified. */
  path: string;
  fileName: string;
  /** Null when the file was not recognised. */
  format: InputFormat | null;
  gzip: boolean;
  /** Null while the import runs. */
  sha256: string | null;
  size: number | null;
  linkTypes: number[];
  /** Fractional-second digits of the input's own timestamps (6 µs, 9 ns, 3 HAR ms). */
  tsDigits: number;
  packets: number;
  harEntries: number;
  /** Time span of the input, null when it has no timestamped record (yet). */
  span: TimeSpan | null;
  anomalies: number;
  status: InputStatus;
  /** Why the input failed or stopped early (partial results kept), in plain words. */
  error: string | null;
  /** HAR creator/browser or pcapng SHB hardware/os/application, when known. */
  producer: string | null;
  /** Wall-clock time the import started and finished (ISO, ms). */
  addedAt: IsoTime;
  finishedAt: IsoTime | null;
  /** Incognito/normal label given to the whole input, when findings support it. */
  mode: BrowsingMode | null;
}

/** The open case: identity, inputs, counts. */
export interface CaseInfo {
  /** Absolute path of the case file. */
  path: string;
  title: string;
  caseId: string;
  /** When the case was created (ISO, ms) and by which tool version. */
  created: IsoTime;
  createdWith: string;
  inputs: InputInfo[];
  counts: CaseCounts;
  /** Span over every input; null for an empty case. */
  span: TimeSpan | null;
  /** True while an import into this case is queued or running. */
  importing: boolean;
  /** True while the findings are being rebuilt after labels changed. */
  analysing: boolean;
  /** Which optional parts of the API this case can answer. */
  features: CaseFeatures;
}

export interface CaseFeatures {
  /** Destinations with country/operator, identifiers, devices, accounts, leaks, modes, comparison. */
  findings: boolean;
}

/** A case this shell opened before. */
export interface RecentCase {
  path: string;
  title: string;
  openedAt: IsoTime;
  /** False when the file is gone or no longer a case. */
  exists: boolean;
}

// ---- import -----------------------------------------------------------------------

export type ImportState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
/** 'skipped' = never started because the import was cancelled first. */
export type ImportFileState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'skipped';

export interface ImportFileProgress {
  /** 0-based position in the import. */
  index: number;
  /** Absolute path being read (for the web host: the stored upload). */
  path: string;
  /** Name to show (the uploaded name for the web host). */
  name: string;
  /** inputs.id once the file has started. */
  inputId: number | null;
  state: ImportFileState;
  bytesRead: number;
  bytesTotal: number;
  packets: number;
  harEntries: number;
  /** Packets (or HAR entries) per second over the file so far; 0 before the first second's data. */
  itemsPerSecond: number;
  bytesPerSecond: number;
  /** Seconds left at the current rate, null when unknown or finished. */
  etaSeconds: number | null;
  elapsedMs: number;
  /** Why the file failed or stopped early, in plain words. */
  error: string | null;
}

/**
 * The whole state of one import, pushed as 'import.progress' whenever it changes (at
 * most about ten times a second per import) and answered by 'import.list'. The last
 * event of an import has a state other than 'queued' or 'running'.
 */
export interface ImportProgressEvent {
  importId: string;
  /** Path of the case the import writes into (the open case may change while it runs); absent from older shells. */
  casePath?: string;
  state: ImportState;
  files: ImportFileProgress[];
  /** Index of the file being read now, -1 when none. */
  fileIndex: number;
  fileCount: number;
  bytesRead: number;
  bytesTotal: number;
  startedAt: IsoTime | null;
  finishedAt: IsoTime | null;
  /** Set when the import as a whole failed (e.g. the case could not be opened). */
  error: string | null;
  /** Non-fatal problems of the engine itself (a protocol module that failed to load). */
  warnings: string[];
  /**
   * The findings analysis that runs over the whole case once the files are read; the
   * import ends when it does. Null when the engine runs none.
   */
  analysis: AnalysisProgress | null;
}

export interface AnalysisProgress {
  /** 'skipped' when the import was cancelled or read nothing new. */
  state: 'pending' | 'running' | 'done' | 'failed' | 'skipped';
  /** Current step ('requests', 'entities', 'destinations', …), null before the first. */
  step: string | null;
  done: number;
  total: number;
  error: string | null;
}

/** A file the web host stored from an upload, before it is imported. */
export interface UploadedFile {
  /** Name as sent by the browser. */
  originalName: string;
  /** Name stored under (sanitised, never overwriting: "-1", "-2" … suffixes). */
  storedName: string;
  path: string;
  size: number;
  sha256: string;
}

export interface UploadResult {
  importId: string;
  files: UploadedFile[];
}

// ---- overview ---------------------------------------------------------------------

/** A remote name the case talked to, by how often it appeared. */
export interface DestinationSummary {
  /** Lower-case host name, or the address when no name is known. */
  name: string;
  /** Addresses this name resolved to or was reached at. */
  ips: string[];
  http: number;
  tls: number;
  dns: number;
  /** Bytes sent to and received from its addresses (flows and HAR bodies). */
  bytesUp: number;
  bytesDown: number;
  first: TimeSpan['from'] | null;
  firstMs: number | null;
}

/** Traffic per application protocol as classified by the dissectors. */
export interface ProtocolSummary {
  /** e.g. 'tls', 'http', 'dns', 'quic'; 'tcp'/'udp' when unclassified. */
  app: string;
  flows: number;
  packets: number;
  bytes: number;
}

export interface CountrySummary {
  /** ISO 3166-1 alpha-2, or null for private/reserved/unknown. */
  country: string | null;
  countryName: string | null;
  hosts: number;
  requests: number;
  bytesUp: number;
  leaks: number;
}

export interface OperatorSummary {
  asn: number | null;
  org: string | null;
  hosts: number;
  requests: number;
  bytesUp: number;
  leaks: number;
}

/** One finding as a sentence, with what backs it. */
export interface FindingSentence {
  text: string;
  severity: 'info' | 'notice' | 'warning';
  /** The evidence query that lists what backs the sentence. */
  evidence: { kind: EvidenceKind; host?: string; ids?: number[] } | null;
}

export interface Overview {
  path: string;
  title: string;
  counts: CaseCounts;
  inputs: InputInfo[];
  span: TimeSpan | null;
  /** By number of records (HTTP + TLS + DNS), at most `limit`. */
  topDestinations: DestinationSummary[];
  /** Remote addresses by bytes, at most `limit`. */
  topHosts: HostRow[];
  protocols: ProtocolSummary[];
  anomalies: number;
  /** Null until the case has findings (CaseFeatures.findings). */
  countries: CountrySummary[] | null;
  operators: OperatorSummary[] | null;
  devices: DeviceRow[] | null;
  accounts: AccountRow[] | null;
  findings: FindingSentence[] | null;
}

// ---- timeline ---------------------------------------------------------------------

/** Record kinds drawn on the timeline. */
export type TimelineKind = 'dns' | 'tls' | 'http' | 'flow' | 'leak';

export interface TimelineBucket {
  startMs: number;
  dns: number;
  tls: number;
  http: number;
  /** Flows that started in the bucket. */
  flows: number;
  /** Bytes of the flows that started in the bucket, plus HAR bodies. */
  bytes: number;
  leaks: number;
}

export interface TimelineEvent {
  kind: TimelineKind;
  /** Row id: open it with evidence.get({kind, id}) (kind 'flow' for flows). */
  id: number;
  ts: IsoTime;
  tsMs: number;
  /** Short text: "GET example.com/path", "A example.com", "SNI example.com", "TCP 443 · 12 kB". */
  label: string;
  /**
   * The evidence row to open when it is not {kind, id} itself: a leak (whose id is a
   * leak id) opens the HTTP exchange it was found in. Absent for the other kinds.
   */
  evidence?: { kind: EvidenceKind; id: number };
}

export interface TimelineLane {
  /** Client address for device lanes, lower-case name (or address) for destination lanes. */
  key: string;
  label: string;
  /** MAC and local name of a device; addresses of a destination. */
  detail: string | null;
  /** Events in the lane over the whole requested range. */
  total: number;
  /** Events per bucket, aligned with Timeline.buckets. */
  counts: number[];
  /** Up to `maxEventsPerLane` events, spread over the range, in time order. */
  events: TimelineEvent[];
}

export interface ModeWindow {
  mode: BrowsingMode;
  fromMs: number;
  toMs: number;
  /** Input the label came from, when the whole input is labelled. */
  input: number | null;
}

export interface TimelineQuery {
  /** Epoch ms or ISO time, inclusive; default the case's first timestamp. */
  from?: number | IsoTime;
  /** Epoch ms or ISO time, inclusive; default the case's last timestamp. */
  to?: number | IsoTime;
  /** Bucket width; wins over `buckets`. Rounded up so that there are at most MAX_TIMELINE_BUCKETS. */
  bucketMs?: number;
  /** Number of buckets over the range (default 120). */
  buckets?: number;
  input?: number;
  /** Lanes per kind (default 12). */
  maxLanes?: number;
  /** Events per lane (default 200). */
  maxEventsPerLane?: number;
}

export const MAX_TIMELINE_BUCKETS = 2000;

export interface Timeline {
  /** Requested range, or the case's span. Null bounds for an empty case. */
  span: TimeSpan | null;
  bucketMs: number;
  buckets: TimelineBucket[];
  /** Lanes with the most events first, at most `maxLanes` each. */
  devices: TimelineLane[];
  destinations: TimelineLane[];
  /** How many lanes there were before the cap. */
  deviceLanes: number;
  destinationLanes: number;
  /** Incognito/normal windows to shade; null until the case has findings. */
  modes: ModeWindow[] | null;
}

// ---- evidence ---------------------------------------------------------------------

export type EvidenceKind = 'http' | 'dns' | 'tls' | 'flow' | 'anomaly';

export interface DnsAnswer {
  name: string;
  /** Numeric RR type (1 = A, 28 = AAAA, 5 = CNAME, 65 = HTTPS, ...). */
  type: number;
  ttl: number;
  data: string;
}

export interface DnsRow extends EvidencePointer, Endpoints {
  kind: 'dns';
  /** Row id in the case. */
  id: number;
  transport: 'udp' | 'tcp';
  flavor: 'dns' | 'mdns';
  /** DNS transaction id. */
  txid: number;
  response: boolean;
  opcode: number;
  rcode: number | null;
  qname: string;
  qtype: number;
  answers: DnsAnswer[];
}

/** A TLS or QUIC ClientHello, with the ServerHello's choice when one was seen. */
export interface TlsRow extends EvidencePointer, Endpoints {
  kind: 'tls';
  id: number;
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

/** One HTTP request and its response; headers and bodies come with evidence.get. */
export interface HttpRow extends EvidencePointer, Endpoints {
  kind: 'http';
  id: number;
  method: string;
  host: string | null;
  uri: string;
  version: string;
  status: number | null;
  reason: string | null;
  /** Request Content-Type, when sent. */
  requestType: string | null;
  /** Response Content-Type, when sent. */
  responseType: string | null;
  /**
   * Body sizes as the case keeps them: decoded, except a response kept as sent (a
   * compressed one: its size before content decoding); a media body the case does not
   * keep counts its full length.
   */
  requestBodyLen: number;
  responseBodyLen: number;
  /** Body sizes on the wire. */
  requestBodySize: number;
  responseBodySize: number;
  responseFrame: number | null;
  responseTs: IsoTime | null;
  truncated: boolean;
  source: 'tcp' | 'har';
}

/** A TCP or UDP conversation. The pointer is its first frame. */
export interface FlowRow extends EvidencePointer, Endpoints {
  kind: 'flow';
  id: number;
  proto: 'tcp' | 'udp';
  srcMac: string | null;
  dstMac: string | null;
  lastTs: IsoTime;
  lastMs: number;
  packetsUp: number;
  packetsDown: number;
  bytesUp: number;
  bytesDown: number;
  /** Application protocol decided by the dissectors, or null. */
  app: string | null;
  gapBytes: number;
  /** Names known for the server address (DNS, SNI, HTTP Host), sorted; at most MAX_ROW_NAMES. */
  names: string[];
  /** How many names the address has in all (a CDN address can have hundreds). */
  nameCount: number;
}

/** Something a parser could not make sense of; the import carried on past it. */
export interface AnomalyRow {
  kind: 'anomaly';
  id: number;
  input: number;
  frame: number | null;
  layer: string;
  error: string;
}

export type EvidenceRow = HttpRow | DnsRow | TlsRow | FlowRow | AnomalyRow;

export type EvidenceSortKey = 'ts' | 'host' | 'src' | 'dst' | 'size';

export interface EvidenceQuery {
  kind: EvidenceKind;
  /**
   * Case-insensitive substring: HTTP host + URI + method, DNS name and answers, TLS SNI
   * and JA4, flow addresses and protocol, anomaly layer and error.
   */
  text?: string;
  /** Exact host name (or a parent domain of it: "example.com" matches "a.example.com"), or an address. */
  host?: string;
  /** Client or server address. */
  ip?: string;
  /** Epoch ms or ISO time, inclusive. Ignored for anomalies (they have no time). */
  from?: number | IsoTime;
  /** Epoch ms or ISO time, exclusive. */
  to?: number | IsoTime;
  input?: number;
  offset?: number;
  /** At most API_MAX_LIMIT; defaults to API_DEFAULT_LIMIT. */
  limit?: number;
  /** Default ts ascending; ties are broken by row id. */
  sort?: { by: EvidenceSortKey; dir: 'asc' | 'desc' };
}

/** A page of rows plus the total that matched, for paging and counts. */
export interface Page<Row> {
  rows: Row[];
  total: number;
}

export interface EvidencePage extends Page<EvidenceRow> {
  kind: EvidenceKind;
  /** Query time in the engine, for the performance notes. */
  tookMs: number;
}

/** The input file a row points into. */
export interface EvidenceSource {
  input: number;
  path: string;
  fileName: string;
  format: InputFormat | null;
  sha256: string | null;
  frame: number | null;
  entry: number | null;
  ts: IsoTime | null;
  tsMs: number | null;
}

/** The first bytes of a body, as text when it reads as text, and as hex. */
export interface BodyPreview {
  /** Decoded size (after transfer and content decoding). */
  size: number;
  /** Size on the wire. */
  wireSize: number;
  contentType: string | null;
  /** Content-Encoding the engine undid, e.g. 'gzip'. */
  contentEncoding: string | null;
  /** UTF-8 text of the first PREVIEW_TEXT_BYTES bytes, or null for binary. */
  text: string | null;
  /** Lower-case hex of the first PREVIEW_HEX_BYTES bytes. */
  hex: string;
  /** True when the preview shows less than the whole body. */
  previewTruncated: boolean;
  /** True when the capture itself lost part of the body (gap or size cap). */
  captureTruncated: boolean;
  /**
   * Set when the case does not keep this body (images, audio, video, fonts over 4 KiB):
   * its SHA-256; the original capture still holds the bytes. text and hex are then empty.
   */
  sha256: string | null;
  /**
   * Why content decoding stopped early when the body was read (a damaged body, or one
   * that decodes past the 8 MiB cap: the preview then shows what came before), or null.
   */
  decodeError: string | null;
}

export const PREVIEW_TEXT_BYTES = 64 * 1024;
export const PREVIEW_HEX_BYTES = 4 * 1024;

/** A node of a decode-chain tree (what a payload was read as, step by step). */
export interface DecodeTreeNode {
  /** Steps joined by ' → ' ('' for the payload itself). */
  path: string;
  steps: string[];
  kind: 'text' | 'json' | 'form' | 'multipart' | 'protobuf' | 'binary';
  key: string | null;
  value?: string;
  truncated?: boolean;
  size?: number;
  encoded?: boolean;
  children: DecodeTreeNode[];
}

export interface DecodeTree {
  root: DecodeTreeNode;
  /** Where decoding stopped (limits, malformed data). */
  anomalies: Array<{ chain: string; error: string }>;
}

/** A value to highlight in a decode tree (a leaked value). */
export interface Highlight {
  /** Decode chain of the node holding the value. */
  chain: string;
  value: string;
  label: string;
}

export interface HttpDetail {
  requestHeaders: HeaderList;
  responseHeaders: HeaderList | null;
  /** Request line and headers as sent, reconstructed ("GET /x HTTP/1.1\r\nHost: …"). */
  rawRequestHead: string;
  requestBody: BodyPreview | null;
  responseBody: BodyPreview | null;
  /** Decode tree of the request body (null without body). */
  requestDecode: DecodeTree | null;
  /** Decode tree of the URI's query string (null without one). */
  queryDecode: DecodeTree | null;
  highlights: Highlight[];
}

export interface EvidenceDetail {
  kind: EvidenceKind;
  row: EvidenceRow;
  source: EvidenceSource;
  /** Only for kind 'http'. */
  http: HttpDetail | null;
  /** Records of the same conversation (for flows) or the flow a record belongs to. */
  related: Array<{ kind: EvidenceKind; id: number; ts: IsoTime | null; tsMs: number | null; label: string }>;
}

// ---- hosts, anomalies -------------------------------------------------------------

/** A remote address the case talked to, with the names it was known by. */
export interface HostRow {
  ip: string;
  /** Names seen for this address: DNS answers, TLS SNI, HTTP Host; sorted, unique; at most MAX_ROW_NAMES. */
  names: string[];
  /** How many names the address has in all. */
  nameCount: number;
  flows: number;
  /** HTTP requests sent to this address. */
  requests: number;
  packets: number;
  bytesUp: number;
  bytesDown: number;
  span: TimeSpan | null;
}

export type HostSortKey = 'bytes' | 'flows' | 'requests' | 'ip' | 'first';

/** Common filter and paging for list methods. */
export interface RowQuery {
  /** Restrict to one input. */
  input?: number;
  /** Case-insensitive substring over the row's main text (ip/names, layer/error, …). */
  search?: string;
  offset?: number;
  /** At most API_MAX_LIMIT; defaults to API_DEFAULT_LIMIT. */
  limit?: number;
}

export interface HostQuery extends RowQuery {
  /** Default 'bytes' (descending); 'ip' sorts ascending. */
  sort?: HostSortKey;
}

// ---- findings (answered once the findings tables exist) ---------------------------

export type BrowsingMode = 'incognito' | 'normal';

/** A destination with what offline databases say about it. */
export interface DestinationRow {
  /** Lower-case host name, or the address when nameless. */
  host: string;
  registrableDomain: string | null;
  ips: string[];
  /** Location country (ISO alpha-2) from the geo database; null for private/reserved/unknown. */
  country: string | null;
  countryName: string | null;
  asn: number | null;
  org: string | null;
  /** Tracker/analytics category from the curated list, when listed. */
  category: string | null;
  /** IP scope when not public: 'private', 'loopback', 'multicast', … */
  scope: string | null;
  requests: number;
  bytesUp: number;
  bytesDown: number;
  leaks: number;
  span: TimeSpan | null;
}

export interface IdentifierRow {
  id: number;
  /** e.g. 'android_id', 'uuid', 'email', 'imei', 'mac'. */
  type: string;
  value: string;
  /** 'device' or 'account' scoped, or null when unknown. */
  scope: 'device' | 'account' | null;
  /** Times it was seen (a request can carry it more than once). */
  observations: number;
  /** Requests it was seen in: what entities.links lists for it. */
  requests: number;
  destinations: string[];
  modes: BrowsingMode[];
  span: TimeSpan | null;
}

export interface DeviceRow {
  id: number;
  label: string;
  ips: string[];
  macs: string[];
  hostnames: string[];
  userAgents: string[];
  identifiers: number;
  requests: number;
}

export interface AccountRow {
  id: number;
  label: string;
  identifiers: Array<{ type: string; value: string }>;
  devices: number[];
  requests: number;
}

/** The kinds of entity whose linking requests `entities.links` lists. */
export type EntityKind = 'device' | 'account' | 'identifier';

export interface EntityLinkQuery {
  entity: EntityKind;
  /** Row id from devices.list, accounts.list or identifiers.list. */
  id: number;
  offset?: number;
  /** At most API_MAX_LIMIT; defaults to API_DEFAULT_LIMIT. */
  limit?: number;
}

/**
 * One HTTP request that ties an entity to the traffic: an identifier observed in it,
 * or (for a device or an account) the identifier that links the two seen in it.
 * The pointer is the request's own.
 */
export interface EntityLinkRow extends EvidencePointer {
  /** The HTTP exchange: open it with evidence.get({kind: 'http', id: httpId}). */
  httpId: number;
  method: string;
  host: string | null;
  uri: string;
  /** The identifier seen in the request, when the link is through one. */
  identifier: { id: number; type: string; value: string } | null;
  /** Where in the request it was: 'query', 'body', 'header', 'cookie'. */
  location: string | null;
  /** Field name and decode chain of the value, when known. */
  key: string | null;
  chain: string | null;
  mode: BrowsingMode | null;
}

export interface LeakRow extends EvidencePointer {
  id: number;
  /** 'url', 'search', 'identifier', 'watch'. */
  kind: string;
  value: string;
  chain: string;
  excerpt: string | null;
  destination: { host: string; ip: string | null; country: string | null; org: string | null; category: string | null };
  mode: BrowsingMode | null;
  /** The HTTP exchange it was found in. */
  httpId: number | null;
}

export interface DestinationQuery extends RowQuery {
  country?: string;
  /** Default 'requests' (descending). */
  sort?: 'requests' | 'bytes' | 'leaks' | 'host';
}

export interface LeakQuery extends RowQuery {
  mode?: BrowsingMode;
  host?: string;
}

/** Label a whole input, or a time window, as incognito or normal browsing. */
export type ModeLabelInput =
  | { mode: BrowsingMode; input: number }
  | { mode: BrowsingMode; from: number | IsoTime; to: number | IsoTime };

export interface ModeLabel {
  id: number;
  mode: BrowsingMode;
  /** Set for a label on a whole input. */
  input: number | null;
  /** Set for a time-window label. */
  span: TimeSpan | null;
}

export interface ModeComparison {
  mode: BrowsingMode;
  pagesVisited: number;
  pagesLeaked: number;
  leakRatio: number;
  destinations: number;
  countries: string[];
  operators: string[];
  identifiers: number;
  bytesUp: number;
}

export interface Comparison {
  modes: ModeComparison[];
  /** Identifiers seen in both modes: incognito did not unlink the user. */
  sharedIdentifiers: Array<{ type: string; value: string }>;
  sharedDestinations: string[];
}

/** Names listed per flow or host row; `nameCount` tells how many there are. */
export const MAX_ROW_NAMES = 20;

export const API_DEFAULT_LIMIT = 200;
export const API_MAX_LIMIT = 5000;
