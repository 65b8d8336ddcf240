/** DHCP handler, fed BOOTP/DHCP messages built byte by byte per RFC 2131/2132 (and RFC 4702 for option 81). */
import { describe, expect, it } from 'vitest';
import { dhcpProtocol } from '../../../electron/engine/protocols/dhcp.ts';
import type { ConversationState, PacketInfo } from '../../../electron/engine/protocols/types.ts';
import { CollectingSink } from '../../../electron/engine/records.ts';

const ip4 = (s: string): Buffer => Buffer.from(s.split('.').map(Number));
const mac = (s: string): Buffer => Buffer.from(s.split(':').map((h) => parseInt(h, 16)));
const opt = (code: number, value: Buffer | string): Buffer => {
  const v = typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
  return Buffer.concat([Buffer.from([code, v.length]), v]);
};

interface Bootp {
  op: 1 | 2;
  xid: number;
  chaddr: string;
  ciaddr?: string;
  yiaddr?: string;
  sname?: Buffer;
  file?: Buffer;
  options: Buffer[];
  /** Leave out the END option. */
  noEnd?: boolean;
}

/** The 236-byte fixed BOOTP part (RFC 2131 figure 1), the magic cookie, then options. */
function bootp(m: Bootp): Buffer {
  const fixed = Buffer.alloc(236);
  fixed[0] = m.op;
  fixed[1] = 1; // htype Ethernet
  fixed[2] = 6; // hlen
  fixed.writeUInt32BE(m.xid, 4);
  fixed.writeUInt16BE(0x8000, 10); // broadcast flag
  ip4(m.ciaddr ?? '0.0.0.0').copy(fixed, 12);
  ip4(m.yiaddr ?? '0.0.0.0').copy(fixed, 16);
  mac(m.chaddr).copy(fixed, 28);
  m.sname?.copy(fixed, 44);
  m.file?.copy(fixed, 108);
  return Buffer.concat([fixed, Buffer.from([99, 130, 83, 99]), ...m.options, m.noEnd ? Buffer.alloc(0) : Buffer.from([255])]);
}

function pkt(frame: number, input = 4): PacketInfo {
  return {
    input, frame, tsSec: 1_650_000_000, tsNsec: 0, ipVersion: 4, srcIp: '0.0.0.0', dstIp: '255.255.255.255',
    srcPort: 68, dstPort: 67, srcMac: '3c:22:fb:01:02:03', dstMac: 'ff:ff:ff:ff:ff:ff',
  };
}

const conv: ConversationState = { data: undefined, fromClient: true, clientIp: '0.0.0.0', clientPort: 68, serverIp: '255.255.255.255', serverPort: 67 };
const CLIENT = '3c:22:fb:01:02:03';

