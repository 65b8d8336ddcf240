/**
 * The dissector over real captures (read by the project's pcap/pcapng readers),
 * checked against the tshark ground truth kept next to each file.
 */
import { describe, expect, it } from 'vitest';
import type { StreamDir } from '../../../electron/engine/protocols/types.ts';
import { dissectCorpus, recordingTcp, streamBytes, truth } from './helpers.ts';
import type { RecordedConn } from './helpers.ts';

interface TruthRequest { frame: number; method: string; host: string; uri: string; version: string }

const isGet = (b: Buffer): boolean => /^(GET|POST|HEAD|PUT|DELETE|OPTIONS) \S+ HTTP\/1\.[01]\r\n/.test(b.toString('latin1', 0, Math.min(b.length, 200)));
const isClientHello = (b: Buffer, dir: StreamDir): boolean => dir === 0 && b.length >= 6 && b[0] === 0x16 && b[1] === 3 && b[5] === 1;

/** A protocol that takes every TCP connection from its first byte. */
function everything() {
  return recordingTcp('probe-all', [], () => true);
}

/** Count TLS ClientHello handshake records by walking the record layer from the stream start. */
function countClientHellos(s: Buffer): number {
  let n = 0;
  for (let p = 0; p + 5 <= s.length;) {
    if (s[p] < 20 || s[p] > 24 || s[p + 1] !== 3) break;
    const len = s.readUInt16BE(p + 3);
    if (s[p] === 22 && p + 5 < s.length && s[p + 5] === 1) n++;
    p += 5 + len;
  }
  return n;
}

