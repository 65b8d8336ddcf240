/**
 * Review finding: quic.ts writes anomalies straight to the sink with no cap. A bad long
 * header is reported for every datagram of a conversation (the per-side `done` flags are
 * only checked after the header parsed), so a flood of broken QUIC datagrams on UDP 443
 * writes one anomaly row per packet. DNS, DHCP, NBNS and HTTP cap theirs at
 * ANOMALIES_PER_LAYER per input (anomaly-cap.ts) precisely to avoid this; QUIC (and
 * TLS, which also calls sink.anomaly directly) should do the same.
 */
import { describe, expect, it } from 'vitest';
import { Dissector } from '../../electron/engine/dissect/dissector.ts';
import { ANOMALIES_PER_LAYER } from '../../electron/engine/protocols/anomaly-cap.ts';
import '../../electron/engine/protocols/index.ts';
import { CollectingSink } from '../../electron/engine/records.ts';
import { frame, udp } from './review-bytes.ts';

/** A QUIC v1 Initial long header whose Length (1024) overruns the 40-byte datagram. */
function brokenInitial(): Buffer {
  const b = Buffer.alloc(40);
  b[0] = 0xc3; // long header, fixed bit, type Initial (v1), pn length 4
  b.writeUInt32BE(1, 1); // version 1
  b[5] = 8; // DCID length
  for (let i = 0; i < 8; i++) b[6 + i] = 0x11 * (i + 1);
  b[14] = 0; // SCID length
  b[15] = 0; // token length
  b.writeUInt16BE(0x4400, 16); // Length varint: 1024
  return b;
}

describe('review: QUIC anomaly flood', () => {
  it('caps the anomalies of broken QUIC datagrams per input like the other protocols do', () => {
    const sink = new CollectingSink();
    const d = new Dissector(1, sink);
    const n = 3 * ANOMALIES_PER_LAYER;
    for (let i = 1; i <= n; i++) d.frame(frame(i, udp('192.168.1.2', 50000, '203.0.113.9', 443, brokenInitial()), 1_600_000_000, i));
    d.finish();
    const quic = sink.anomalyRecords.filter((a) => a.layer === 'quic');
    expect(quic.length).toBeGreaterThan(0);
    expect(quic.length).toBeLessThanOrEqual(ANOMALIES_PER_LAYER + 1);
  });
});
