/** Test helpers: recording protocols, running the dissector over frames or corpus files. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPcapReader } from '../../../electron/engine/capture/pcap-reader.ts';
import { createPcapngReader } from '../../../electron/engine/capture/pcapng-reader.ts';
import type { PacketReaderEvents, RawFrame, ReaderAnomaly } from '../../../electron/engine/capture/types.ts';
import { Dissector } from '../../../electron/engine/dissect/dissector.ts';
import type { DissectorOptions } from '../../../electron/engine/dissect/dissector.ts';
import { CollectingSink } from '../../../electron/engine/records.ts';
import type {
  ConversationState, PacketInfo, StreamChunkMeta, StreamDir, TcpConversation, TcpProtocol, UdpProtocol,
} from '../../../electron/engine/protocols/types.ts';

export const CORPUS = join(import.meta.dirname, '../../fixtures/corpus');

export interface RecordedChunk {
  dir: StreamDir;
  bytes: Buffer;
  meta: StreamChunkMeta;
}

export interface RecordedConn {
  conv: TcpConversation;
  chunks: RecordedChunk[];
  ended: boolean;
}

/** A TCP protocol that records everything it is given. */
export function recordingTcp(name: string, tcpPorts: number[], heuristic?: (b: Buffer, dir: StreamDir) => boolean): { proto: TcpProtocol; conns: RecordedConn[] } {
  const conns: RecordedConn[] = [];
  const proto: TcpProtocol = {
    name,
    tcpPorts,
    heuristic,
    open(conv) {
      const rec: RecordedConn = { conv, chunks: [], ended: false };
      conns.push(rec);
      return {
        data(dir, bytes, meta) { rec.chunks.push({ dir, bytes: Buffer.from(bytes), meta: { ...meta } }); },
        end() { rec.ended = true; },
      };
    },
  };
  if (!heuristic) delete proto.heuristic;
  return { proto, conns };
}

/** Concatenated bytes of one direction of a recorded connection. */
export function streamBytes(c: RecordedConn, dir: StreamDir): Buffer {
  return Buffer.concat(c.chunks.filter((x) => x.dir === dir).map((x) => x.bytes));
}

export interface RecordedDatagram {
  payload: Buffer;
  pkt: PacketInfo;
  conv: ConversationState;
  fromClient: boolean;
}

/** A UDP protocol that records every datagram (copies of the reused objects). */
export function recordingUdp(name: string, udpPorts: number[], heuristic?: (b: Buffer, p: PacketInfo) => boolean): { proto: UdpProtocol; datagrams: RecordedDatagram[] } {
  const datagrams: RecordedDatagram[] = [];
  const proto: UdpProtocol = {
    name,
    udpPorts,
    heuristic,
    datagram(payload, pkt, conv) {
      datagrams.push({ payload: Buffer.from(payload), pkt: { ...pkt }, conv, fromClient: conv.fromClient });
    },
  };
  if (!heuristic) delete proto.heuristic;
  return { proto, datagrams };
}

/** Run a dissector over frames (each a link-layer buffer) and finish it. */
export function dissectFrames(frames: Buffer[], linkType: number, opts: DissectorOptions = {}, startSec = 1_700_000_000): { sink: CollectingSink; d: Dissector } {
  const sink = new CollectingSink();
  const d = new Dissector(1, sink, opts);
  frames.forEach((data, i) => {
    d.frame({ index: i + 1, linkType, data, origLen: data.length, tsSec: startSec + i, tsNsec: 0, interfaceId: 0, comment: null });
  });
  d.finish();
  return { sink, d };
}

/** Feed a corpus capture through the project's readers into a dissector. */
export function dissectCorpus(file: string, opts: DissectorOptions = {}): { sink: CollectingSink; d: Dissector; frames: number; readerAnomalies: ReaderAnomaly[]; linkTypes: Set<number> } {
  const buf = readFileSync(join(CORPUS, file));
  const sink = new CollectingSink();
  const d = new Dissector(1, sink, opts);
  let frames = 0;
  const readerAnomalies: ReaderAnomaly[] = [];
  const linkTypes = new Set<number>();
  const events: PacketReaderEvents = {
    frame(f: RawFrame) { frames++; linkTypes.add(f.linkType); d.frame(f); },
    iface() { /* link types arrive with each frame */ },
    anomaly(a) { readerAnomalies.push(a); },
  };
  const pcapng = buf.readUInt32LE(0) === 0x0a0d0d0a;
  const reader = pcapng ? createPcapngReader(events) : createPcapReader(events);
  reader.push(buf);
  reader.end();
  d.finish();
  return { sink, d, frames, readerAnomalies, linkTypes };
}

/** Parse a corpus truth sidecar. */
export function truth(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(CORPUS, `${file}.truth.json`), 'utf8')) as Record<string, unknown>;
}
