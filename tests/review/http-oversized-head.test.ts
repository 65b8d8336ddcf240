/**
 * Review finding: an HTTP request whose head exceeds HEAD_CAP (64 KiB, e.g. one huge
 * header line) is dropped entirely: http1.ts requestAt() reports "request head longer
 * than the head cap; resynchronising" and emits no HttpRecord, although the request
 * line (method, URI with its query string) and the Host header were complete in the
 * buffer. A sender can hide a request, and the data in its URI, from the case by padding
 * one header. Tolerant parsing should keep what was read (request line, headers up to
 * the cap) as a truncated record.
 */
import { describe, expect, it } from 'vitest';
import { Dissector } from '../../electron/engine/dissect/dissector.ts';
import '../../electron/engine/protocols/index.ts';
import { CollectingSink } from '../../electron/engine/records.ts';
import { ACK, PSH, SYN, frame, tcp } from './review-bytes.ts';

describe('review: HTTP request with an oversized head', () => {
  it('still records the request line and Host, marked truncated', () => {
    const C = '192.168.1.2';
    const S = '203.0.113.80';
    const req = Buffer.from(`GET /track?email=alice%40example.org HTTP/1.1\r\nHost: a.example\r\nX-Pad: ${'A'.repeat(100_000)}\r\n\r\n`);
    const frames = [
      tcp(C, 40000, S, 80, 1000, 0, SYN),
      tcp(S, 80, C, 40000, 5000, 1001, SYN | ACK),
      tcp(C, 40000, S, 80, 1001, 5001, ACK),
    ];
    let seq = 1001;
    for (let off = 0; off < req.length; off += 1400) {
      const part = req.subarray(off, off + 1400);
      frames.push(tcp(C, 40000, S, 80, seq, 5001, ACK | PSH, part));
      seq += part.length;
    }
    const sink = new CollectingSink();
    const d = new Dissector(1, sink);
    frames.forEach((f, i) => d.frame(frame(i + 1, f, 1_600_000_000, i * 1000)));
    d.finish();
    expect(sink.anomalyRecords.some((a) => a.layer === 'http')).toBe(true);
    expect(sink.httpRecords.length).toBe(1);
    const r = sink.httpRecords[0];
    expect([r.method, r.host, r.uri, r.frame]).toEqual(['GET', 'a.example', '/track?email=alice%40example.org', 4]);
    expect(r.truncated).toBe(true);
  });
});
