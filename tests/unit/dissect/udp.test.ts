import { describe, expect, it } from 'vitest';
import { Dissector } from '../../../electron/engine/dissect/dissector.ts';
import { registerUdpProtocol } from '../../../electron/engine/protocols/types.ts';
import type { PacketInfo, UdpProtocol } from '../../../electron/engine/protocols/types.ts';
import { CollectingSink } from '../../../electron/engine/records.ts';
import { ETHERTYPE, LINKTYPE, ethernet, ipv4, ipv6, rawFrame, udp } from './build.ts';
import { dissectFrames, recordingUdp } from './helpers.ts';

function dgram(src: string, sport: number, dst: string, dport: number, payload: string | Buffer, macs?: { src: string; dst: string }): Buffer {
  const body = udp({ sport, dport }, typeof payload === 'string' ? Buffer.from(payload) : payload);
  const l3 = src.includes(':') ? ipv6({ src, dst, nextHeader: 17 }, body) : ipv4({ src, dst, proto: 17 }, body);
  return ethernet({ type: src.includes(':') ? ETHERTYPE.IPV6 : ETHERTYPE.IPV4, src: macs?.src, dst: macs?.dst }, l3);
}

function run(frames: Buffer[], protocols: UdpProtocol[], opts = {}) {
  return dissectFrames(frames, LINKTYPE.ETHERNET, { tcpProtocols: [], udpProtocols: protocols, ...opts });
}

