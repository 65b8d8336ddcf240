/**
 * Review finding (docs vs code): the docs said DNS `src`/`dst` were "sender → receiver",
 * while the code orients every record client → server. The docs were changed
 * (docs/export-format.md): a query and its response share the same endpoints, querier
 * first, so a response can be matched to its query and to the device that asked.
 */
import { describe, expect, it } from 'vitest';
import { Dissector } from '../../electron/engine/dissect/dissector.ts';
import '../../electron/engine/protocols/index.ts';
import { CollectingSink } from '../../electron/engine/records.ts';
import { dnsAnswerA, dnsHeader, dnsQuestion, frame, udp } from './review-bytes.ts';

describe('review: DNS record endpoints', () => {
  it('orients queries and responses alike: querier → resolver (docs/export-format.md)', () => {
    const q = Buffer.concat([dnsHeader(7, 0x0100, 1, 0), dnsQuestion('a.example')]);
    const r = Buffer.concat([dnsHeader(7, 0x8180, 1, 1), dnsQuestion('a.example'), dnsAnswerA('198.51.100.7')]);
    const sink = new CollectingSink();
    const d = new Dissector(1, sink);
    d.frame(frame(1, udp('192.168.1.2', 40000, '8.8.8.8', 53, q)));
    d.frame(frame(2, udp('8.8.8.8', 53, '192.168.1.2', 40000, r)));
    d.finish();
    const resp = sink.dnsRecords.find((x) => x.response);
    expect(resp).toBeDefined();
    const query = sink.dnsRecords.find((x) => !x.response);
    expect([resp?.srcIp, resp?.srcPort, resp?.dstIp, resp?.dstPort]).toEqual(['192.168.1.2', 40000, '8.8.8.8', 53]);
    expect([query?.srcIp, query?.srcPort, query?.dstIp, query?.dstPort]).toEqual(['192.168.1.2', 40000, '8.8.8.8', 53]);
  });
});
