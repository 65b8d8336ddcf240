/**
 * Runs a corpus capture through the real pipeline (pcap/pcapng reader → Dissector, see
 * ../dissect/helpers.ts) with only the TLS and QUIC protocols registered.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { quicProtocol } from '../../../electron/engine/protocols/quic.ts';
import { tlsProtocol } from '../../../electron/engine/protocols/tls.ts';
import type { CollectingSink } from '../../../electron/engine/records.ts';
import { dissectCorpus } from '../dissect/helpers.ts';

export const CORPUS = join(import.meta.dirname, '../../fixtures/corpus');

/** Dissect one corpus file with the TLS and QUIC protocols only. */
export function runCorpus(file: string): CollectingSink {
  return dissectCorpus(file, { tcpProtocols: [tlsProtocol], udpProtocols: [quicProtocol] }).sink;
}

// Truth sidecars are loose JSON written by a Python tool; tests read only the fields they check.
export interface TlsTruth {
  tls_sni?: string[];
  tls_clienthello_count?: number;
  quic_sni?: string[];
  quic_versions?: string[];
  server_ciphersuites?: string[];
}

export function truthOf(file: string): TlsTruth {
  return JSON.parse(readFileSync(join(CORPUS, `${file}.truth.json`), 'utf8')) as TlsTruth;
}
