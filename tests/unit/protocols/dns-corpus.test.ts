/**
 * DNS through the real pipeline (reader → dissector → dns.ts) on every corpus capture
 * that tshark finds DNS in, compared with the tshark 4.0.17 sidecars.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../../../electron/engine/protocols/index.ts';
import { dissectCorpus } from '../dissect/helpers.ts';
import { NAME_LOOP, NAME_TRUNCATED } from '../../../electron/engine/protocols/dns-wire.ts';
import type { CollectingSink, DnsRecord } from '../../../electron/engine/records.ts';

const CORPUS = join(import.meta.dirname, '../../fixtures/corpus');

/** Run a capture file through the reader and the dissector into a collecting sink. */
function runCapture(file: string): CollectingSink {
  return dissectCorpus(file).sink;
}

interface AnswerTruth { a: string[]; aaaa: string[]; cname: string[]; responses: number }
interface MessageTruth { frame: number; response: boolean; transport: string; qry_name: string[]; a: string[]; aaaa: string[] }
interface Truth {
  dns_query_names?: string[];
  dns_answer_section?: Record<string, AnswerTruth>;
  dns_messages?: MessageTruth[];
}

/** tshark's wording for a looping compression pointer, and ours. */
const TSHARK_LOOP = '<Name contains a pointer that loops>';
const mapTshark = (n: string): string => (n === TSHARK_LOOP ? NAME_LOOP : n);

// DNS-over-QUIC lives inside encrypted QUIC: the QUIC module's business, not this one.
const NOT_PLAIN_DNS = new Set(['ndpi__doq-dsb.pcapng']);

const cases = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.truth.json'))
  .map((f) => ({ file: f.slice(0, -'.truth.json'.length), truth: JSON.parse(readFileSync(join(CORPUS, f), 'utf8')) as Truth }))
  .filter((c) => (c.truth.dns_query_names?.length ?? 0) > 0 && !NOT_PLAIN_DNS.has(c.file));

const sorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();

describe('dns on the corpus', () => {
  it('covers the captures named in the task', () => {
    expect(cases.map((c) => c.file)).toEqual(expect.arrayContaining([
      'pcapplusplus__dns_over_tcp.pcapng', 'pcapplusplus__example.pcap', 'zeek__dns-ech.pcap',
      'zeek__dns-invalid-names.pcap', 'zeek__pcapng-multi-interface.pcapng',
    ]));
  });

  for (const { file, truth } of cases) {
    describe(file, () => {
      const sink = runCapture(file);
      // tshark lists no name at all for a question cut short; we keep the part read
      // plus a marker and report an anomaly, so those are compared separately below.
      const cut = (r: DnsRecord): boolean => r.qname.includes(NAME_TRUNCATED);

      it('finds the same query names', () => {
        const ours = sorted(sink.dnsRecords.filter((r) => r.qname !== '' && !cut(r)).map((r) => r.qname));
        expect(ours).toEqual(sorted(truth.dns_query_names!.map(mapTshark)));
      });

      it('finds the same A, AAAA and CNAME answers per query name', () => {
        const expected = truth.dns_answer_section ?? {};
        const got: Record<string, { a: string[]; aaaa: string[]; cname: string[] }> = {};
        for (const qname of Object.keys(expected)) {
          const rs = sink.dnsRecords.filter((r) => r.response && r.qname === mapTshark(qname));
          const pick = (type: number): string[] => sorted(rs.flatMap((r) => r.answers.filter((a) => a.type === type).map((a) => a.data)));
          got[qname] = { a: pick(1), aaaa: pick(28), cname: pick(5) };
        }
        const want = Object.fromEntries(Object.entries(expected).map(([q, t]) => [q, { a: sorted(t.a), aaaa: sorted(t.aaaa), cname: sorted(t.cname) }]));
        expect(got).toEqual(want);
      });

      it('agrees message by message on the frames tshark lists', () => {
        for (const m of truth.dns_messages ?? []) {
          const rs = sink.dnsRecords.filter((r) => r.frame === m.frame && r.transport === m.transport);
          expect(rs.length, `frame ${m.frame}`).toBeGreaterThan(0);
          if (m.qry_name.length === 0) {
            // tshark could not read the question: ours must be marked and reported.
            expect(rs.every(cut), `frame ${m.frame}`).toBe(true);
            expect(sink.anomalyRecords.some((a) => a.frame === m.frame && a.layer === 'dns'), `frame ${m.frame}`).toBe(true);
            continue;
          }
          expect(rs.map((r) => r.qname), `frame ${m.frame}`).toEqual(m.qry_name.map(mapTshark));
          expect(rs.every((r) => r.response === m.response), `frame ${m.frame}`).toBe(true);
          const answers = rs[0].answers;
          expect(sorted(answers.filter((a) => a.type === 1).map((a) => a.data)), `frame ${m.frame}`).toEqual(sorted(m.a));
          expect(sorted(answers.filter((a) => a.type === 28).map((a) => a.data)), `frame ${m.frame}`).toEqual(sorted(m.aaaa));
        }
      });
    });
  }

  it('reports the looping pointer of zeek__dns-invalid-names.pcap and keeps its query type', () => {
    const sink = runCapture('zeek__dns-invalid-names.pcap');
    const loop = sink.dnsRecords.find((r) => r.qname === NAME_LOOP);
    expect(loop).toMatchObject({ frame: 2, qtype: 1, response: false });
    expect(sink.anomalyRecords.filter((a) => a.layer === 'dns').map((a) => a.frame).sort()).toEqual([1, 2, 3]);
  });

  it('summarises the HTTPS records of zeek__dns-ech.pcap with their ECH configs', () => {
    const sink = runCapture('zeek__dns-ech.pcap');
    const https = sink.dnsRecords.filter((r) => r.response).flatMap((r) => r.answers).filter((a) => a.type === 65);
    expect(https.map((a) => a.name).sort()).toEqual(['cloudflare-ech.com', 'defo.ie']);
    for (const a of https) expect(a.data).toMatch(/^1 \. (alpn=[^ ]+ )?ipv4hint=[0-9.,]+ ech=[A-Za-z0-9+/=]+ ipv6hint=[0-9a-f:,]+$/);
    // The ECH value is the base64 of an ECHConfigList: a 2-byte length, then configs of version 0xfe0d.
    for (const a of https) {
      const ech = Buffer.from(/ech=([^ ]+)/.exec(a.data)![1], 'base64');
      expect(ech.readUInt16BE(0)).toBe(ech.length - 2);
      expect(ech.readUInt16BE(2)).toBe(0xfe0d);
    }
  });
});
