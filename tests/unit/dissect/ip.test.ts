import { describe, expect, it } from 'vitest';
import {
  ETHERTYPE, LINKTYPE, ah6, ethernet, ext6, frag6, ip4, ipv4, ipv6, rawFrame, splitFragments, udp,
} from './build.ts';
import { Dissector } from '../../../electron/engine/dissect/dissector.ts';
import type { DissectorOptions } from '../../../electron/engine/dissect/dissector.ts';
import { CollectingSink } from '../../../electron/engine/records.ts';
import { dissectFrames, recordingUdp } from './helpers.ts';

const DATA = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7 + 3) & 0xff));
const SRC4 = '192.0.2.10';
const DST4 = '198.51.100.20';
const SRC6 = '2001:db8:1::10';
const DST6 = '2001:db8:2::20';

function run(frames: Buffer[], opts: DissectorOptions = {}, linkType: number = LINKTYPE.RAW) {
  const rec = recordingUdp('ip-probe', [7002]);
  const { sink, d } = dissectFrames(frames, linkType, { tcpProtocols: [], udpProtocols: [rec.proto], ...opts });
  return { rec, sink, d };
}

/** The UDP datagram (header + DATA) with a valid checksum for the v4 pair. */
function udp4(data = DATA): Buffer {
  return ipv4({ src: SRC4, dst: DST4, proto: 17 }, udp({ sport: 40000, dport: 7002 }, data)).subarray(20);
}
function udp6(data = DATA): Buffer {
  return ipv6({ src: SRC6, dst: DST6, nextHeader: 17 }, udp({ sport: 40000, dport: 7002 }, data)).subarray(40);
}

function frags4(l4: Buffer, size: number, id = 77): Buffer[] {
  return splitFragments(l4, size).map((f) => ipv4({ src: SRC4, dst: DST4, proto: 17, id, mf: f.more, fragOffset: f.offset, keepTransportChecksum: true }, f.data));
}

function frags6(fragmentable: Buffer, size: number, next = 17, id = 0xdeadbeef): Buffer[] {
  return splitFragments(fragmentable, size).map((f) => ipv6({ src: SRC6, dst: DST6, nextHeader: 44, keepTransportChecksum: true }, Buffer.concat([frag6(next, f.offset, f.more, id), f.data])));
}

