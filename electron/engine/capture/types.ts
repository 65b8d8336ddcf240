/** Shapes shared by the capture readers (pcap, pcapng, HAR) and the import pipeline. */

/**
 * One captured frame. The reader reuses a single object and a view into its chunk
 * buffer: consumers must copy anything they keep beyond the callback.
 */
export interface RawFrame {
  /** 1-based frame number within the input file (all sections, all interfaces). */
  index: number;
  /** LINKTYPE_* value of the frame's interface. */
  linkType: number;
  /** Captured bytes (a view; valid only during the callback). */
  data: Buffer;
  /**
   * Optional, for hot consumers: when set, the captured bytes are also
   * buffer[start, end) (the reader's chunk), and a reader may make `data` only when it
   * is read, sparing a view per frame. Valid only during the callback, like `data`.
   */
  buffer?: Buffer;
  start?: number;
  end?: number;
  /** Original length on the wire. */
  origLen: number;
  /** Whole seconds since the epoch. */
  tsSec: number;
  /** Nanoseconds within the second, 0..999_999_999. */
  tsNsec: number;
  /** pcapng interface id (0 for classic pcap). */
  interfaceId: number;
  /** pcapng packet comment(s), joined by newline; null if none. */
  comment: string | null;
}

export interface CaptureInterface {
  id: number;
  linkType: number;
  snaplen: number;
  name: string | null;
  /** Fractional digits of the timestamps of this interface (6 for µs, 9 for ns). */
  tsDigits: number;
  /** Bytes of frame check sequence at the end of each frame, when the file says so. */
  fcsBytes?: number;
  /** pcapng if_description / if_os, when present. */
  description?: string | null;
}

export interface ReaderAnomaly {
  /** Frame the problem belongs to, or null for file-level problems. */
  frame: number | null;
  layer: 'pcap' | 'pcapng' | 'har' | 'file';
  error: string;
}

/** Callbacks a packet reader drives. All are synchronous and called in file order. */
export interface PacketReaderEvents {
  frame(f: RawFrame): void;
  iface(i: CaptureInterface): void;
  anomaly(a: ReaderAnomaly): void;
  /** pcapng Decryption Secrets Block. */
  secrets?(type: number, data: Buffer): void;
  /** pcapng Name Resolution Block entry. */
  nameResolution?(ip: string, names: string[]): void;
  /** pcapng Section Header Block comment (may contain key-log lines, etc.). */
  sectionComment?(text: string): void;
}

/**
 * Push parser for a packet capture. `push` may be called with chunks of any size;
 * the reader calls `events.frame` for each complete record and keeps only the bytes
 * of an incomplete trailing record. `end` reports a truncated final record.
 */
export interface PacketReader {
  readonly format: 'pcap' | 'pcapng';
  push(chunk: Buffer): void;
  end(): void;
  /** A fatal error makes the rest of the file unreadable (bad header etc.). */
  readonly fatal: string | null;
  /** Fractional-second digits for the file (max over interfaces). */
  readonly tsDigits: number;
  /** pcapng SHB application / OS / hardware of the first section, when present. */
  readonly producer?: string | null;
}

export type SniffedFormat =
  | { kind: 'pcap' | 'pcapng' | 'har'; gzip: boolean }
  | { kind: 'unknown'; gzip: boolean; reason: string };