describe('corpus captures', () => {
  // dns_over_tcp is a collage: one 5-tuple appears at epoch 0, in Dec 2020 and in Feb 2021.
  // Idle expiry (by capture time) rightly splits it; tshark never expires conversations.
  const files = [
    'generated__tls-keylog.pcap', 'illustrated-quic__capture.pcap', 'illustrated-tls13__capture.pcap', 'ndpi__doq-dsb.pcapng',
    'ndpi__http_ipv6.pcap', 'ndpi__quic-v2-dsb.pcapng', 'pcapplusplus__example.pcap', 'pcapplusplus__nanosecs_big_endian.pcap',
    'pcapplusplus__pcapng-example.pcapng', 'tcpdump__LINKTYPE_IPV6.pcap', 'tcpdump__pptp.pcap', 'tcpdump__tcp-handshake-nano.pcap',
    'zeek__basic-auth-with-colon.pcap', 'zeek__dns-ech.pcap', 'zeek__dns-invalid-names.pcap', 'zeek__get-to-ssh-server.pcap',
    'zeek__http-body-match.pcap', 'zeek__http-get-gzip.pcap', 'zeek__http-pipelined-requests.pcap', 'zeek__http-qinq-0.pcap',
    'zeek__http-vlan-0.pcap', 'zeek__ipv6-http-atomic-frag.pcap', 'zeek__irc-starttls.pcap', 'zeek__linux_dlt_sll2.pcap',
    'zeek__openjdk-zeek.org-sll2.pcap', 'zeek__pcapng-multi-interface.pcapng', 'zeek__quic-curl-http3-google-de.pcap',
    'zeek__quic-multi-initial-fragmented.pcap', 'zeek__tls-ml-dsa-44-cert.pcap', 'zeek__tls12-chrome-34-google.pcap',
    'zeek__tls13-chrome-kyber.pcap',
  ];
  it.each(files)('%s: TCP and UDP conversation counts match tshark', (file) => {
    const t = truth(file);
    const { sink, frames } = dissectCorpus(file, { tcpProtocols: [], udpProtocols: [] });
    expect(frames).toBe(t.packet_count);
    const tcp = sink.flowRecords.filter((f) => f.proto === 'tcp').length;
    const udp = sink.flowRecords.filter((f) => f.proto === 'udp').length;
    expect(tcp).toBe(t.tcp_conversations ?? 6);
    expect(udp).toBe(t.udp_conversations ?? 0);
  });

  it.each([
    'zeek__http-pipelined-requests.pcap', 'pcapplusplus__example.pcap', 'zeek__http-body-match.pcap', 'zeek__http-get-gzip.pcap',
    'zeek__basic-auth-with-colon.pcap', 'pcapplusplus__nanosecs_big_endian.pcap', 'zeek__http-vlan-0.pcap', 'zeek__http-qinq-0.pcap',
  ])('%s: every HTTP request tshark saw is in a reassembled client stream', (file) => {
    const reqs = truth(file).http_requests as TruthRequest[];
    const all = everything();
    dissectCorpus(file, { tcpProtocols: [all.proto], udpProtocols: [] });
    const client = all.conns.map((c) => streamBytes(c, 0).toString('latin1')).join('\n');
    const want = new Map<string, number>();
    for (const r of reqs) {
      const line = `${r.method} ${r.uri} ${r.version}\r\n`;
      want.set(line, (want.get(line) ?? 0) + 1);
    }
    for (const [line, n] of want) {
      const found = client.split(line).length - 1;
      expect(found, line).toBeGreaterThanOrEqual(n);
    }
  });

  it('zeek__http-pipelined-requests.pcap: one connection carrying the five pipelined requests in order', () => {
    const file = 'zeek__http-pipelined-requests.pcap';
    const t = truth(file);
    const all = everything();
    const { sink } = dissectCorpus(file, { tcpProtocols: [all.proto], udpProtocols: [] });
    expect(sink.flowRecords.filter((f) => f.proto === 'tcp')).toHaveLength(t.tcp_conversations as number);
    const s = streamBytes(all.conns[0], 0).toString('latin1');
    const positions = (t.http_requests as TruthRequest[]).map((r) => s.indexOf(`${r.method} ${r.uri} `));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(sink.flowRecords[0].gapBytes).toBe(0);
  });

  it.each(['zeek__http-vlan-0.pcap', 'zeek__http-qinq-0.pcap'])('%s: VLAN-tagged traffic reaches TCP port 80 with the GET', (file) => {
    const t = truth(file);
    const all = everything();
    const { sink } = dissectCorpus(file, { tcpProtocols: [all.proto], udpProtocols: [] });
    expect(sink.flowRecords).toHaveLength(1);
    expect(sink.flowRecords[0]).toMatchObject({ proto: 'tcp', dstPort: 80, app: 'probe-all' });
    const r = (t.http_requests as TruthRequest[])[0];
    const s = streamBytes(all.conns[0], 0).toString('latin1');
    expect(s.startsWith(`${r.method} ${r.uri} ${r.version}\r\n`)).toBe(true);
    expect(s).toContain(`Host: ${r.host}\r\n`);
  });

  it('zeek__linux_dlt_sll2.pcap parses without anomalies', () => {
    const t = truth('zeek__linux_dlt_sll2.pcap');
    const { sink, d } = dissectCorpus('zeek__linux_dlt_sll2.pcap', { tcpProtocols: [], udpProtocols: [] });
    expect(sink.anomalyRecords).toEqual([]);
    expect(d.stats.ipv6).toBe(t.ipv6_frames);
    expect(d.stats.icmp).toBe(d.stats.ipv4 + d.stats.ipv6);
  });

  it('zeek__ipv4-truncated-broken-header.pcap gives an ipv4 anomaly for the broken frame', () => {
    const t = truth('zeek__ipv4-truncated-broken-header.pcap');
    const { sink } = dissectCorpus('zeek__ipv4-truncated-broken-header.pcap', { tcpProtocols: [], udpProtocols: [] });
    expect(t.malformed_or_error_frames).toBe(1);
    expect(sink.anomalyRecords.map((a) => [a.layer, a.frame])).toEqual([['ipv4', 1]]);
  });

  it('zeek__ipv6-http-atomic-frag.pcap: atomic fragments carry HTTP to port 80', () => {
    const t = truth('zeek__ipv6-http-atomic-frag.pcap');
    const all = everything();
    const { sink, d } = dissectCorpus('zeek__ipv6-http-atomic-frag.pcap', { tcpProtocols: [all.proto], udpProtocols: [] });
    expect(d.stats.ipv6).toBe(t.ipv6_frames);
    expect(sink.flowRecords).toHaveLength(t.tcp_conversations as number);
    expect(sink.flowRecords.every((f) => f.dstPort === 80)).toBe(true);
    // The requests are HTTP/0.9 style ("GET /bad.html"), one per connection.
    expect(all.conns.map((c) => streamBytes(c, 0).toString('latin1'))).toEqual(Array(4).fill('GET /bad.html\r\n'));
    expect(sink.anomalyRecords).toEqual([]);
  });

  it('zeek__get-to-ssh-server.pcap: the HTTP heuristic wins over the port-22 binding', () => {
    const ssh = recordingTcp('probe-ssh', [22]);
    const http = recordingTcp('probe-http', [80], (b, dir) => dir === 0 && isGet(b));
    const { sink } = dissectCorpus('zeek__get-to-ssh-server.pcap', { tcpProtocols: [ssh.proto, http.proto], udpProtocols: [] });
    expect(ssh.conns).toHaveLength(0);
    expect(http.conns).toHaveLength(1);
    expect(http.conns[0].conv.serverPort).toBe(22);
    expect(sink.flowRecords[0]).toMatchObject({ app: 'probe-http', dstPort: 22 });
  });

  it('zeek__irc-starttls.pcap: the ClientHello after plaintext IRC is still found', () => {
    const tls = recordingTcp('probe-tls', [443], isClientHello);
    const { sink } = dissectCorpus('zeek__irc-starttls.pcap', { tcpProtocols: [tls.proto], udpProtocols: [] });
    expect(tls.conns).toHaveLength(1);
    const c: RecordedConn = tls.conns[0];
    const first = c.chunks[0];
    expect(first.dir).toBe(0);
    expect(countClientHellos(streamBytes(c, 0))).toBe(1);
    expect(first.meta.frame).toBeGreaterThan(1);
    expect(sink.flowRecords[0].app).toBe('probe-tls');
  });

  it.each([
    'ndpi__http_ipv6.pcap', 'pcapplusplus__example.pcap', 'zeek__openjdk-zeek.org-sll2.pcap', 'zeek__tls12-chrome-34-google.pcap',
    'zeek__tls13-chrome-kyber.pcap', 'illustrated-tls13__capture.pcap', 'zeek__tls-ml-dsa-44-cert.pcap',
  ])('%s: as many TLS ClientHellos in reassembled streams as tshark counts', (file) => {
    const t = truth(file);
    const tls = recordingTcp('probe-tls', [], isClientHello);
    dissectCorpus(file, { tcpProtocols: [tls.proto], udpProtocols: [] });
    const n = tls.conns.reduce((sum, c) => sum + countClientHellos(streamBytes(c, 0)), 0);
    expect(n).toBe(t.tls_clienthello_count);
  });

  it('reads every corpus capture without throwing and without unexpected anomalies', () => {
    for (const file of files) {
      const { sink } = dissectCorpus(file, { tcpProtocols: [everything().proto], udpProtocols: [] });
      const bad = sink.anomalyRecords.filter((a) => !/snapshot length/.test(a.error));
      expect(bad, file).toEqual([]);
    }
  });
});
