import { describe, expect, it } from 'vitest';
import { Dissector } from '../../../electron/engine/dissect/dissector.ts';
import type { DissectorOptions } from '../../../electron/engine/dissect/dissector.ts';
import { registerTcpProtocol } from '../../../electron/engine/protocols/types.ts';
import type { TcpProtocol } from '../../../electron/engine/protocols/types.ts';
import { CollectingSink } from '../../../electron/engine/records.ts';
import { LINKTYPE, TCP_FLAGS, TcpConversationBuilder, ethernet, ipv4, rawFrame, tcp } from './build.ts';
import { dissectFrames, recordingTcp, streamBytes } from './helpers.ts';

const CLIENT = { ip: '10.0.0.1', port: 51000, mac: '02:00:00:00:00:0c' };
const SERVER = { ip: '10.0.0.2', port: 8080, mac: '02:00:00:00:00:05' };

function probe() {
  return recordingTcp('tcp-probe', [8080]);
}

function run(frames: Buffer[], protocols: TcpProtocol[], opts: DissectorOptions = {}) {
  return dissectFrames(frames, LINKTYPE.ETHERNET, { tcpProtocols: protocols, udpProtocols: [], ...opts });
}

const isGet = (b: Buffer): boolean => b.length >= 4 && b.toString('latin1', 0, 4) === 'GET ';
const isClientHello = (b: Buffer, dir: 0 | 1): boolean => dir === 0 && b.length >= 6 && b[0] === 0x16 && b[1] === 3 && b[5] === 1;

