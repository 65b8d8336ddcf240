/**
 * The corpus captures the end-to-end tests use, with the expected figures taken from
 * their tshark truth files (and the one documented correction, see
 * tests/integration/corpus-truth.test.ts) and hashes computed here from the bytes.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const CORPUS = join(import.meta.dirname, '..', 'fixtures', 'corpus');

interface Truth {
  packet_count: number;
  tls_sni: string[];
  tls_clienthello_with_sni_frames: number[];
  tls_clienthello_count: number;
  dns_message_count: number;
  http_request_count: number;
  http_requests: Array<{ frame: number; method: string; host: string; uri: string }>;
  first_timestamp_epoch: string;
  last_timestamp_epoch: string;
}

export interface CorpusFile {
  name: string;
  path: string;
  size: number;
  sha256: string;
  truth: Truth;
}

/**
 * Where tshark 4.0.17 is wrong for these files: the same correction the corpus truth
 * test applies, with its reason there.
 */
const CORRECTED_HTTP: Record<string, number> = { 'pcapplusplus__example.pcap': 338 };

export function corpusFile(name: string): CorpusFile {
  const path = join(CORPUS, name);
  const bytes = readFileSync(path);
  const truth = JSON.parse(readFileSync(`${path}.truth.json`, 'utf8')) as Truth;
  return { name, path, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), truth };
}

/** HTTP requests in the file, after the documented correction. */
export function httpRequests(file: CorpusFile): number {
  return CORRECTED_HTTP[file.name] ?? file.truth.http_request_count;
}

export const TLS_GOOGLE = 'zeek__tls12-chrome-34-google.pcap';
export const HTTP_PIPELINED = 'zeek__http-pipelined-requests.pcap';
export const EXAMPLE = 'pcapplusplus__example.pcap';

/** "2009-11-18 20:58:04.822720" (UTC, 6 digits) from a truth epoch string. */
export function epochToUtcText(epoch: string): string {
  const [sec, frac = ''] = epoch.split('.');
  const base = new Date(Number(sec) * 1000).toISOString().slice(0, 19).replace('T', ' ');
  return `${base}.${frac.padEnd(9, '0').slice(0, 6)}`;
}