describe('IPv4', () => {
  it('reports a header that is cut or inconsistent, with layer ipv4', () => {
    const good = ipv4({ src: SRC4, dst: DST4, proto: 17 }, udp({ sport: 1, dport: 7002 }, Buffer.from('x')));
    const badIhl = Buffer.from(good); badIhl[0] = 0x4f; // claims 60 header bytes
    const shortTotal = ipv4({ src: SRC4, dst: DST4, proto: 17, totalLength: 12 }, udp({ sport: 1, dport: 7002 }));
    const { sink, rec } = run([good.subarray(0, 12), badIhl, shortTotal]);
    expect(sink.anomalyRecords.map((a) => [a.layer, a.frame])).toEqual([['ipv4', 1], ['ipv4', 2], ['ipv4', 3]]);
    expect(rec.datagrams).toHaveLength(0);
  });

  it('reports a total length beyond the captured bytes but still reads what is there', () => {
    const p = ipv4({ src: SRC4, dst: DST4, proto: 17, totalLength: 20 + 8 + 5 + 40 }, udp({ sport: 1, dport: 7002 }, Buffer.from('hello')));
    const { sink, rec } = run([p]);
    expect(sink.anomalyRecords).toHaveLength(1);
    expect(sink.anomalyRecords[0]).toMatchObject({ layer: 'ipv4', frame: 1 });
    expect(rec.datagrams[0].payload.toString()).toBe('hello');
  });

  it('notes snaplen-cut packets once, not per packet', () => {
    const p = ipv4({ src: SRC4, dst: DST4, proto: 17 }, udp({ sport: 1, dport: 7002 }, DATA));
    const sink = new CollectingSink();
    const d = new Dissector(1, sink, { tcpProtocols: [], udpProtocols: [] });
    for (let i = 1; i <= 5; i++) d.frame(rawFrame(i, p.subarray(0, 60), { linkType: LINKTYPE.RAW, origLen: p.length }));
    d.finish();
    expect(sink.anomalyRecords).toHaveLength(1);
    expect(d.stats.truncatedFrames).toBe(5);
  });

  it('reassembles fragments in order, attributing the datagram to the last frame', () => {
    const frames = frags4(udp4(), 96);
    expect(frames).toHaveLength(4);
    const { rec, sink, d } = run(frames);
    expect(rec.datagrams).toHaveLength(1);
    expect(rec.datagrams[0].payload.equals(DATA)).toBe(true);
    expect(rec.datagrams[0].pkt.frame).toBe(4);
    expect(sink.anomalyRecords).toEqual([]);
    expect(d.stats.reassembled).toBe(1);
    expect(sink.flowRecords[0].bytesUp).toBe(frames.reduce((n, f) => n + f.length, 0));
  });

  it('reassembles fragments received in reverse order', () => {
    const { rec, sink } = run(frags4(udp4(), 64).reverse());
    expect(rec.datagrams).toHaveLength(1);
    expect(rec.datagrams[0].payload.equals(DATA)).toBe(true);
    expect(sink.anomalyRecords).toEqual([]);
  });

  it('reports overlapping fragments and keeps the first copy', () => {
    const l4 = udp4();
    const mk = (offset: number, data: Buffer, more: boolean) => ipv4({ src: SRC4, dst: DST4, proto: 17, id: 5, mf: more, fragOffset: offset, keepTransportChecksum: true }, data);
    const forged = Buffer.from(l4.subarray(96, 200)).fill(0x41);
    const frames = [
      mk(0, l4.subarray(0, 160), true),
      mk(96, forged, true), // overlaps 96..160 with different bytes, adds 160..200
      mk(200, l4.subarray(200), false),
    ];
    const { rec, sink } = run(frames);
    expect(rec.datagrams).toHaveLength(1);
    const got = rec.datagrams[0].payload;
    // First copy kept for 96..160 (original), forged bytes only where nothing was before.
    expect(got.subarray(0, 160 - 8).equals(DATA.subarray(0, 152))).toBe(true);
    expect(got.subarray(152, 192).every((b) => b === 0x41)).toBe(true);
    expect(sink.anomalyRecords).toHaveLength(1);
    expect(sink.anomalyRecords[0]).toMatchObject({ layer: 'ipv4', frame: 2 });
    expect(sink.anomalyRecords[0].error).toMatch(/overlapping fragments with different data/);
  });

  it('reports duplicated fragments as a same-data overlap', () => {
    const f = frags4(udp4(), 128);
    const { rec, sink } = run([f[0], f[0], f[1], f[2]]);
    expect(rec.datagrams).toHaveLength(1);
    expect(sink.anomalyRecords.map((a) => a.error)).toEqual([expect.stringMatching(/same data/)]);
  });

  it('drops incomplete datagrams at timeout and at the end, with anomalies', () => {
    const f = frags4(udp4(), 128);
    const sink = new CollectingSink();
    const d = new Dissector(1, sink, { tcpProtocols: [], udpProtocols: [], fragmentTimeoutSec: 30 });
    d.frame(rawFrame(1, f[0], { linkType: LINKTYPE.RAW, tsSec: 1000 }));
    d.frame(rawFrame(2, f[1], { linkType: LINKTYPE.RAW, tsSec: 1100 })); // first fragment has expired by now
    d.frame(rawFrame(3, f[2], { linkType: LINKTYPE.RAW, tsSec: 1101 }));
    d.finish();
    expect(d.stats.reassembled).toBe(0);
    expect(sink.anomalyRecords.map((a) => [a.frame, a.layer])).toEqual([[1, 'ipv4'], [2, 'ipv4']]);
    expect(sink.anomalyRecords[0].error).toMatch(/timed out/);
    expect(sink.anomalyRecords[1].error).toMatch(/end of capture/);
  });

  it('caps the number of datagrams in progress', () => {
    const frames = [1, 2, 3, 4, 5].map((id) => frags4(udp4(), 128, id)[0]);
    const sink = new CollectingSink();
    const d = new Dissector(1, sink, { tcpProtocols: [], udpProtocols: [], maxFragmentDatagrams: 2 });
    frames.forEach((f, i) => d.frame(rawFrame(i + 1, f, { linkType: LINKTYPE.RAW })));
    expect(d.occupancy.fragments).toBe(2);
    d.finish();
    expect(sink.anomalyRecords).toHaveLength(5);
  });

  it('counts GRE and ICMP without anomalies and ignores packets quoted in ICMP errors', () => {
    const quoted = ipv4({ src: DST4, dst: SRC4, proto: 17 }, udp({ sport: 7002, dport: 40000 }, Buffer.from('quoted')));
    const icmp = Buffer.concat([Buffer.from([3, 3, 0, 0, 0, 0, 0, 0]), quoted]);
    const frames = [
      ipv4({ src: SRC4, dst: DST4, proto: 1 }, icmp),
      ipv4({ src: SRC4, dst: DST4, proto: 47 }, Buffer.from([0, 0, 0x08, 0x00])),
    ];
    const { rec, sink, d } = run(frames);
    expect(rec.datagrams).toHaveLength(0);
    expect(sink.flowRecords).toHaveLength(0);
    expect(sink.anomalyRecords).toEqual([]);
    expect(d.stats.icmp).toBe(1);
    expect(d.stats.otherIp).toBe(1);
  });

  it('dissects IP-in-IP tunnels', () => {
    const inner = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17 }, udp({ sport: 40000, dport: 7002 }, Buffer.from('tunnelled')));
    const { rec } = run([ipv4({ src: SRC4, dst: DST4, proto: 4 }, inner)]);
    expect(rec.datagrams[0].pkt).toMatchObject({ srcIp: '10.0.0.1', dstIp: '10.0.0.2' });
  });
});