describe('TCP reassembly', () => {
  it('delivers in-order bytes per direction, closes on FIN both ways and emits the flow', () => {
    const b = new TcpConversationBuilder(CLIENT, SERVER);
    const frames = [...b.handshake(), b.data('c', 'hello '), b.data('c', 'world'), b.data('s', 'reply'), ...b.close()];
    const p = probe();
    const { sink } = run(frames, [p.proto]);
    expect(p.conns).toHaveLength(1);
    const c = p.conns[0];
    expect(c.conv).toMatchObject({ clientIp: '10.0.0.1', clientPort: 51000, serverIp: '10.0.0.2', serverPort: 8080, clientMac: '02:00:00:00:00:0c', serverMac: '02:00:00:00:00:05', input: 1 });
    expect(streamBytes(c, 0).toString()).toBe('hello world');
    expect(streamBytes(c, 1).toString()).toBe('reply');
    expect(c.chunks.map((x) => [x.dir, x.meta.frame, x.meta.gapBefore])).toEqual([[0, 4, 0], [0, 5, 0], [1, 6, 0]]);
    expect(c.chunks[0].meta.tsSec).toBe(1_700_000_003);
    expect(c.ended).toBe(true);
    expect(sink.flowRecords).toHaveLength(1);
    expect(sink.flowRecords[0]).toMatchObject({
      proto: 'tcp', srcIp: '10.0.0.1', srcPort: 51000, dstIp: '10.0.0.2', dstPort: 8080, srcMac: '02:00:00:00:00:0c', dstMac: '02:00:00:00:00:05',
      firstFrame: 1, packetsUp: 6, packetsDown: 3, app: 'tcp-probe', gapBytes: 0,
      bytesUp: [0, 2, 3, 4, 6, 8].reduce((n, i) => n + frames[i].length, 0),
      bytesDown: [1, 5, 7].reduce((n, i) => n + frames[i].length, 0),
      firstTs: 1_700_000_000_000_000_000n, lastTs: 1_700_000_008_000_000_000n,
    });
  });

  it('orders out-of-order segments', () => {
    const b = new TcpConversationBuilder(CLIENT, SERVER);
    const a = b.segment('c', Buffer.from('AAAA'), { rel: 0 });
    const bb = b.segment('c', Buffer.from('BBBB'), { rel: 4 });
    const cc = b.segment('c', Buffer.from('CCCC'), { rel: 8 });
    const p = probe();
    run([...b.handshake(), cc, bb, a], [p.proto]);
    const c = p.conns[0];
    expect(streamBytes(c, 0).toString()).toBe('AAAABBBBCCCC');
    expect(c.chunks.map((x) => [x.meta.frame, x.meta.gapBefore, x.bytes.toString()])).toEqual([[6, 0, 'AAAA'], [5, 0, 'BBBB'], [4, 0, 'CCCC']]);
  });

  it('delivers only new bytes of retransmissions with full and partial overlap', () => {
    const b = new TcpConversationBuilder(CLIENT, SERVER);
    const frames = [
      ...b.handshake(),
      b.segment('c', Buffer.from('abcdef'), { rel: 0 }),
      b.segment('c', Buffer.from('abcdef'), { rel: 0 }), // full retransmission
      b.segment('c', Buffer.from('defGHI'), { rel: 3 }), // partial overlap
      b.segment('c', Buffer.from('HIjk'), { rel: 7 }),
    ];
    const p = probe();
    run(frames, [p.proto]);
    expect(p.conns[0].chunks.map((x) => x.bytes.toString())).toEqual(['abcdef', 'GHI', 'jk']);
  });

  it('skips a missing segment once the peer acknowledges past it, reporting gapBefore', () => {
    const b = new TcpConversationBuilder(CLIENT, SERVER);
    const frames = [
      ...b.handshake(),
      b.segment('c', Buffer.from('1111'), { rel: 0 }),
      b.segment('c', Buffer.from('3333'), { rel: 8 }), // 2222 at rel 4 never captured
    ];
    b.skip('c', 12);
    frames.push(b.data('s', 'ok')); // acknowledges all 12 bytes
    frames.push(b.data('c', 'more'));
    const p = probe();
    const { sink } = run(frames, [p.proto]);
    const c = p.conns[0];
    expect(c.chunks.filter((x) => x.dir === 0).map((x) => [x.bytes.toString(), x.meta.gapBefore, x.meta.frame])).toEqual([['1111', 0, 4], ['3333', 4, 5], ['more', 0, 7]]);
    expect(sink.flowRecords[0].gapBytes).toBe(4);
  });

  it('delivers buffered data after a hole at close, with the gap', () => {
    const b = new TcpConversationBuilder(CLIENT, SERVER);
    const frames = [...b.handshake(), b.segment('c', Buffer.from('head'), { rel: 0 }), b.segment('c', Buffer.from('tail'), { rel: 10 })];
    const p = probe();
    const { sink } = run(frames, [p.proto]);
    const c = p.conns[0];
    expect(c.chunks.map((x) => [x.bytes.toString(), x.meta.gapBefore])).toEqual([['head', 0], ['tail', 6]]);
    expect(c.ended).toBe(true);
    expect(sink.flowRecords[0].gapBytes).toBe(6);
  });

  it('closes promptly when the FIN is acknowledged although the last data segment was not captured', () => {
    const b = new TcpConversationBuilder(CLIENT, SERVER);
    const frames = [...b.handshake(), b.data('c', 'aaaa')];
    b.skip('c', 4); // "bbbb" went by uncaptured
    frames.push(b.segment('c', Buffer.alloc(0), { flags: TCP_FLAGS.FIN | TCP_FLAGS.ACK }));
    frames.push(b.segment('s', Buffer.alloc(0), { flags: TCP_FLAGS.FIN | TCP_FLAGS.ACK }));
    frames.push(b.segment('c', Buffer.alloc(0), { flags: TCP_FLAGS.ACK }));
    const p = probe();
    const sink = new CollectingSink();
    const d = new Dissector(1, sink, { tcpProtocols: [p.proto], udpProtocols: [] });
    frames.forEach((f, i) => d.frame(rawFrame(i + 1, f)));
    expect(p.conns[0].ended).toBe(true);
    d.finish();
    expect(sink.flowRecords[0].gapBytes).toBe(4);
    expect(streamBytes(p.conns[0], 0).toString()).toBe('aaaa');
  });

  it('skips a hole when the out-of-order buffer cap is reached', () => {
    const b = new TcpConversationBuilder(CLIENT, SERVER);
    const frames = [...b.handshake()];
    for (let i = 1; i <= 12; i++) frames.push(b.segment('c', Buffer.alloc(100, 0x30 + i), { rel: i * 100 }));
    const p = probe();
    const sink = new CollectingSink();
    const d = new Dissector(1, sink, { tcpProtocols: [p.proto], udpProtocols: [], maxOutOfOrderBytes: 1000 });
    frames.forEach((f, i) => d.frame(rawFrame(i + 1, f)));
    // The 11th buffered segment overflowed the cap: the first 100 bytes are declared lost.
    expect(p.conns[0].chunks[0].meta.gapBefore).toBe(100);
    expect(d.occupancy.outOfOrderBytes).toBeLessThanOrEqual(1000);
    d.finish();
    expect(streamBytes(p.conns[0], 0).length).toBe(1200);
  });

  it('handles sequence numbers wrapping around 2^32', () => {
    const b = new TcpConversationBuilder(CLIENT, SERVER, { isnC: 0xfffffff0 });
    const s1 = b.data('c', Buffer.alloc(10, 0x61));
    const s2 = b.data('c', Buffer.alloc(10, 0x62)); // crosses the wrap
    const s3 = b.data('c', Buffer.alloc(10, 0x63));
    const p = probe();
    const frames = [...b.handshake(), s1, s3, s2, ...b.close()];
    const { sink } = run(frames, [p.proto]);
    expect(streamBytes(p.conns[0], 0).toString()).toBe('a'.repeat(10) + 'b'.repeat(10) + 'c'.repeat(10));
    expect(p.conns[0].ended).toBe(true);
    expect(sink.flowRecords[0].gapBytes).toBe(0);
  });

  it('starts a stream captured mid-connection at the first seen byte, client by port', () => {
    const b = new TcpConversationBuilder(CLIENT, SERVER);
    b.skip('c', 5000);
    b.skip('s', 9000);
    const frames = [b.data('s', 'late response'), b.data('c', 'next request')];
    const p = probe();
    const { sink } = run(frames, [p.proto]);
    const c = p.conns[0];
    expect(c.conv.clientPort).toBe(51000);
    expect(c.chunks.map((x) => [x.dir, x.bytes.toString(), x.meta.gapBefore])).toEqual([[1, 'late response', 0], [0, 'next request', 0]]);
    expect(sink.flowRecords[0]).toMatchObject({ srcPort: 51000, dstPort: 8080, packetsUp: 1, packetsDown: 1 });
  });

  it('counts bytes cut by the snaplen as a gap', () => {
    const b = new TcpConversationBuilder(CLIENT, SERVER);
    const big = b.data('c', Buffer.alloc(200, 0x41));
    const next = b.data('c', 'after');
    const p = probe();
    const sink = new CollectingSink();
    const d = new Dissector(1, sink, { tcpProtocols: [p.proto], udpProtocols: [] });
    const hs = b.handshake();
    hs.forEach((f, i) => d.frame(rawFrame(i + 1, f)));
    d.frame(rawFrame(4, big.subarray(0, 14 + 20 + 20 + 50), { origLen: big.length }));
    d.frame(rawFrame(5, next));
    d.finish();
    expect(p.conns[0].chunks.map((x) => [x.bytes.length, x.meta.gapBefore])).toEqual([[50, 0], [5, 150]]);
    expect(sink.flowRecords[0].gapBytes).toBe(150);
  });

  it('closes on RST and keeps later packets on the same flow', () => {
    const b = new TcpConversationBuilder(CLIENT, SERVER);
    const frames = [...b.handshake(), b.data('c', 'x'), b.segment('s', Buffer.alloc(0), { flags: TCP_FLAGS.RST | TCP_FLAGS.ACK }), b.data('c', 'y')];
    const p = probe();
    const { sink } = run(frames, [p.proto]);
    expect(p.conns[0].ended).toBe(true);
    expect(streamBytes(p.conns[0], 0).toString()).toBe('x');
    expect(sink.flowRecords).toHaveLength(1);
    expect(sink.flowRecords[0].packetsUp).toBe(4);
  });

  it('starts a new connection when the port pair is reused after close', () => {
    const b1 = new TcpConversationBuilder(CLIENT, SERVER, { isnC: 100 });
    const b2 = new TcpConversationBuilder(CLIENT, SERVER, { isnC: 900000 });
    const frames = [...b1.handshake(), b1.data('c', 'one'), ...b1.close(), ...b2.handshake(), b2.data('c', 'two'), ...b2.close()];
    const p = probe();
    const { sink } = run(frames, [p.proto]);
    expect(p.conns.map((c) => streamBytes(c, 0).toString())).toEqual(['one', 'two']);
    expect(sink.flowRecords.map((f) => [f.firstFrame, f.packetsUp + f.packetsDown])).toEqual([[1, 7], [8, 7]]);
  });

  it('closes idle connections by capture time', () => {
    const b = new TcpConversationBuilder(CLIENT, SERVER);
    const p = probe();
    const sink = new CollectingSink();
    const d = new Dissector(1, sink, { tcpProtocols: [p.proto], udpProtocols: [], tcpIdleSec: 60 });
    [...b.handshake(), b.data('c', 'idle soon')].forEach((f, i) => d.frame(rawFrame(i + 1, f, { tsSec: 1000 + i })));
    const other = ethernet({ type: 0x0800 }, ipv4({ src: '10.9.9.9', dst: '10.9.9.8', proto: 6 }, tcp({ sport: 1, dport: 2, seq: 1, flags: TCP_FLAGS.SYN })));
    d.frame(rawFrame(5, other, { tsSec: 1030 }));
    expect(p.conns[0].ended).toBe(false);
    d.frame(rawFrame(6, other, { tsSec: 1080 }));
    expect(p.conns[0].ended).toBe(true);
    expect(sink.flowRecords.map((f) => f.srcIp)).toEqual(['10.0.0.1']);
    d.finish();
    expect(sink.flowRecords).toHaveLength(2);
  });

  it('caps the number of open connections, closing the idlest', () => {
    const p = probe();
    const sink = new CollectingSink();
    const d = new Dissector(1, sink, { tcpProtocols: [p.proto], udpProtocols: [], maxTcpConnections: 3 });
    let n = 0;
    for (let i = 0; i < 5; i++) {
      const b = new TcpConversationBuilder({ ...CLIENT, port: 52000 + i }, SERVER);
      for (const f of [...b.handshake(), b.data('c', `conn ${i}`)]) d.frame(rawFrame(++n, f));
      expect(d.occupancy.tcp).toBeLessThanOrEqual(3);
    }
    expect(p.conns.map((c) => c.ended)).toEqual([true, true, false, false, false]);
    expect(sink.flowRecords.map((f) => f.srcPort)).toEqual([52000, 52001]);
    expect(d.stats.tcpEvicted).toBe(2);
    d.finish();
    expect(sink.flowRecords).toHaveLength(5);
  });
});

