/** DNS, mDNS and DNS-over-TCP handlers, fed messages built byte by byte per RFC 1035/9460. */
import { describe, expect, it } from 'vitest';
import { dnsTcpProtocol, dnsUdpProtocol, MAX_QUESTIONS, mdnsProtocol } from '../../../electron/engine/protocols/dns.ts';
import { ipv6Text, NAME_BAD_LABEL, NAME_LOOP, NAME_TOO_LONG, NAME_TRUNCATED, nameResult, readName } from '../../../electron/engine/protocols/dns-wire.ts';
import type { ConversationState, PacketInfo, StreamChunkMeta, TcpConversation } from '../../../electron/engine/protocols/types.ts';
import { CollectingSink } from '../../../electron/engine/records.ts';

// ---- builders -------------------------------------------------------------------

function u16(n: number): Buffer {
  const x = Buffer.alloc(2);
  x.writeUInt16BE(n);
  return x;
}

function u32(n: number): Buffer {
  const x = Buffer.alloc(4);
  x.writeUInt32BE(n);
  return x;
}

/** Uncompressed wire name: length-prefixed labels and the root zero. */
function name(dotted: string): Buffer {
  const parts = dotted === '.' ? [] : dotted.split('.');
  return Buffer.concat([...parts.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])), Buffer.from([0])]);
}

function pointer(off: number): Buffer {
  return Buffer.from([0xc0 | (off >> 8), off & 0xff]);
}

function header(id: number, flags: number, qd: number, an: number, ns = 0, ar = 0): Buffer {
  return Buffer.concat([u16(id), u16(flags), u16(qd), u16(an), u16(ns), u16(ar)]);
}

function question(n: Buffer, type: number, cls = 1): Buffer {
  return Buffer.concat([n, u16(type), u16(cls)]);
}

function rr(n: Buffer, type: number, ttl: number, rdata: Buffer, cls = 1): Buffer {
  return Buffer.concat([n, u16(type), u16(cls), u32(ttl), u16(rdata.length), rdata]);
}

const ip4 = (s: string): Buffer => Buffer.from(s.split('.').map(Number));

// ---- harness --------------------------------------------------------------------

function pkt(frame: number, srcIp = '10.0.0.2', srcPort = 53, dstIp = '10.0.0.1', dstPort = 40000, srcMac: string | null = null): PacketInfo {
  return {
    input: 9, frame, tsSec: 1_700_000_000, tsNsec: frame, ipVersion: 4, srcIp, dstIp, srcPort, dstPort, srcMac, dstMac: null,
  };
}

function conv(): ConversationState {
  return { data: undefined, fromClient: false, clientIp: '10.0.0.1', clientPort: 40000, serverIp: '10.0.0.2', serverPort: 53 };
}

// ---- tests ----------------------------------------------------------------------

