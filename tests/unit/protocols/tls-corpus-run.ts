/**
 * Runs a corpus capture through the real pipeline (pcap/pcapng reader → Dissector) with
 * only the TLS and QUIC protocols registered, into a CollectingSink.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPcapReader } from '../../../electron/engine/capture/pcap-reader.ts';
import { createPcapngReader } from '../../../electron/engine/capture/pcapng-reader.ts';
import type { PacketReaderEvents } from '../../../electron/engine/capture/types.ts';
import { Dissector } from '../../../electron/engine/dissect/dissector.ts';
import { quicProtocol } from '../../../electron/engine/protocols/quic.ts';
import { tlsProtocol } from '../../../electron/engine/protocols/tls.ts';
import { CollectingSink } from '../../../electron/engine/records.ts';

export const CORPUS = join(import.meta.dirname, '../../fixtures/corpus');

/** Dissect one corpus file with the TLS and QUIC protocols only. */
export function runCorpus(file: string): CollectingSink {
  const buf = readFileSync(join(CORPUS, file));
  const sink = new CollectingSink();
  const d = new Dissector(1, sink, { tcpProtocols: [tlsProtocol], udpProtocols: [quicProtocol] });
  const events: PacketReaderEvents = {
    frame(f) { d.frame(f); },
    iface() { /* link types come with each frame */ },
    anomaly() { /* reader anomalies are the readers' tests' business */ },
  };
  const reader = buf.readUInt32LE(0) === 0x0a0d0d0a ? createPcapngReader(events) : createPcapReader(events);
  reader.push(buf);
  reader.end();
  d.finish();
  return sink;
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
