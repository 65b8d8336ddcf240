/**
 * The evidence report's data: what the report page (renderer/src/features/report)
 * draws and what the engine (electron/engine/report/model.ts) builds from a case. It
 * crosses from the engine to a page through JSON, so: plain data only, no bigint.
 *
 * Determinism: the same inputs, labels and options give the same model, field for
 * field, except `generatedAt`. Lists are sorted by the engine; the page draws them in
 * the order given.
 */
import type { BrowsingMode, IsoTime } from './model.ts';

export const REPORT_MODEL_FORMAT = 'telltale-report';
export const REPORT_MODEL_VERSION = 1;

/** Global the printing host sets on the report page before its scripts run (or before it dispatches REPORT_DATA_EVENT). */
export const REPORT_DATA_GLOBAL = '__TELLTALE_REPORT__';
/** Event a host dispatches on `window` after setting REPORT_DATA_GLOBAL on an already loaded page. */
export const REPORT_DATA_EVENT = 'telltale:report-data';
/**
 * Attribute the page sets on <html> once the report is drawn and its fonts are loaded:
 * 'ready', or 'error' (the message is then in REPORT_ERROR_ATTRIBUTE). Printers wait for it.
 */
export const REPORT_STATE_ATTRIBUTE = 'data-report-state';
export const REPORT_ERROR_ATTRIBUTE = 'data-report-error';
/** File name of the evidence manifest attached inside the PDF. */
export const MANIFEST_FILE_NAME = 'telltale-evidence-manifest.json';

/** Where a finding or record came from: input file name and frame (1-based) or HAR entry (0-based). */
export interface ReportPointer {
  input: string;
  frame: number | null;
  entry: number | null;
}

export type FindingSeverity = 'high' | 'medium' | 'low';

export interface ReportCover {
  title: string;
  investigator: string | null;
  organisation: string | null;
  /** What the report is about, one line (also the PDF's Subject). */
  subject: string;
  tool: { name: string; version: string };
}

/** One sentence of the summary: a group of findings of one kind, mode and destination. */
export interface SummaryItem {
  severity: FindingSeverity;
  text: string;
  kind: string;
  mode: BrowsingMode | null;
  destination: string;
  country: string | null;
  count: number;
  /** Ids of the findings the sentence stands for (ReportFinding.id). */
  findings: string[];
}

export interface ReportSummary {
  /** One paragraph: what was analysed and what was found. */
  lead: string;
  items: SummaryItem[];
  /** Sentences about the comparison of modes, when both were labelled. */
  comparison: string[];
  counts: {
    findings: number;
    destinations: number;
    countries: number;
    identifiers: number;
    inputs: number;
  };
}

export interface ReportDevice {
  label: string;
  ips: string[];
  macs: string[];
  hostnames: string[];
  userAgents: string[];
  /** True when the investigator named the device as under investigation (redaction on). */
  investigated: boolean | null;
}

export interface ReportDatabase {
  name: string;
  version: string | null;
  /** Release date of the data (YYYY-MM-DD), when the source says. */
  date: string | null;
  source: string | null;
  licence: string | null;
  sha256: string | null;
}

export interface BlindSpot {
  title: string;
  text: string;
  /** How much of this case it concerns, e.g. "41 TLS connections"; null when not countable. */
  extent: string | null;
}

export interface ReportModeLabel {
  mode: BrowsingMode;
  /** Input file name when a whole input is labelled. */
  input: string | null;
  from: IsoTime | null;
  to: IsoTime | null;
}

export interface ReportMethodology {
  /** Paragraphs describing how the analysis was done. */
  method: string[];
  devices: ReportDevice[];
  modes: ReportModeLabel[];
  databases: ReportDatabase[];
  blindSpots: BlindSpot[];
}

export interface ReportInput {
  file: string;
  size: number | null;
  format: string | null;
  sha256: string | null;
  from: IsoTime | null;
  to: IsoTime | null;
  /** "1 234 packets" or "56 HAR entries". */
  items: string;
  producer: string | null;
  mode: BrowsingMode | null;
  status: string;
  error: string | null;
}

export interface ReportDestinationRef {
  host: string;
  ip: string | null;
  country: string | null;
  countryName: string | null;
  /** AS holder as registered (e.g. "Alibaba (US) Technology Co., Ltd."). */
  org: string | null;
  asn: number | null;
  /** Operator named by the tracker list, when the host is listed. */
  operator: string | null;
  category: string | null;
}

export interface ReportFinding {
  /** Stable within a report: F-001, F-002, … in report order. */
  id: string;
  ts: IsoTime;
  tsMs: number;
  /** 'url', 'search', 'identifier', …; `kindLabel` says it in words. */
  kind: string;
  kindLabel: string;
  /** For identifiers: their type ('android_id', 'email', …). */
  identifierType: string | null;
  value: string;
  destination: ReportDestinationRef;
  /** The decode chain as text and as its steps ("form:data_list", "base64", "gzip", "json:$[0].url"). */
  chain: string;
  chainSteps: string[];
  /** Decoded text around the value; `match` is where the value sits in it (UTF-16 offsets). */
  excerpt: string | null;
  match: { start: number; end: number } | null;
  mode: BrowsingMode | null;
  pointer: ReportPointer;
  severity: FindingSeverity;
  /** The destination is not the party whose page was visited (or is a listed tracker). */
  thirdParty: boolean;
  /** The destination's country differs from the home country; null when unknown. */
  abroad: boolean | null;
  /** Set when redaction masked this finding's value and destination. */
  redacted: boolean;
}