describe('UDP conversations', () => {
  it('chooses the protocol of the lower port when both ports are bound', () => {
    const low = recordingUdp('probe-low', [1000]);
    const high = recordingUdp('probe-high', [2000]);
    const { sink } = run([dgram('10.0.0.1', 2000, '10.0.0.2', 1000, 'x'), dgram('10.0.0.2', 1000, '10.0.0.1', 2000, 'y')], [high.proto, low.proto]);
    expect(low.datagrams.map((d) => d.payload.toString())).toEqual(['x', 'y']);
    expect(high.datagrams).toHaveLength(0);
    expect(sink.flowRecords[0].app).toBe('probe-low');
  });

  it('uses a heuristic when no port matches, trying only the first packets', () => {
    const magic = recordingUdp('probe-magic', [], (b) => b.toString('latin1', 0, 5) === 'MAGIC');
    const frames = [
      dgram('10.0.0.1', 40000, '10.0.0.2', 40001, 'MAGIC first'),
      dgram('10.0.0.1', 40000, '10.0.0.2', 40001, 'then anything'),
    ];
    for (let i = 0; i < 10; i++) frames.push(dgram('10.0.0.3', 40000, '10.0.0.2', 40001, 'noise'));
    frames.push(dgram('10.0.0.3', 40000, '10.0.0.2', 40001, 'MAGIC too late'));
    const { sink } = run(frames, [magic.proto]);
    expect(magic.datagrams.map((d) => d.payload.toString())).toEqual(['MAGIC first', 'then anything']);
    expect(sink.flowRecords.map((f) => f.app)).toEqual(['probe-magic', null]);
  });

  it('keeps one ConversationState per conversation, initiator = first sender', () => {
    const seen: Array<{ count: number; fromClient: boolean; src: string; client: string }> = [];
    let lastPkt: PacketInfo | null = null;
    let samePktObject = true;
    const counter: UdpProtocol = {
      name: 'probe-counter', udpPorts: [7777],
      datagram(_payload, pkt, conv) {
        if (lastPkt !== null && lastPkt !== pkt) samePktObject = false;
        lastPkt = pkt;
        const st = (conv.data ??= { count: 0 }) as { count: number };
        st.count++;
        seen.push({ count: st.count, fromClient: conv.fromClient, src: pkt.srcIp, client: conv.clientIp });
      },
    };
    run([
      dgram('10.0.0.1', 7777, '10.0.0.2', 7777, 'a'),
      dgram('10.0.0.2', 7777, '10.0.0.1', 7777, 'b'),
      dgram('10.0.0.5', 7777, '10.0.0.2', 7777, 'c'),
      dgram('10.0.0.1', 7777, '10.0.0.2', 7777, 'd'),
    ], [counter]);
    expect(seen).toEqual([
      { count: 1, fromClient: true, src: '10.0.0.1', client: '10.0.0.1' },
      { count: 2, fromClient: false, src: '10.0.0.2', client: '10.0.0.1' },
      { count: 1, fromClient: true, src: '10.0.0.5', client: '10.0.0.5' },
      { count: 3, fromClient: true, src: '10.0.0.1', client: '10.0.0.1' },
    ]);
    expect(samePktObject).toBe(true);
  });

  it('treats a first packet from a service port to an ephemeral port as a response', () => {
    const dns = recordingUdp('probe-dns', [53]);
    const { sink } = run([dgram('2001:db8::53', 53, '2001:db8::c', 51515, 'answer'), dgram('2001:db8::c', 51515, '2001:db8::53', 53, 'query')], [dns.proto]);
    expect(dns.datagrams.map((d) => d.fromClient)).toEqual([false, true]);
    expect(dns.datagrams[0].conv).toMatchObject({ clientIp: '2001:db8::c', clientPort: 51515, serverIp: '2001:db8::53', serverPort: 53 });
    expect(sink.flowRecords[0]).toMatchObject({ srcIp: '2001:db8::c', srcPort: 51515, dstPort: 53, packetsUp: 1, packetsDown: 1 });
  });

  it('gives protocols the MACs of each packet', () => {
    const p = recordingUdp('probe-mac', [6000]);
    const { sink } = run([
      dgram('10.0.0.1', 6000, '10.0.0.2', 6000, 'a', { src: '0a:00:00:00:00:01', dst: '0a:00:00:00:00:02' }),
      dgram('10.0.0.2', 6000, '10.0.0.1', 6000, 'b', { src: '0a:00:00:00:00:02', dst: '0a:00:00:00:00:01' }),
      dgram('10.0.0.1', 6000, '10.0.0.2', 6000, 'c', { src: '0a:00:00:00:00:03', dst: '0a:00:00:00:00:02' }),
    ], [p.proto]);
    expect(p.datagrams.map((d) => [d.pkt.srcMac, d.pkt.dstMac])).toEqual([
      ['0a:00:00:00:00:01', '0a:00:00:00:00:02'],
      ['0a:00:00:00:00:02', '0a:00:00:00:00:01'],
      ['0a:00:00:00:00:03', '0a:00:00:00:00:02'],
    ]);
    expect(sink.flowRecords[0]).toMatchObject({ srcMac: '0a:00:00:00:00:01', dstMac: '0a:00:00:00:00:02' });
  });

  it('emits a FlowRecord when a conversation goes idle and caps the table', () => {
    const sink = new CollectingSink();
    const d = new Dissector(1, sink, { tcpProtocols: [], udpProtocols: [], udpIdleSec: 30, maxUdpConversations: 2 });
    d.frame(rawFrame(1, dgram('10.0.0.1', 1111, '10.0.0.2', 53, 'q'), { tsSec: 100 }));
    d.frame(rawFrame(2, dgram('10.0.0.2', 53, '10.0.0.1', 1111, 'r'), { tsSec: 101 }));
    d.frame(rawFrame(3, dgram('10.0.0.1', 2222, '10.0.0.2', 53, 'q'), { tsSec: 140 }));
    expect(sink.flowRecords.map((f) => [f.srcPort, f.packetsUp, f.packetsDown, f.lastTs])).toEqual([[1111, 1, 1, 101_000_000_000n]]);
    d.frame(rawFrame(4, dgram('10.0.0.1', 3333, '10.0.0.2', 53, 'q'), { tsSec: 141 }));
    d.frame(rawFrame(5, dgram('10.0.0.1', 4444, '10.0.0.2', 53, 'q'), { tsSec: 142 }));
    expect(d.occupancy.udp).toBe(2);
    expect(d.stats.udpEvicted).toBe(1);
    d.finish();
    expect(sink.flowRecords.map((f) => f.srcPort)).toEqual([1111, 2222, 3333, 4444]);
  });

  it('reports bad UDP lengths and truncated headers', () => {
    const bad = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17 }, udp({ sport: 1, dport: 2, length: 4 }, Buffer.from('zz')));
    const short = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17 }, Buffer.alloc(5));
    const { sink } = dissectFrames([bad, short], LINKTYPE.RAW, { tcpProtocols: [], udpProtocols: [] });
    expect(sink.anomalyRecords.map((a) => [a.layer, a.frame])).toEqual([['udp', 1], ['udp', 2]]);
  });

  it('dispatches to protocols registered in the registry', () => {
    const reg = recordingUdp('dissect-test-registry-udp', [39998]);
    registerUdpProtocol(reg.proto);
    dissectFrames([dgram('10.0.0.1', 50000, '10.0.0.2', 39998, 'via registry')], LINKTYPE.ETHERNET);
    expect(reg.datagrams[0].payload.toString()).toBe('via registry');
  });
});