describe('IPv6', () => {
  it('walks hop-by-hop, routing, destination options and AH headers', () => {
    const dgram = udp({ sport: 40000, dport: 7002 }, Buffer.from('behind extension headers'));
    const chain = Buffer.concat([ext6(43), ext6(60, Buffer.alloc(14)), ext6(51), ah6(17)]);
    const p = ipv6({ src: SRC6, dst: DST6, nextHeader: 0, transport: { proto: 17, offset: chain.length } }, Buffer.concat([chain, dgram]));
    const { rec, sink } = run([ethernet({ type: ETHERTYPE.IPV6 }, p)], {}, LINKTYPE.ETHERNET);
    expect(rec.datagrams).toHaveLength(1);
    expect(rec.datagrams[0].payload.toString()).toBe('behind extension headers');
    expect(rec.datagrams[0].pkt).toMatchObject({ srcIp: '2001:db8:1::10', dstIp: '2001:db8:2::20', ipVersion: 6 });
    expect(sink.anomalyRecords).toEqual([]);
  });

  it('stops quietly at ESP and no-next-header', () => {
    const { rec, sink, d } = run([
      ipv6({ src: SRC6, dst: DST6, nextHeader: 50 }, Buffer.alloc(40, 1)),
      ipv6({ src: SRC6, dst: DST6, nextHeader: 0 }, ext6(59)),
    ]);
    expect(rec.datagrams).toHaveLength(0);
    expect(sink.anomalyRecords).toEqual([]);
    expect(d.stats.otherIp).toBe(2);
  });

  it('reports a truncated extension header chain', () => {
    const hbh = ext6(17, Buffer.alloc(30)); // 32 bytes, cut to 8 below
    const p = ipv6({ src: SRC6, dst: DST6, nextHeader: 0, payloadLength: 8, keepTransportChecksum: true }, hbh.subarray(0, 8));
    const { sink } = run([p]);
    expect(sink.anomalyRecords.map((a) => a.layer)).toEqual(['ipv6']);
  });

  it('passes atomic fragments straight through', () => {
    const dgram = udp6(Buffer.from('atomic'));
    const p = ipv6({ src: SRC6, dst: DST6, nextHeader: 44, keepTransportChecksum: true }, Buffer.concat([frag6(17, 0, false, 1), dgram]));
    const { rec, d } = run([p]);
    expect(rec.datagrams[0].payload.toString()).toBe('atomic');
    expect(d.stats.fragments).toBe(0);
  });

  it('reassembles fragments in order and reversed', () => {
    for (const order of ['in', 'reversed'] as const) {
      const frames = frags6(udp6(), 104);
      if (order === 'reversed') frames.reverse();
      const { rec, sink } = run(frames);
      expect(rec.datagrams).toHaveLength(1);
      expect(rec.datagrams[0].payload.equals(DATA)).toBe(true);
      expect(sink.anomalyRecords).toEqual([]);
    }
  });

  it('reassembles when the fragmentable part starts with a destination options header', () => {
    const body = Buffer.concat([ext6(17), udp({ sport: 40000, dport: 7002 }, DATA)]);
    const { rec } = run(frags6(body, 80, 60));
    expect(rec.datagrams).toHaveLength(1);
    expect(rec.datagrams[0].payload.equals(DATA)).toBe(true);
  });

  it('reports overlapping IPv6 fragments', () => {
    const f = frags6(udp6(), 104);
    const overlap = ipv6({ src: SRC6, dst: DST6, nextHeader: 44, keepTransportChecksum: true },
      Buffer.concat([frag6(17, 96, true, 0xdeadbeef), Buffer.alloc(64, 0x5a)]));
    const { rec, sink } = run([f[0], overlap, f[1], f[2]]);
    expect(rec.datagrams).toHaveLength(1);
    expect(rec.datagrams[0].payload.equals(DATA)).toBe(false); // bytes 104..160 came from the forged copy
    expect(sink.anomalyRecords).toHaveLength(1);
    expect(sink.anomalyRecords[0]).toMatchObject({ layer: 'ipv6', frame: 2 }); // the forged copy overlaps the first fragment
  });

  it('keeps datagrams of different identifications apart', () => {
    const a = frags6(udp6(), 104, 17, 1);
    const b = frags6(udp6(Buffer.from(DATA).reverse()), 104, 17, 2);
    const { rec } = run([a[0], b[0], b[1], a[1], a[2], b[2]]);
    expect(rec.datagrams).toHaveLength(2);
    expect(rec.datagrams[0].payload.equals(DATA)).toBe(true);
    expect(rec.datagrams[1].payload.equals(Buffer.from(DATA).reverse())).toBe(true);
  });
});

describe('flow keys', () => {
  it('treats both directions as one conversation and separates IPv4 and IPv6', () => {
    const fwd = ipv4({ src: SRC4, dst: DST4, proto: 17 }, udp({ sport: 40000, dport: 7002 }, Buffer.from('a')));
    const back = ipv4({ src: DST4, dst: SRC4, proto: 17 }, udp({ sport: 7002, dport: 40000 }, Buffer.from('b')));
    const v6 = ipv6({ src: SRC6, dst: DST6, nextHeader: 17 }, udp({ sport: 40000, dport: 7002 }, Buffer.from('c')));
    const { sink, rec } = run([fwd, back, v6]);
    expect(sink.flowRecords).toHaveLength(2);
    expect(rec.datagrams.map((x) => x.fromClient)).toEqual([true, false, true]);
    expect(ip4(SRC4)).toHaveLength(4);
  });
});