describe('dns names', () => {
  it('follows backward compression pointers', () => {
    // header(12) + "example.com" at 12 + "www" -> pointer 12
    const msg = Buffer.concat([header(1, 0, 0, 0), name('example.com'), Buffer.from([3]), Buffer.from('www'), pointer(12)]);
    const at = 12 + name('example.com').length;
    expect(readName(msg, at)).toBe('www.example.com');
    expect(nameResult).toEqual({ end: msg.length, error: null });
  });

  it('marks loops, forward pointers, cut labels, reserved label types and over-long names', () => {
    const self = Buffer.concat([header(1, 0, 1, 0), pointer(12)]);
    expect(readName(self, 12)).toBe(NAME_LOOP);
    expect(nameResult.end).toBe(14);
    expect(nameResult.error).toMatch(/loop/);

    // Two names pointing at each other: the second hop does not go backwards.
    const pingpong = Buffer.concat([header(1, 0, 0, 0), Buffer.from([1, 0x61]), pointer(16), Buffer.from([1, 0x62]), pointer(12)]);
    expect(readName(pingpong, 16)).toBe(`b.a.${NAME_LOOP}`);

    const forward = Buffer.concat([header(1, 0, 0, 0), pointer(20), Buffer.alloc(6), name('x')]);
    expect(readName(forward, 12)).toBe(NAME_LOOP);

    const cut = Buffer.concat([header(1, 0, 1, 0), Buffer.from([3, 0x61])]);
    expect(readName(cut, 12)).toBe(NAME_TRUNCATED);
    const noEnd = Buffer.concat([header(1, 0, 1, 0), Buffer.from([3]), Buffer.from('abc')]);
    expect(readName(noEnd, 12)).toBe(`abc.${NAME_TRUNCATED}`);
    expect(nameResult.end).toBe(noEnd.length);

    const reserved = Buffer.concat([header(1, 0, 1, 0), Buffer.from([2]), Buffer.from('ok'), Buffer.from([0x41, 0])]);
    expect(readName(reserved, 12)).toBe(`ok.${NAME_BAD_LABEL}`);

    const long = Buffer.concat([header(1, 0, 1, 0), name(Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.'))]);
    expect(readName(long, 12)).toBe(`${Array.from({ length: 4 }, () => 'a'.repeat(60)).join('.')}.${NAME_TOO_LONG}`);
  });

  it('escapes dots and non-printable bytes but keeps UTF-8 instance names', () => {
    const msg = Buffer.concat([
      header(1, 0, 0, 0),
      Buffer.from([3, 0x61, 0x2e, 0x01]), Buffer.from([0]),
      Buffer.from([4]), Buffer.from('José', 'utf8').subarray(0, 4), Buffer.from([0]),
    ]);
    expect(readName(msg, 12)).toBe('a\\.\\001');
    const utf = Buffer.concat([header(1, 0, 0, 0), Buffer.from([5]), Buffer.from('José', 'utf8'), Buffer.from([0])]);
    expect(readName(utf, 12)).toBe('José');
  });

  it('joins plain and escaped labels in any order, across a pointer', () => {
    const label = (b: Buffer): Buffer => Buffer.concat([Buffer.from([b.length]), b]);
    // At 12: "co m" (a space is printable, kept) then the root. At 18: "x", "a.b", "José", then a pointer to 12.
    const msg = Buffer.concat([
      header(1, 0, 0, 0),
      label(Buffer.from('co m')), Buffer.from([0]),
      label(Buffer.from('x')), label(Buffer.from('a.b')), label(Buffer.from('José', 'utf8')), pointer(12),
      // At 32: an escaped label first, then plain ones.
      label(Buffer.from([0x7f, 0x41])), label(Buffer.from('plain')), label(Buffer.from('end')), Buffer.from([0]),
    ]);
    expect(readName(msg, 18)).toBe('x.a\\.b.José.co m');
    expect(nameResult.end).toBe(32);
    expect(readName(msg, 32)).toBe('\\127A.plain.end');
    expect(nameResult.end).toBe(msg.length);
  });

  it('formats IPv6 per RFC 5952', () => {
    const v = (hex: string): string => ipv6Text(Buffer.from(hex, 'hex'), 0);
    expect(v('20010db8000000000000000000000001')).toBe('2001:db8::1');
    expect(v('20010db8000000010000000000000001')).toBe('2001:db8:0:1::1');
    expect(v('20010db8000000000001000000000001')).toBe('2001:db8::1:0:0:1');
    expect(v('00000000000000000000000000000000')).toBe('::');
    expect(v('00000000000000000000ffffc0000201')).toBe('::ffff:192.0.2.1');
    expect(v('20010db8aaaa0000bbbbccccddddeeee')).toBe('2001:db8:aaaa:0:bbbb:cccc:dddd:eeee');
  });
});

describe('dns over udp', () => {
  it('decodes a response with a CNAME chain, A, AAAA, MX, TXT and SOA answers', () => {
    const q = question(name('www.example.com'), 1);
    const wire = Buffer.concat([
      header(0xbeef, 0x8180, 1, 6),
      q,
      rr(pointer(12), 5, 300, Buffer.concat([Buffer.from([3]), Buffer.from('cdn'), pointer(16)])),
      rr(name('cdn.example.com'), 1, 60, ip4('192.0.2.7')),
      rr(pointer(12), 28, 60, Buffer.from('20010db8000000000000000000000042', 'hex')),
      rr(pointer(16), 15, 3600, Buffer.concat([u16(10), Buffer.from([4]), Buffer.from('mail'), pointer(16)])),
      rr(pointer(16), 16, 3600, Buffer.concat([Buffer.from([5]), Buffer.from('v=one'), Buffer.from([4]), Buffer.from('a"b\\')])),
      rr(pointer(16), 6, 900, Buffer.concat([name('ns1.example.com'), name('admin.example.com'), u32(2024010101), u32(7200), u32(900), u32(1209600), u32(300)])),
    ]);
    const sink = new CollectingSink();
    dnsUdpProtocol.datagram(wire, pkt(12), conv(), sink);
    expect(sink.anomalyRecords).toEqual([]);
    expect(sink.dnsRecords).toHaveLength(1);
    const r = sink.dnsRecords[0];
    expect(r).toMatchObject({
      input: 9, frame: 12, ts: 1_700_000_000_000_000_012n, srcIp: '10.0.0.1', srcPort: 40000, dstIp: '10.0.0.2', dstPort: 53,
      transport: 'udp', flavor: 'dns', id: 0xbeef, response: true, opcode: 0, rcode: 0, qname: 'www.example.com', qtype: 1,
    });
    expect(r.answers).toEqual([
      { name: 'www.example.com', type: 5, ttl: 300, data: 'cdn.example.com' },
      { name: 'cdn.example.com', type: 1, ttl: 60, data: '192.0.2.7' },
      { name: 'www.example.com', type: 28, ttl: 60, data: '2001:db8::42' },
      { name: 'example.com', type: 15, ttl: 3600, data: '10 mail.example.com' },
      { name: 'example.com', type: 16, ttl: 3600, data: '"v=one" "a\\"b\\\\"' },
      { name: 'example.com', type: 6, ttl: 900, data: 'ns1.example.com admin.example.com 2024010101 7200 900 1209600 300' },
    ]);
  });

  it('summarises HTTPS/SVCB records in presentation form', () => {
    const ech = Buffer.from('0045fe0d00410102', 'hex');
    const params = Buffer.concat([
      u16(1), u16(6), Buffer.from([2]), Buffer.from('h2'), Buffer.from([2]), Buffer.from('h3'),
      u16(3), u16(2), u16(8443),
      u16(4), u16(8), ip4('192.0.2.1'), ip4('192.0.2.2'),
      u16(5), u16(ech.length), ech,
      u16(6), u16(16), Buffer.from('20010db8000000000000000000000001', 'hex'),
      u16(65000), u16(2), Buffer.from('abcd', 'hex'),
    ]);
    const wire = Buffer.concat([
      header(7, 0x8180, 1, 2),
      question(name('svc.example'), 65),
      rr(pointer(12), 65, 120, Buffer.concat([u16(1), name('.'), params])),
      rr(pointer(12), 64, 120, Buffer.concat([u16(0), name('alias.example')])),
    ]);
    const sink = new CollectingSink();
    dnsUdpProtocol.datagram(wire, pkt(1), conv(), sink);
    expect(sink.anomalyRecords).toEqual([]);
    expect(sink.dnsRecords[0].answers.map((a) => a.data)).toEqual([
      `1 . alpn=h2,h3 port=8443 ipv4hint=192.0.2.1,192.0.2.2 ech=${ech.toString('base64')} ipv6hint=2001:db8::1 key65000=abcd`,
      '0 alias.example',
    ]);
  });

  it('emits one record per question and a qname-less record for a message without questions', () => {
    const two = Buffer.concat([header(1, 0x0100, 2, 0), question(name('a.example'), 1), question(name('b.example'), 28)]);
    const none = Buffer.concat([header(2, 0x8400, 0, 1), rr(name('c.example'), 1, 5, ip4('192.0.2.3'))]);
    const sink = new CollectingSink();
    dnsUdpProtocol.datagram(two, pkt(1, '10.0.0.1', 40000, '10.0.0.2', 53), conv(), sink);
    dnsUdpProtocol.datagram(none, pkt(2), conv(), sink);
    expect(sink.dnsRecords.map((r) => [r.qname, r.qtype, r.response, r.rcode, r.answers.length])).toEqual([
      ['a.example', 1, false, null, 0], ['b.example', 28, false, null, 0], ['', 0, true, 0, 1],
    ]);
  });

  it('gives the answers to the first question only and records at most MAX_QUESTIONS questions', () => {
    const two = Buffer.concat([
      header(4, 0x8180, 2, 2), question(name('a.example'), 1), question(name('b.example'), 1),
      rr(pointer(12), 1, 5, ip4('192.0.2.1')), rr(name('b.example'), 1, 5, ip4('192.0.2.2')),
    ]);
    const many = Buffer.concat([
      header(5, 0x8180, MAX_QUESTIONS + 4, 1),
      ...Array.from({ length: MAX_QUESTIONS + 4 }, (_, i) => question(name(`q${i}.example`), 1)),
      rr(pointer(12), 1, 5, ip4('192.0.2.3')),
    ]);
    const sink = new CollectingSink();
    dnsUdpProtocol.datagram(two, pkt(1), conv(), sink);
    dnsUdpProtocol.datagram(many, pkt(2), conv(), sink);
    expect(sink.dnsRecords.filter((r) => r.frame === 1).map((r) => [r.qname, r.answers.map((x) => x.data)])).toEqual([
      ['a.example', ['192.0.2.1', '192.0.2.2']], ['b.example', []],
    ]);
    const big = sink.dnsRecords.filter((r) => r.frame === 2);
    expect(big.map((r) => r.qname)).toEqual(Array.from({ length: MAX_QUESTIONS }, (_, i) => `q${i}.example`));
    // The answer after the skipped questions is still found.
    expect(big.map((r) => r.answers.length)).toEqual([1, ...Array<number>(MAX_QUESTIONS - 1).fill(0)]);
    expect(sink.anomalyRecords.map((a) => [a.frame, a.error])).toEqual([
      [2, `DNS message with ${MAX_QUESTIONS + 4} questions; only the first ${MAX_QUESTIONS} are recorded`],
    ]);
  });

  it('reports hostile names and still emits what was parsed', () => {
    const looping = Buffer.concat([header(0x2223, 0x0100, 1, 0), pointer(12), u16(1), u16(1)]);
    const cutAnswer = Buffer.concat([header(3, 0x8180, 1, 2), question(name('ok.example'), 1), rr(pointer(12), 1, 5, ip4('192.0.2.9')), pointer(12), u16(1)]);
    const short = Buffer.from([0, 1, 2]);
    const sink = new CollectingSink();
    dnsUdpProtocol.datagram(looping, pkt(1), conv(), sink);
    dnsUdpProtocol.datagram(cutAnswer, pkt(2), conv(), sink);
    dnsUdpProtocol.datagram(short, pkt(3), conv(), sink);
    expect(sink.dnsRecords.map((r) => [r.frame, r.qname, r.qtype, r.answers.length])).toEqual([
      [1, NAME_LOOP, 1, 0], [2, 'ok.example', 1, 1],
    ]);
    expect(sink.anomalyRecords.map((a) => [a.frame, a.layer])).toEqual([[1, 'dns'], [2, 'dns'], [3, 'dns']]);
  });

  it('turns mDNS answers for .local hosts into name records, once per conversation', () => {
    const answer = Buffer.concat([
      header(0, 0x8400, 0, 3),
      rr(name('Johns-iPhone.local'), 1, 120, ip4('192.168.1.23'), 0x8001),
      rr(pointer(12), 28, 120, Buffer.from('fe800000000000001c2a3b4c5d6e7f80', 'hex'), 0x8001),
      rr(name('printer.example'), 1, 120, ip4('192.168.1.50')),
    ]);
    const c: ConversationState = { data: undefined, fromClient: true, clientIp: '192.168.1.23', clientPort: 5353, serverIp: '224.0.0.251', serverPort: 5353 };
    const sink = new CollectingSink();
    mdnsProtocol.datagram(answer, pkt(4, '192.168.1.23', 5353, '224.0.0.251', 5353, 'aa:bb:cc:dd:ee:ff'), c, sink);
    mdnsProtocol.datagram(answer, pkt(5, '192.168.1.23', 5353, '224.0.0.251', 5353, 'aa:bb:cc:dd:ee:ff'), c, sink);
    expect(sink.dnsRecords.map((r) => [r.flavor, r.frame])).toEqual([['mdns', 4], ['mdns', 5]]);
    expect(sink.nameRecords.map((n) => [n.frame, n.source, n.name, n.ip, n.mac])).toEqual([
      [4, 'mdns', 'Johns-iPhone.local', '192.168.1.23', 'aa:bb:cc:dd:ee:ff'],
      [4, 'mdns', 'Johns-iPhone.local', 'fe80::1c2a:3b4c:5d6e:7f80', null],
    ]);
  });
});

describe('dns over tcp', () => {
  const tconv: TcpConversation = {
    input: 2, clientIp: '10.1.1.1', clientPort: 51000, serverIp: '10.1.1.53', serverPort: 53, clientMac: null, serverMac: null,
  };
  const meta = (frame: number, gapBefore = 0): StreamChunkMeta => ({ frame, tsSec: 5, tsNsec: frame, gapBefore });
  const framed = (m: Buffer): Buffer => Buffer.concat([u16(m.length), m]);
  const q1 = Buffer.concat([header(1, 0x0100, 1, 0), question(name('one.example'), 1)]);
  const q2 = Buffer.concat([header(2, 0x0100, 1, 0), question(name('two.example'), 28)]);
  const r1 = Buffer.concat([header(1, 0x8180, 1, 1), question(name('one.example'), 1), rr(pointer(12), 1, 9, ip4('198.51.100.1'))]);

  it('splits several length-prefixed messages, also when cut byte by byte', () => {
    const client = Buffer.concat([framed(q1), framed(q2)]);
    for (const size of [client.length, 1, 3, 17]) {
      const sink = new CollectingSink();
      const h = dnsTcpProtocol.open(tconv, sink);
      let frame = 10;
      for (let off = 0; off < client.length; off += size) h.data(0, client.subarray(off, off + size), meta(frame++));
      h.data(1, framed(r1), meta(frame));
      h.end();
      expect(sink.anomalyRecords).toEqual([]);
      const firstOfQ2 = 10 + Math.floor((q1.length + 2) / size);
      expect(sink.dnsRecords.map((r) => [r.qname, r.response, r.frame, r.transport])).toEqual([
        ['one.example', false, 10, 'tcp'], ['two.example', false, firstOfQ2, 'tcp'], ['one.example', true, frame, 'tcp'],
      ]);
      expect(sink.dnsRecords[2]).toMatchObject({ srcIp: '10.1.1.1', dstIp: '10.1.1.53', dstPort: 53 });
      expect(sink.dnsRecords[2].answers).toEqual([{ name: 'one.example', type: 1, ttl: 9, data: '198.51.100.1' }]);
    }
  });

  it('drops a message cut by a gap and resynchronises on a plausible message start', () => {
    const sink = new CollectingSink();
    const h = dnsTcpProtocol.open(tconv, sink);
    const f1 = framed(q1);
    h.data(0, f1.subarray(0, 10), meta(1));
    // Middle of nowhere after a gap: not a message start, skipped.
    h.data(0, Buffer.from('garbage bytes'), meta(2, 100));
    h.data(0, framed(q2), meta(3));
    h.data(0, f1.subarray(0, 5), meta(4));
    h.end();
    expect(sink.dnsRecords.map((r) => [r.qname, r.frame])).toEqual([['two.example', 3]]);
    expect(sink.anomalyRecords.map((a) => [a.frame, a.layer])).toEqual([[2, 'dns'], [4, 'dns']]);
  });
});
