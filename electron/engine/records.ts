/**
 * Records the engine emits while dissecting. Dissectors and protocol modules produce
 * them; the case store (or a test sink) consumes them. They know nothing of devices,
 * accounts or findings: those are separate passes over the store.
 *
 * Timestamps are nanoseconds since the Unix epoch as bigint: a double cannot hold
 * nanosecond precision at today's epoch. Frames are 1-based, as in Wireshark; HAR
 * entries are the 0-based index into `log.entries`.
 */
import type { PreparedHttp } from './store/http-prepare.ts';

/** Where a record came from: the evidence pointer every record carries. */
export interface Pointer {
  /** Input id in the case (inputs.id). */
  input: number;
  /** 1-based frame number in the capture, or null for HAR records. */
  frame: number | null;
  /** 0-based index into the HAR's log.entries, or null for capture records. */
  entry?: number | null;
  /** Nanoseconds since the Unix epoch. */
  ts: bigint;
}

/** Client→server orientation of a conversation (client = initiator). */
export interface Endpoints {
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
}

export interface DnsAnswer {
  name: string;
  /** Numeric RR type (1 = A, 28 = AAAA, 5 = CNAME, 65 = HTTPS, ...). */
  type: number;
  ttl: number;
  /** Presentation form: an address, a target name, or an SVCB summary. */
  data: string;
}

export interface DnsRecord extends Pointer, Endpoints {
  transport: 'udp' | 'tcp';
  /** 'dns' for port-53 style DNS, 'mdns' for multicast DNS (5353). */
  flavor: 'dns' | 'mdns';
  id: number;
  response: boolean;
  opcode: number;
  rcode: number | null;
  qname: string;
  qtype: number;
  /** Answer section only (not authority/additional). Empty for queries. */
  answers: DnsAnswer[];
}

export interface TlsRecord extends Pointer, Endpoints {
  transport: 'tcp' | 'quic';
  sni: string | null;
  alpn: string[];
  /** Versions offered in supported_versions (or the legacy version), GREASE removed. */
  versions: number[];
  /** Legacy ClientHello version field. */
  legacyVersion: number;
  ciphers: number[];
  extensions: number[];
  ja4: string | null;
  /** QUIC version number for transport 'quic', else null. */
  quicVersion: number | null;
  /** Negotiated version from the ServerHello (supported_versions if present), or null if none seen. */
  serverVersion: number | null;
  serverCipher: number | null;
  serverFrame: number | null;
}

export type HeaderList = Array<[name: string, value: string]>;

export interface HttpRecord extends Pointer, Endpoints {
  method: string;
  host: string | null;
  uri: string;
  version: string;
  requestHeaders: HeaderList;
  /** Request body after transfer- and content-decoding (null if none). */
  requestBody: Buffer | null;
  /** Size on the wire (before content decoding). */
  requestBodySize: number;
  status: number | null;
  reason: string | null;
  responseHeaders: HeaderList | null;
  /**
   * Response body after transfer decoding; content decoding too unless
   * `responseBodyEncoding` says otherwise. Null when there is none or it was not kept
   * (then `responseBodySha256` is set).
   */
  responseBody: Buffer | null;
  /**
   * Content codings still on `responseBody` (the Content-Encoding value as normalised by
   * parseCodings, comma-joined in the order applied): compressed responses are kept as
   * sent and decoded when read. Null or absent when `responseBody` is decoded.
   */
  responseBodyEncoding?: string | null;
  /**
   * SHA-256 (hex) of a response body that was not kept: media (images, audio, video,
   * fonts) larger than MEDIA_KEEP_BYTES. The capture still holds the bytes.
   */
  responseBodySha256?: string | null;
  responseBodySize: number;
  responseFrame: number | null;
  responseTs: bigint | null;
  /** True when a body was cut by the size cap or by a capture gap. */
  truncated: boolean;
  /** 'tcp' for dissected traffic, 'har' for HAR entries. */
  source: 'tcp' | 'har';
  /** HTTP/2 or HTTP/3 entries come only from HAR; kept for display. */
  serverIp?: string | null;
}

export interface FlowRecord {
  input: number;
  proto: 'tcp' | 'udp';
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  srcMac: string | null;
  dstMac: string | null;
  firstFrame: number;
  firstTs: bigint;
  lastTs: bigint;
  packetsUp: number;
  packetsDown: number;
  bytesUp: number;
  bytesDown: number;
  /** Application protocol name as decided by the registry, or null. */
  app: string | null;
  /** Bytes missing from the reassembled streams (both directions). */
  gapBytes: number;
}

export interface NameRecord extends Pointer {
  ip: string | null;
  mac: string | null;
  name: string;
  source: 'dhcp' | 'mdns' | 'nbns' | 'nrb';
  /** DHCP option 60 (vendor class identifier), if present. */
  vendorClass?: string | null;
}

export interface AnomalyRecord {
  input: number;
  frame: number | null;
  /** Layer that complained: 'file', 'pcap', 'pcapng', 'har', 'link', 'ipv4', 'ipv6', 'tcp', 'udp', 'dns', 'tls', 'quic', 'http', 'dhcp', ... */
  layer: string;
  error: string;
}

export interface SecretRecord {
  input: number;
  /** pcapng DSB secrets type, e.g. 0x544c534b ('TLSK'). */
  type: number;
  typeName: string;
  data: Buffer;
}

export interface HarPageRecord {
  input: number;
  pageId: string;
  title: string;
  ts: bigint;
}

/** Consumer of engine records: the case store, or a collecting sink in tests. */
export interface RecordSink {
  dns(r: DnsRecord): void;
  tls(r: TlsRecord): void;
  http(r: HttpRecord): void;
  /**
   * Optional: an HTTP exchange already prepared for the case store
   * (store/http-prepare.ts). A pipelined import hands exchanges over this way when the
   * sink has it, and as `http` records otherwise.
   */
  httpPrepared?(r: PreparedHttp): void;
  flow(r: FlowRecord): void;
  name(r: NameRecord): void;
  anomaly(r: AnomalyRecord): void;
  secret(r: SecretRecord): void;
  harPage(r: HarPageRecord): void;
}

/** A sink that keeps everything in arrays: for tests and small tools. */
export class CollectingSink implements RecordSink {
  readonly dnsRecords: DnsRecord[] = [];
  readonly tlsRecords: TlsRecord[] = [];
  readonly httpRecords: HttpRecord[] = [];
  readonly flowRecords: FlowRecord[] = [];
  readonly nameRecords: NameRecord[] = [];
  readonly anomalyRecords: AnomalyRecord[] = [];
  readonly secretRecords: SecretRecord[] = [];
  readonly harPageRecords: HarPageRecord[] = [];
  dns(r: DnsRecord): void { this.dnsRecords.push(r); }
  tls(r: TlsRecord): void { this.tlsRecords.push(r); }
  http(r: HttpRecord): void { this.httpRecords.push(r); }
  flow(r: FlowRecord): void { this.flowRecords.push(r); }
  name(r: NameRecord): void { this.nameRecords.push(r); }
  anomaly(r: AnomalyRecord): void { this.anomalyRecords.push(r); }
  secret(r: SecretRecord): void { this.secretRecords.push(r); }
  harPage(r: HarPageRecord): void { this.harPageRecords.push(r); }
}
