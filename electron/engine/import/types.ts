/** Progress and result of importing one input file. */

export interface ImportProgress {
  file: string;
  bytesRead: number;
  bytesTotal: number;
  packets: number;
  entries: number;
}

export interface InputSummary {
  format: 'pcap' | 'pcapng' | 'har' | null;
  /** True when the file was gzip-compressed (.pcap.gz, .pcapng.gz). */
  gzip: boolean;
  sha256: string;
  size: number;
  linkTypes: number[];
  /** Fractional-second digits of the input's timestamps (6 µs, 9 ns, 3 for HAR ms). */
  tsDigits: number;
  packets: number;
  entries: number;
  /** Earliest and latest timestamp seen (ns since epoch), null if none. */
  firstTs: bigint | null;
  lastTs: bigint | null;
  anomalies: number;
  /** Set when the input could not be read at all, or stopped early (partial results kept). */
  error: string | null;
  /** HAR creator/browser, pcapng SHB hardware/os/application, when known. */
  producer: string | null;
  /** Pcapng comments on frames. */
  commentedFrames: number;
}
