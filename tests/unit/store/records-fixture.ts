/** Builders of engine records for store tests: every field set, overridable. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import type { DnsRecord, FlowRecord, HttpRecord, NameRecord, TlsRecord } from '../../../electron/engine/records.ts';
import type { InputSummary } from '../../../electron/engine/import/types.ts';

/** A fresh directory for one test's files, removed when the test ends (call it inside a test). */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'telltale-store-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function dnsRecord(o: Partial<DnsRecord> = {}): DnsRecord {
  return {
    input: 1, frame: 1, entry: null, ts: 1_600_000_000_123_456_789n,
    srcIp: '10.0.0.2', srcPort: 53000, dstIp: '10.0.0.1', dstPort: 53,
    transport: 'udp', flavor: 'dns', id: 0x1234, response: false, opcode: 0, rcode: null,
    qname: 'example.com', qtype: 1, answers: [],
    ...o,
  };
}

export function tlsRecord(o: Partial<TlsRecord> = {}): TlsRecord {
  return {
    input: 1, frame: 5, entry: null, ts: 1_600_000_001_000_000_000n,
    srcIp: '10.0.0.2', srcPort: 40000, dstIp: '93.184.216.34', dstPort: 443,
    transport: 'tcp', sni: 'example.com', alpn: ['h2', 'http/1.1'], versions: [0x0304, 0x0303],
    legacyVersion: 0x0303, ciphers: [0x1301, 0x1302], extensions: [0, 16, 43], ja4: 't13d0202h2_abcdef012345_abcdef012345',
    quicVersion: null, serverVersion: 0x0304, serverCipher: 0x1301, serverFrame: 7,
    ...o,
  };
}

export function httpRecord(o: Partial<HttpRecord> = {}): HttpRecord {
  return {
    input: 1, frame: 9, entry: null, ts: 1_600_000_002_000_000_000n,
    srcIp: '10.0.0.2', srcPort: 40001, dstIp: '93.184.216.34', dstPort: 80,
    method: 'GET', host: 'example.com', uri: '/', version: 'HTTP/1.1',
    requestHeaders: [['Host', 'example.com'], ['User-Agent', 'test']], requestBody: null, requestBodySize: 0,
    status: 200, reason: 'OK', responseHeaders: [['Content-Type', 'text/html']], responseBody: null, responseBodySize: 0,
    responseFrame: 11, responseTs: 1_600_000_002_100_000_000n, truncated: false, source: 'tcp', serverIp: null,
    ...o,
  };
}

export function flowRecord(o: Partial<FlowRecord> = {}): FlowRecord {
  return {
    input: 1, proto: 'tcp', srcIp: '10.0.0.2', srcPort: 40001, dstIp: '93.184.216.34', dstPort: 80,
    srcMac: '00:11:22:33:44:55', dstMac: '66:77:88:99:aa:bb', firstFrame: 8, firstTs: 1_600_000_001_900_000_000n,
    lastTs: 1_600_000_003_000_000_000n, packetsUp: 5, packetsDown: 4, bytesUp: 500, bytesDown: 4000, app: 'http', gapBytes: 0,
    ...o,
  };
}

export function nameRecord(o: Partial<NameRecord> = {}): NameRecord {
  return {
    input: 1, frame: 2, entry: null, ts: 1_600_000_000_500_000_000n,
    ip: '10.0.0.2', mac: '00:11:22:33:44:55', name: 'android-phone', source: 'dhcp', vendorClass: 'android-dhcp-13',
    ...o,
  };
}

export function summary(o: Partial<InputSummary> = {}): InputSummary {
  return {
    format: 'pcap', gzip: false, sha256: 'ab'.repeat(32), size: 1234, linkTypes: [1], tsDigits: 6,
    packets: 10, entries: 0, firstTs: 1_600_000_000_123_456_789n, lastTs: 1_600_000_003_000_000_000n,
    anomalies: 0, error: null, producer: null, commentedFrames: 0,
    ...o,
  };
}