describe('TCP protocol choice', () => {
  it('prefers a heuristic match over a port binding (HTTP sent to port 22)', () => {
    const ssh = recordingTcp('probe-ssh', [22]);
    const http = recordingTcp('probe-http', [], isGet);
    const b = new TcpConversationBuilder(CLIENT, { ...SERVER, port: 22 });
    const { sink } = run([...b.handshake(), b.data('c', 'GET / HTTP/1.1\r\n\r\n'), b.data('s', 'SSH-2.0-x\r\n')], [ssh.proto, http.proto]);
    expect(ssh.conns).toHaveLength(0);
    expect(http.conns).toHaveLength(1);
    expect(streamBytes(http.conns[0], 1).toString()).toBe('SSH-2.0-x\r\n');
    expect(sink.flowRecords[0].app).toBe('probe-http');
  });

  it('falls back to the port binding when no heuristic matches the first payload', () => {
    const ssh = recordingTcp('probe-ssh', [22]);
    const http = recordingTcp('probe-http', [], isGet);
    const b = new TcpConversationBuilder(CLIENT, { ...SERVER, port: 22 });
    run([...b.handshake(), b.data('s', 'SSH-2.0-server\r\n'), b.data('c', 'SSH-2.0-client\r\n')], [ssh.proto, http.proto]);
    expect(ssh.conns).toHaveLength(1);
    expect(streamBytes(ssh.conns[0], 1).toString()).toBe('SSH-2.0-server\r\n');
  });

  it('finds a TLS ClientHello after plaintext (STARTTLS) and feeds it from there on', () => {
    const tls = recordingTcp('probe-tls', [], isClientHello);
    const b = new TcpConversationBuilder(CLIENT, { ...SERVER, port: 6667 });
    const hello = Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00]);
    const frames = [
      ...b.handshake(),
      b.data('s', ':irc.example NOTICE * :hello\r\n'),
      b.data('c', 'STARTTLS\r\n'),
      b.data('s', ':irc.example 670 * :STARTTLS ok\r\n'),
      b.data('c', hello),
      b.data('s', Buffer.from([0x16, 0x03, 0x03, 0x00, 0x01, 0x02])),
    ];
    const { sink } = run(frames, [tls.proto]);
    expect(tls.conns).toHaveLength(1);
    const c = tls.conns[0];
    expect(c.chunks.map((x) => [x.dir, x.meta.frame])).toEqual([[0, 7], [1, 8]]);
    expect(c.chunks[0].bytes.equals(hello)).toBe(true);
    expect(sink.flowRecords[0].app).toBe('probe-tls');
  });

  it('gives up after the heuristic window and leaves app null', () => {
    const tls = recordingTcp('probe-tls', [], isClientHello);
    const b = new TcpConversationBuilder(CLIENT, { ...SERVER, port: 6667 });
    const frames = [...b.handshake()];
    for (let i = 0; i < 5; i++) { frames.push(b.data('c', Buffer.alloc(1000, 0x20))); frames.push(b.data('s', Buffer.alloc(1000, 0x20))); }
    frames.push(b.data('c', Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x01])));
    const { sink } = run(frames, [tls.proto], { heuristicWindow: 2000 });
    expect(tls.conns).toHaveLength(0);
    expect(sink.flowRecords[0].app).toBeNull();
  });

  it('flips a port-guessed orientation when the other side sends the client message', () => {
    // No SYN seen; both ports are unregistered, so the lower port (40000) is first guessed to be the server.
    const http = recordingTcp('probe-http', [], isGet);
    const b = new TcpConversationBuilder({ ip: '10.0.0.1', port: 40000 }, { ip: '10.0.0.2', port: 50000 });
    b.skip('c', 100);
    b.skip('s', 100);
    const { sink } = run([b.data('s', 'x'), b.data('c', 'GET /a HTTP/1.1\r\n\r\n'), b.data('s', 'HTTP/1.1 200 OK\r\n\r\n')], [http.proto]);
    expect(http.conns[0].conv).toMatchObject({ clientIp: '10.0.0.1', clientPort: 40000, serverPort: 50000 });
    expect(http.conns[0].chunks.map((x) => [x.dir, x.bytes.toString().slice(0, 8)])).toEqual([[0, 'GET /a H'], [1, 'HTTP/1.1']]);
    expect(sink.flowRecords[0]).toMatchObject({ srcPort: 40000, dstPort: 50000, packetsUp: 1, packetsDown: 2 });
  });

  it('takes the SYN sender as client even from a high port to a low one', () => {
    const p = recordingTcp('probe-any', [40000]);
    const b = new TcpConversationBuilder({ ip: '10.0.0.1', port: 60000 }, { ip: '10.0.0.2', port: 40000 });
    run([...b.handshake(), b.data('c', 'hi')], [p.proto]);
    expect(p.conns[0].conv.clientPort).toBe(60000);
    const b2 = new TcpConversationBuilder({ ip: '10.0.0.1', port: 40001 }, { ip: '10.0.0.2', port: 60001 });
    const p2 = recordingTcp('probe-any2', [40001]);
    // SYN-ACK seen first (SYN missed): its sender is the server.
    const hs = b2.handshake();
    run([hs[1], hs[2], b2.data('c', 'hi')], [p2.proto]);
    expect(p2.conns[0].conv).toMatchObject({ clientPort: 40001, serverPort: 60001 });
  });

  it('survives a protocol handler that throws, with an anomaly', () => {
    const bad: TcpProtocol = {
      name: 'probe-throws', tcpPorts: [8080],
      open() { return { data() { throw new Error('boom'); }, end() { /* nothing */ } }; },
    };
    const b = new TcpConversationBuilder(CLIENT, SERVER);
    const { sink } = run([...b.handshake(), b.data('c', 'a'), b.data('c', 'b')], [bad]);
    expect(sink.anomalyRecords).toHaveLength(1);
    expect(sink.anomalyRecords[0]).toMatchObject({ layer: 'probe-throws', frame: 4 });
    expect(sink.flowRecords[0]).toMatchObject({ app: 'probe-throws', packetsUp: 4 });
  });

  it('keeps buffer accounting right when a handler fails while buffered segments drain', () => {
    const bad: TcpProtocol = {
      name: 'probe-throws-late', tcpPorts: [8080],
      open() {
        let calls = 0;
        // Throws on the second chunk, which comes out of the out-of-order buffer.
        return { data() { if (++calls === 2) throw new Error('boom'); }, end() { /* nothing */ } };
      },
    };
    const b = new TcpConversationBuilder(CLIENT, SERVER);
    const frames = [
      ...b.handshake(),
      b.segment('c', Buffer.from('BBBB'), { rel: 4 }),
      b.segment('c', Buffer.from('CCCC'), { rel: 8 }),
      b.segment('c', Buffer.from('AAAA'), { rel: 0 }),
    ];
    const sink = new CollectingSink();
    const d = new Dissector(1, sink, { tcpProtocols: [bad], udpProtocols: [] });
    frames.forEach((f, i) => d.frame(rawFrame(i + 1, f)));
    expect(d.occupancy.outOfOrderBytes).toBe(0);
    d.finish();
    expect(sink.anomalyRecords).toHaveLength(1);
    expect(sink.flowRecords).toHaveLength(1);
  });

  it('dispatches to protocols registered in the registry', () => {
    const reg = recordingTcp('dissect-test-registry-tcp', [39999]);
    registerTcpProtocol(reg.proto);
    const b = new TcpConversationBuilder(CLIENT, { ...SERVER, port: 39999 });
    const frames = [...b.handshake(), b.data('c', 'via registry'), ...b.close()];
    const { sink } = dissectFrames(frames, LINKTYPE.ETHERNET);
    expect(streamBytes(reg.conns[0], 0).toString()).toBe('via registry');
    expect(sink.flowRecords.find((f) => f.dstPort === 39999)?.app).toBe('dissect-test-registry-tcp');
  });
});
