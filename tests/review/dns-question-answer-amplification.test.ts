/**
 * Review finding: one DNS message with Q questions and A answers becomes Q DnsRecords
 * that each carry all A answers; the store serialises the answers once per record, so
 * stored data grows with Q×A. A single 62 KB UDP datagram (6000 root questions, 2000
 * answers) produced a 578 MB case and a 601 MB JSON export (780 MB RSS) end to end.
 * Stored answer entries must stay linear in the size of the message.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Dissector } from '../../electron/engine/dissect/dissector.ts';
import '../../electron/engine/protocols/index.ts';
import { CaseStore } from '../../electron/engine/store/case-store.ts';
import { dnsAnswerA, dnsHeader, dnsQuestion, frame, udp } from './review-bytes.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('review: DNS question × answer amplification', () => {
  it('stores each answer of a message a bounded number of times, however many questions it claims', () => {
    const Q = 200;
    const A = 200;
    const questions: Buffer[] = [];
    for (let i = 0; i < Q; i++) questions.push(dnsQuestion('.'));
    const answers: Buffer[] = [];
    for (let i = 0; i < A; i++) answers.push(dnsAnswerA(`10.0.${i >> 8}.${i & 255}`));
    const msg = Buffer.concat([dnsHeader(0x1234, 0x8180, Q, A), ...questions, ...answers]);

    const dir = mkdtempSync(join(tmpdir(), 'review-dns-amp-'));
    dirs.push(dir);
    const store = CaseStore.open(join(dir, 'case.db'), { create: true });
    try {
      const input = store.addInput(join(dir, 'x.pcap'));
      const d = new Dissector(input, store);
      d.frame(frame(1, udp('8.8.8.8', 53, '192.168.1.2', 40000, msg)));
      d.finish();
      store.flush();
      const stored = store.db.prepare('SELECT coalesce(sum(json_array_length(answers)), 0) FROM dns').pluck().get() as number;
      const bytes = store.db.prepare('SELECT coalesce(sum(length(answers)), 0) FROM dns').pluck().get() as number;
      // Every answer takes at least 12 bytes on the wire: a linear design stores far fewer
      // entries than the message has bytes. Today: Q×A = 40 000 entries from a 4.2 KB message.
      expect(stored).toBeLessThanOrEqual(msg.length);
      expect(bytes).toBeLessThanOrEqual(64 * msg.length);
    } finally {
      store.close();
    }
  });
});