describe('dhcp', () => {
  it('names the client of a DISCOVER: host name, vendor class, requested address', () => {
    const sink = new CollectingSink();
    dhcpProtocol.datagram(bootp({
      op: 1, xid: 0x11223344, chaddr: CLIENT,
      options: [
        opt(53, Buffer.from([1])),
        opt(61, Buffer.concat([Buffer.from([1]), mac(CLIENT)])),
        opt(50, ip4('192.168.1.77')),
        opt(12, 'Galaxy-S21\0'),
        opt(60, 'android-dhcp-13'),
        opt(55, Buffer.from([1, 3, 6, 15])),
      ],
    }), pkt(1), conv, sink);
    expect(sink.anomalyRecords).toEqual([]);
    expect(sink.nameRecords).toEqual([{
      input: 4, frame: 1, ts: 1_650_000_000_000_000_000n, ip: '192.168.1.77', mac: CLIENT, name: 'Galaxy-S21',
      source: 'dhcp', vendorClass: 'android-dhcp-13',
    }]);
  });

  it('gives the leased address to the name the client sent under the same xid', () => {
    const sink = new CollectingSink();
    dhcpProtocol.datagram(bootp({ op: 1, xid: 7, chaddr: CLIENT, options: [opt(53, Buffer.from([3])), opt(12, 'laptop')] }), pkt(1), conv, sink);
    // OFFER is only a proposal: no record.
    dhcpProtocol.datagram(bootp({ op: 2, xid: 7, chaddr: CLIENT, yiaddr: '10.9.8.7', options: [opt(53, Buffer.from([2]))] }), pkt(2), conv, sink);
    dhcpProtocol.datagram(bootp({ op: 2, xid: 7, chaddr: CLIENT, yiaddr: '10.9.8.7', options: [opt(53, Buffer.from([5])), opt(1, ip4('255.255.255.0'))] }), pkt(3), conv, sink);
    expect(sink.nameRecords.map((n) => [n.frame, n.name, n.ip, n.mac])).toEqual([
      [1, 'laptop', null, CLIENT],
      [3, 'laptop', '10.9.8.7', CLIENT],
    ]);
  });

  it('reads the client FQDN option in ASCII and in wire format, and ciaddr on renewals', () => {
    const sink = new CollectingSink();
    const wireName = Buffer.from([4, ...Buffer.from('desk'), 4, ...Buffer.from('corp'), 0]);
    dhcpProtocol.datagram(bootp({
      op: 1, xid: 8, chaddr: CLIENT, ciaddr: '10.0.0.44',
      options: [opt(53, Buffer.from([3])), opt(81, Buffer.concat([Buffer.from([0x05, 0, 0]), wireName]))],
    }), pkt(1), conv, sink);
    dhcpProtocol.datagram(bootp({
      op: 1, xid: 9, chaddr: CLIENT,
      options: [opt(53, Buffer.from([1])), opt(81, Buffer.concat([Buffer.from([0x01, 0, 0]), Buffer.from('host.ascii.example')]))],
    }), pkt(2), conv, sink);
    expect(sink.nameRecords.map((n) => [n.name, n.ip])).toEqual([['desk.corp', '10.0.0.44'], ['host.ascii.example', null]]);
  });

  it('reads options overloaded into the file field (option 52)', () => {
    const file = Buffer.concat([opt(12, 'overloaded'), Buffer.from([255])]);
    const sink = new CollectingSink();
    dhcpProtocol.datagram(bootp({ op: 1, xid: 10, chaddr: CLIENT, file, options: [opt(53, Buffer.from([1])), opt(52, Buffer.from([1]))] }), pkt(1), conv, sink);
    expect(sink.anomalyRecords).toEqual([]);
    expect(sink.nameRecords.map((n) => n.name)).toEqual(['overloaded']);
  });

  it('reports malformed options and keeps the ones before them', () => {
    const sink = new CollectingSink();
    // Host name fine, then an option claiming 40 bytes with 3 left.
    const broken = Buffer.concat([bootp({ op: 1, xid: 11, chaddr: CLIENT, options: [opt(12, 'partial')], noEnd: true }), Buffer.from([60, 40, 1, 2, 3])]);
    dhcpProtocol.datagram(broken, pkt(1), conv, sink);
    dhcpProtocol.datagram(bootp({ op: 1, xid: 12, chaddr: CLIENT, options: [opt(53, Buffer.from([1, 2]))] }), pkt(2), conv, sink);
    dhcpProtocol.datagram(Buffer.alloc(100), pkt(3), conv, sink);
    expect(sink.nameRecords.map((n) => n.name)).toEqual(['partial']);
    expect(sink.anomalyRecords.map((a) => [a.frame, a.layer])).toEqual([[1, 'dhcp'], [2, 'dhcp'], [3, 'dhcp']]);
    expect(sink.anomalyRecords[0].error).toMatch(/option 60/);
    expect(sink.anomalyRecords[1].error).toMatch(/option 53/);
  });

  it('is silent for plain BOOTP and nameless messages', () => {
    const sink = new CollectingSink();
    const plain = bootp({ op: 1, xid: 13, chaddr: CLIENT, options: [] }).subarray(0, 300);
    plain.fill(0, 236);
    dhcpProtocol.datagram(plain, pkt(1), conv, sink);
    dhcpProtocol.datagram(bootp({ op: 1, xid: 14, chaddr: CLIENT, options: [opt(53, Buffer.from([1]))] }), pkt(2), conv, sink);
    expect(sink.nameRecords).toEqual([]);
    expect(sink.anomalyRecords).toEqual([]);
  });
});
