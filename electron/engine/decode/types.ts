/**
 * Types of the payload decoding engine: the decode tree, its leaves, the limits that
 * bound work on hostile input, and the hints a caller can pass about the payload.
 * Chain notation is described in docs/decode-chains.md.
 */

/** What a node's content was read as. */
export type DecodeKind = 'text' | 'json' | 'form' | 'multipart' | 'protobuf' | 'binary';

export interface DecodeNode {
  /** The chain so far: `steps` joined by ' → ' ('' for the payload itself). */
  path: string;
  steps: string[];
  kind: DecodeKind;
  /**
   * Nearest key name: the JSON property, form/query/multipart field name of the last
   * structural step, carried through transforms (base64, gzip, ...); null when that
   * step has no name (a JSON array index, a protobuf field).
   */
  key: string | null;
  /** Text content, capped at `maxValueChars` (absent for binary and JSON containers). */
  value?: string;
  /** True when `value` was cut at the cap (decoding saw the whole text). */
  truncated?: boolean;
  /** Byte size of binary content. */
  size?: number;
  /**
   * True when `value` was decoded as a whole into the children (base64, gzip, JSON
   * text, a form body, ...), so the children stand for it. A URL keeps its value: its
   * query parameters do not cover the host and path.
   */
  encoded?: boolean;
  children: DecodeNode[];
}

/** One string leaf of the tree, with the chain that led to it. */
export interface DecodeLeaf {
  chain: string;
  steps: string[];
  key: string | null;
  value: string;
}

export interface DecodeAnomaly {
  /** Chain of the node where decoding stopped. */
  chain: string;
  error: string;
}

export interface DecodeResult {
  root: DecodeNode;
  anomalies: DecodeAnomaly[];
  /** Nodes created (bounded by maxNodes). */
  nodeCount: number;
  /** Bytes produced by all byte-level decodings (bounded by maxOutputBytes). */
  outputBytes: number;
  /** Every string leaf, depth-first in document order (see leavesOf). */
  leaves(): DecodeLeaf[];
}

/** Bounds on the work done for one payload; every field has a default. */
export interface DecodeLimits {
  /** Longest chain (number of steps) that is still decoded further. */
  maxDepth?: number;
  /** Total bytes produced by base64/hex/decompression over the whole payload. */
  maxOutputBytes?: number;
  /** Largest output of one decompression. */
  maxDecompressedBytes?: number;
  /** Largest output/input ratio of one decompression, once past expansionFloorBytes. */
  maxExpansionRatio?: number;
  /** Decompressed outputs up to this size never trip the ratio (small inputs compress well). */
  expansionFloorBytes?: number;
  /** Nodes in the tree. */
  maxNodes?: number;
  /** Nesting depth of one JSON document, checked by a scan before JSON.parse. */
  maxJsonDepth?: number;
  /** Size of one JSON document handed to JSON.parse, in characters. */
  maxJsonChars?: number;
  /** Nesting depth of protobuf messages read inside one another. */
  maxProtobufDepth?: number;
  /** Characters kept in a node's value (decoding itself sees the whole text). */
  maxValueChars?: number;
  /** Characters/bytes scanned by all decoders together. */
  maxWork?: number;
}

export const DEFAULT_DECODE_LIMITS: Readonly<Required<DecodeLimits>> = Object.freeze({
  // 12 rather than 8: a real chain such as form → base64 → gzip → json → jsonstr →
  // json → query → base64 already takes 8 steps.
  maxDepth: 12,
  maxOutputBytes: 16 * 1024 * 1024,
  maxDecompressedBytes: 8 * 1024 * 1024,
  maxExpansionRatio: 100,
  expansionFloorBytes: 1024 * 1024,
  maxNodes: 20_000,
  maxJsonDepth: 64,
  maxJsonChars: 8 * 1024 * 1024,
  maxProtobufDepth: 16,
  maxValueChars: 16 * 1024,
  maxWork: 256 * 1024 * 1024,
});

/** What the caller knows about the payload (HTTP headers, field name). */
export interface DecodeHint {
  /** Content-Type of the body or part (boundary, JSON, form, protobuf, binary media). */
  contentType?: string;
  /** Content-Encoding not yet undone ('gzip', 'deflate', 'br'). */
  contentEncoding?: string;
  /** Where the payload came from: 'query' reads it as a query string (query: steps). */
  name?: string;
}