export interface TimelineModeWindow {
  mode: BrowsingMode;
  fromMs: number;
  toMs: number;
}

/** A stretch of time with activity; the timeline leaves out the idle gaps between them. */
export interface TimelineSegment {
  fromMs: number;
  toMs: number;
  from: IsoTime;
  to: IsoTime;
  bucketMs: number;
  /** Requests (HTTP + TLS hellos + DNS queries) per bucket, for the background bars. */
  buckets: number[];
}

export interface ReportTimeline {
  /** One or more stretches in time order (separate captures hours apart get one each). */
  segments: TimelineSegment[];
  /** Destination lanes of the findings, in draw order. */
  lanes: string[];
  /** Finding kinds drawn (for the legend), in display order. */
  kinds: Array<{ kind: string; label: string }>;
  events: Array<{ tsMs: number; segment: number; lane: number; kind: string; mode: BrowsingMode | null; finding: string }>;
  modes: TimelineModeWindow[];
}

export interface ReportCountry {
  /** ISO 3166-1 alpha-2. */
  code: string;
  name: string;
  destinations: number;
  requests: number;
  findings: number;
}

export interface ReportMap {
  countries: ReportCountry[];
  /** Destinations without a country (private, reserved or not in the database). */
  unlocated: number;
}

export interface ReportModeColumn {
  mode: BrowsingMode;
  /** Findings by kind, same keys in every column. */
  byKind: Record<string, number>;
  findings: number;
  destinations: number;
  countries: string[];
  identifiers: number;
  pagesVisited: number | null;
  pagesLeaked: number | null;
}

export interface ReportComparison {
  modes: ReportModeColumn[];
  /** The finding kinds counted in `byKind`, in display order, with their words. */
  kinds: Array<{ kind: string; label: string }>;
  sharedIdentifiers: Array<{ type: string; value: string }>;
  sharedDestinations: string[];
}

export interface ReportDestination extends ReportDestinationRef {
  registrableDomain: string | null;
  ips: string[];
  requests: number;
  bytesUp: number;
  findings: number;
  scope: string | null;
  redacted: boolean;
}

export interface ReportIdentifier {
  type: string;
  value: string;
  scope: string | null;
  observations: number;
  destinations: string[];
  modes: BrowsingMode[];
  redacted: boolean;
}

export interface ReportAnomaly {
  input: string;
  frame: number | null;
  layer: string;
  error: string;
}

export interface ReportAppendix {
  destinations: ReportDestination[];
  identifiers: ReportIdentifier[];
  accounts: Array<{ label: string; identifiers: Array<{ type: string; value: string }> }>;
  anomalies: {
    total: number;
    /** Anomalies per layer, most first. */
    byLayer: Array<{ layer: string; count: number }>;
    /** The first ones in file order (at most REPORT_MAX_ANOMALIES). */
    rows: ReportAnomaly[];
  };
}

export interface ReportRedaction {
  /** Devices the investigator named (MAC or IP as given). */
  devices: string[];
  maskedFindings: number;
  maskedDestinations: number;
  maskedIdentifiers: number;
  note: string;
}

export interface ReportManifestRef {
  fileName: string;
  sha256: string;
  bytes: number;
}

export interface ReportModel {
  format: typeof REPORT_MODEL_FORMAT;
  version: typeof REPORT_MODEL_VERSION;
  /** Wall-clock time the report was produced: the only field that differs between two runs. */
  generatedAt: IsoTime;
  cover: ReportCover;
  manifest: ReportManifestRef;
  summary: ReportSummary;
  methodology: ReportMethodology;
  inputs: ReportInput[];
  timeline: ReportTimeline | null;
  map: ReportMap;
  comparison: ReportComparison | null;
  findings: ReportFinding[];
  appendix: ReportAppendix;
  redaction: ReportRedaction | null;
  /** Whether the case had the findings tables at all (older cases: traffic only). */
  hasFindings: boolean;
}

export const REPORT_MAX_ANOMALIES = 200;

// ---- the report methods of the Engine API (report.get, report.export) ---------------

/** What the investigator chooses for a report: the cover, the home country, bystander redaction. */
export interface ReportRequest {
  /** Report title (default: the case title). */
  title?: string;
  investigator?: string;
  organisation?: string;
  /** ISO alpha-2 country of the investigation: destinations elsewhere count as abroad. */
  homeCountry?: string;
  /** Mask the data of devices other than `devices`, which must then name at least one. */
  redactBystanders?: boolean;
  /** The devices under investigation, by MAC or IP address (devices.list gives them). */
  devices?: string[];
}

export interface ReportExportRequest extends ReportRequest {
  /**
   * A suggested file name or path. The desktop only proposes it in its save dialog
   * (the page never writes where the investigator did not choose); the web host keeps
   * its base name and writes into the case's reports folder.
   */
  outPath?: string;
}

/** A written report: where it is, its hash and how to fetch it. */
export interface ReportExportSaved {
  cancelled: false;
  /** Absolute path on the machine that printed it. */
  path: string;
  fileName: string;
  sha256: string;
  bytes: number;
  manifestSha256: string;
  findings: number;
  tookMs: number;
  /** Web host: a same-origin URL that downloads the file (it carries the token); desktop: null. */
  downloadUrl: string | null;
}

/** The desktop's save dialog was closed without choosing a file: nothing was written. */
export interface ReportExportCancelled {
  cancelled: true;
}

export type ReportExportResult = ReportExportSaved | ReportExportCancelled;
