/** NBNS handler, fed messages built byte by byte per RFC 1002 (first-level encoding, section 4.2). */
import { describe, expect, it } from 'vitest';
import { decodeNetbiosName, nbnsProtocol } from '../../../electron/engine/protocols/nbns.ts';
import type { ConversationState, PacketInfo } from '../../../electron/engine/protocols/types.ts';
import { CollectingSink } from '../../../electron/engine/records.ts';

const u16 = (n: number): Buffer => Buffer.from([n >> 8, n & 0xff]);
const u32 = (n: number): Buffer => Buffer.from([n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
const ip4 = (s: string): Buffer => Buffer.from(s.split('.').map(Number));

/** RFC 1002 4.1: pad to 15 with spaces, add the suffix, split each byte into two nibbles + 'A'. */
function encodedName(n: string, suffix: number): Buffer {
  const raw = Buffer.concat([Buffer.from(n.padEnd(15, ' '), 'latin1'), Buffer.from([suffix])]);
  let s = '';
  for (const x of raw) s += String.fromCharCode(0x41 + (x >> 4), 0x41 + (x & 0x0f));
  return Buffer.concat([Buffer.from([32]), Buffer.from(s, 'latin1'), Buffer.from([0])]);
}

function header(id: number, flags: number, qd: number, an: number, ns: number, ar: number): Buffer {
  return Buffer.concat([u16(id), u16(flags), u16(qd), u16(an), u16(ns), u16(ar)]);
}

function nbRecord(nameBytes: Buffer, entries: Array<[group: boolean, ip: string]>, type = 0x20): Buffer {
  const rdata = Buffer.concat(entries.map(([g, ip]) => Buffer.concat([u16(g ? 0x8000 : 0), ip4(ip)])));
  return Buffer.concat([nameBytes, u16(type), u16(1), u32(300000), u16(rdata.length), rdata]);
}

function pkt(frame: number, srcIp: string): PacketInfo {
  return {
    input: 5, frame, tsSec: 1_000, tsNsec: 0, ipVersion: 4, srcIp, dstIp: '192.168.1.255', srcPort: 137, dstPort: 137,
    srcMac: null, dstMac: null,
  };
}

const newConv = (): ConversationState => ({
  data: undefined, fromClient: true, clientIp: '192.168.1.20', clientPort: 137, serverIp: '192.168.1.255', serverPort: 137,
});

describe('nbns', () => {
  it('decodes first-level encoded names', () => {
    const label = encodedName('WORKGROUP', 0x1d).subarray(1, 33).toString('latin1');
    expect(decodeNetbiosName(label)).toEqual({ name: 'WORKGROUP', suffix: 0x1d });
    expect(decodeNetbiosName(`${encodedName('PC-7', 0).subarray(1, 33).toString('latin1')}.corp`)).toEqual({ name: 'PC-7', suffix: 0 });
    expect(decodeNetbiosName('ABC')).toBeNull();
    expect(decodeNetbiosName('Z'.repeat(32))).toBeNull();
  });

  it('names the registrant of a unique workstation name, not its group name', () => {
    // Registration request: question + additional NB record whose name points at the question.
    const reg = (n: string, suffix: number, group: boolean, ip: string): Buffer => Buffer.concat([
      header(0x1234, 0x2910, 1, 0, 0, 1),
      encodedName(n, suffix), u16(0x20), u16(1),
      nbRecord(Buffer.from([0xc0, 12]), [[group, ip]]),
    ]);
    const sink = new CollectingSink();
    const c = newConv();
    nbnsProtocol.datagram(reg('DESKTOP-ABC', 0x00, false, '192.168.1.20'), pkt(1, '192.168.1.20'), c, sink);
    nbnsProtocol.datagram(reg('DESKTOP-ABC', 0x00, false, '192.168.1.20'), pkt(2, '192.168.1.20'), c, sink);
    nbnsProtocol.datagram(reg('WORKGROUP', 0x00, true, '192.168.1.20'), pkt(3, '192.168.1.20'), c, sink);
    nbnsProtocol.datagram(reg('DESKTOP-ABC', 0x03, false, '192.168.1.20'), pkt(4, '192.168.1.20'), c, sink);
    expect(sink.anomalyRecords).toEqual([]);
    expect(sink.nameRecords).toEqual([
      { input: 5, frame: 1, ts: 1_000_000_000_000n, ip: '192.168.1.20', mac: null, name: 'DESKTOP-ABC', source: 'nbns' },
    ]);
  });

  it('takes addresses from a positive query response, and nothing from the query', () => {
    const query = Buffer.concat([header(9, 0x0110, 1, 0, 0, 0), encodedName('FILESRV', 0x20), u16(0x20), u16(1)]);
    const answer = Buffer.concat([header(9, 0x8500, 0, 1, 0, 0), nbRecord(encodedName('FILESRV', 0x20), [[false, '10.0.0.5'], [false, '10.0.1.5']])]);
    const sink = new CollectingSink();
    const c = newConv();
    nbnsProtocol.datagram(query, pkt(1, '192.168.1.20'), c, sink);
    nbnsProtocol.datagram(answer, pkt(2, '192.168.1.1'), c, sink);
    expect(sink.nameRecords.map((n) => [n.frame, n.name, n.ip])).toEqual([[2, 'FILESRV', '10.0.0.5'], [2, 'FILESRV', '10.0.1.5']]);
  });

  it('reads a node status response: unique names with the sender address and the unit MAC', () => {
    const entry = (n: string, suffix: number, group: boolean): Buffer => Buffer.concat([
      Buffer.from(n.padEnd(15, ' '), 'latin1'), Buffer.from([suffix]), u16(group ? 0x8400 : 0x0400),
    ]);
    const table = Buffer.concat([
      Buffer.from([3]), entry('LAPTOP-X', 0x00, false), entry('WORKGROUP', 0x00, true), entry('LAPTOP-X', 0x20, false),
      Buffer.from([0x00, 0x1b, 0x21, 0xaa, 0xbb, 0xcc]), Buffer.alloc(40),
    ]);
    const msg = Buffer.concat([
      header(3, 0x8400, 0, 1, 0, 0), encodedName('*', 0), u16(0x21), u16(1), u32(0), u16(table.length), table,
    ]);
    const sink = new CollectingSink();
    nbnsProtocol.datagram(msg, pkt(7, '192.168.1.44'), newConv(), sink);
    expect(sink.anomalyRecords).toEqual([]);
    expect(sink.nameRecords.map((n) => [n.name, n.ip, n.mac])).toEqual([['LAPTOP-X', '192.168.1.44', '00:1b:21:aa:bb:cc']]);
  });

  it('reports malformed messages', () => {
    const sink = new CollectingSink();
    const c = newConv();
    nbnsProtocol.datagram(Buffer.from([1, 2, 3]), pkt(1, '192.168.1.20'), c, sink);
    const bad = Buffer.concat([header(1, 0x2910, 1, 0, 0, 1), encodedName('HOST', 0), u16(0x20), u16(1), Buffer.from([0xc0, 12, 0, 0x20])]);
    nbnsProtocol.datagram(bad, pkt(2, '192.168.1.20'), c, sink);
    const notEncoded = Buffer.concat([header(1, 0x0110, 1, 0, 0, 0), Buffer.from([4]), Buffer.from('host'), Buffer.from([0]), u16(0x20), u16(1)]);
    nbnsProtocol.datagram(notEncoded, pkt(3, '192.168.1.20'), c, sink);
    expect(sink.nameRecords).toEqual([]);
    expect(sink.anomalyRecords.map((a) => [a.frame, a.layer])).toEqual([[1, 'nbns'], [2, 'nbns'], [3, 'nbns']]);
  });
});
