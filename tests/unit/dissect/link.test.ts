import { describe, expect, it } from 'vitest';
import {
  ETHERTYPE, LINKTYPE, ethernet, ipv4, ipv6, loopback, sll, sll2, udp,
} from './build.ts';
import { dissectFrames, recordingUdp } from './helpers.ts';

const PAYLOAD = Buffer.from('link-layer test payload');
const v4 = (): Buffer => ipv4({ src: '10.1.2.3', dst: '10.9.8.7', proto: 17 }, udp({ sport: 50000, dport: 7001 }, PAYLOAD));
const v6 = (): Buffer => ipv6({ src: '2001:db8::a', dst: '2001:db8::b', nextHeader: 17 }, udp({ sport: 50000, dport: 7001 }, PAYLOAD));

function run(frames: Buffer[], linkType: number) {
  const rec = recordingUdp('link-probe', [7001]);
  const { sink, d } = dissectFrames(frames, linkType, { tcpProtocols: [], udpProtocols: [rec.proto] });
  return { rec, sink, d };
}

describe('link layers', () => {
  it('Ethernet: IPv4 and IPv6 with MAC addresses', () => {
    const { rec, sink } = run([
      ethernet({ src: 'AA:BB:CC:00:00:01', dst: '02:00:00:00:00:02', type: ETHERTYPE.IPV4 }, v4()),
      ethernet({ src: 'aa:bb:cc:00:00:01', dst: '02:00:00:00:00:02', type: ETHERTYPE.IPV6 }, v6()),
    ], LINKTYPE.ETHERNET);
    expect(rec.datagrams).toHaveLength(2);
    expect(rec.datagrams[0].pkt).toMatchObject({ srcIp: '10.1.2.3', dstIp: '10.9.8.7', srcPort: 50000, dstPort: 7001, ipVersion: 4, srcMac: 'aa:bb:cc:00:00:01', dstMac: '02:00:00:00:00:02', frame: 1 });
    expect(rec.datagrams[1].pkt).toMatchObject({ srcIp: '2001:db8::a', dstIp: '2001:db8::b', ipVersion: 6, frame: 2 });
    expect(rec.datagrams[0].payload.equals(PAYLOAD)).toBe(true);
    expect(sink.anomalyRecords).toEqual([]);
    const flow = sink.flowRecords.find((f) => f.srcIp === '10.1.2.3');
    expect(flow).toMatchObject({ proto: 'udp', srcMac: 'aa:bb:cc:00:00:01', dstMac: '02:00:00:00:00:02', app: 'link-probe' });
  });

  it('Ethernet: trailing padding is not part of the datagram', () => {
    const small = ipv4({ src: '10.1.2.3', dst: '10.9.8.7', proto: 17 }, udp({ sport: 50000, dport: 7001 }, Buffer.from('hi')));
    const { rec } = run([ethernet({ type: ETHERTYPE.IPV4 }, Buffer.concat([small, Buffer.alloc(16, 0xee)]))], LINKTYPE.ETHERNET);
    expect(rec.datagrams[0].payload.toString()).toBe('hi');
  });

  it('802.1Q, Q-in-Q (0x88a8 and 0x9100) and three nested tags', () => {
    const frames = [
      ethernet({ type: ETHERTYPE.IPV4, vlans: [0] }, v4()),
      ethernet({ type: ETHERTYPE.IPV4, vlans: [{ tpid: 0x88a8, vid: 100 }, { tpid: 0x8100, vid: 200 }] }, v4()),
      ethernet({ type: ETHERTYPE.IPV6, vlans: [{ tpid: 0x9100, vid: 100 }, { tpid: 0x8100, vid: 200 }] }, v6()),
      ethernet({ type: ETHERTYPE.IPV4, vlans: [{ tpid: 0x88a8, vid: 1 }, { tpid: 0x8100, vid: 2 }, { tpid: 0x8100, vid: 3 }] }, v4()),
    ];
    const { rec, sink } = run(frames, LINKTYPE.ETHERNET);
    expect(rec.datagrams.map((x) => x.pkt.frame)).toEqual([1, 2, 3, 4]);
    expect(rec.datagrams.every((x) => x.payload.equals(PAYLOAD))).toBe(true);
    expect(sink.anomalyRecords).toEqual([]);
  });

  it('LLC/SNAP-encapsulated IPv4', () => {
    const snap = Buffer.from([0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00]);
    const body = Buffer.concat([snap, v4()]);
    const { rec } = run([ethernet({ type: body.length }, body)], LINKTYPE.ETHERNET);
    expect(rec.datagrams).toHaveLength(1);
  });

  it('Linux SLL and SLL2 give the source MAC only', () => {
    for (const [lt, frame] of [
      [LINKTYPE.LINUX_SLL, sll({ protocol: ETHERTYPE.IPV4, src: '10:20:30:40:50:60' }, v4())],
      [LINKTYPE.LINUX_SLL2, sll2({ protocol: ETHERTYPE.IPV4, src: '10:20:30:40:50:60' }, v4())],
      [LINKTYPE.LINUX_SLL2, sll2({ protocol: ETHERTYPE.IPV6, src: '10:20:30:40:50:60' }, v6())],
    ] as const) {
      const { rec, sink } = run([frame], lt);
      expect(rec.datagrams).toHaveLength(1);
      expect(rec.datagrams[0].pkt.srcMac).toBe('10:20:30:40:50:60');
      expect(rec.datagrams[0].pkt.dstMac).toBeNull();
      expect(sink.anomalyRecords).toEqual([]);
    }
  });

  it('raw IP link types 101, 12, 14, 228 and 229', () => {
    for (const lt of [101, 12, 14]) {
      const { rec } = run([v4(), v6()], lt);
      expect(rec.datagrams.map((x) => x.pkt.ipVersion)).toEqual([4, 6]);
      expect(rec.datagrams[0].pkt.srcMac).toBeNull();
    }
    expect(run([v4()], LINKTYPE.IPV4).rec.datagrams).toHaveLength(1);
    expect(run([v6()], LINKTYPE.IPV6).rec.datagrams).toHaveLength(1);
  });

  it('BSD null and OpenBSD loop with the address family in either byte order', () => {
    for (const lt of [LINKTYPE.NULL, LINKTYPE.LOOP]) {
      for (const order of ['le', 'be'] as const) {
        const frames = [loopback(2, order, v4()), loopback(24, order, v6()), loopback(28, order, v6()), loopback(30, order, v6())];
        const { rec, sink } = run(frames, lt);
        expect(rec.datagrams.map((x) => x.pkt.ipVersion)).toEqual([4, 6, 6, 6]);
        expect(sink.anomalyRecords).toEqual([]);
      }
    }
  });

  it('skips ARP and other non-IP frames silently', () => {
    const arp = ethernet({ type: ETHERTYPE.ARP }, Buffer.alloc(28));
    const lldp = ethernet({ type: 0x88cc }, Buffer.alloc(20));
    const { rec, sink, d } = run([arp, lldp, ethernet({ type: ETHERTYPE.IPV4 }, v4())], LINKTYPE.ETHERNET);
    expect(rec.datagrams).toHaveLength(1);
    expect(sink.anomalyRecords).toEqual([]);
    expect(d.stats.nonIp).toBe(2);
  });

  it('reports an unknown link type once per input, naming it', () => {
    const { sink, d } = run([v4(), v4(), v4()], 147);
    expect(sink.anomalyRecords).toHaveLength(1);
    expect(sink.anomalyRecords[0]).toMatchObject({ layer: 'link', frame: 1, input: 1 });
    expect(sink.anomalyRecords[0].error).toContain('147');
    expect(d.stats.frames).toBe(3);
  });

  it('reports a frame too short for its link header', () => {
    const { sink } = run([Buffer.alloc(10)], LINKTYPE.ETHERNET);
    expect(sink.anomalyRecords).toHaveLength(1);
    expect(sink.anomalyRecords[0].layer).toBe('link');
  });

  it('reports a truncated VLAN tag', () => {
    const { sink } = run([Buffer.concat([Buffer.alloc(12), Buffer.from([0x81, 0x00, 0x00])])], LINKTYPE.ETHERNET);
    expect(sink.anomalyRecords.map((a) => a.layer)).toEqual(['link']);
  });
});
