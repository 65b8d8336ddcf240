import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAsnTable } from '../../../electron/engine/enrich/asn-table.ts';
import type { AsnTable } from '../../../electron/engine/enrich/asn-table.ts';
import { parseIp } from '../../../electron/engine/enrich/ip.ts';

function lookup(table: AsnTable, text: string): { asn: number; org: string | null } | null {
  const ip = parseIp(text);
  if (ip === null) throw new Error(text);
  return ip.version === 4 ? table.lookupV4(ip.v4) : table.lookupV6(ip.v6 as [number, number, number, number]);
}

// The package's format: start,end,asn,org with inclusive ranges and RFC 4180 quoting.
const V4 = [
  '1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."',
  '1.0.4.0,1.0.7.255,38803,Gtelecom Pty Ltd',
  '2.26.200.0,2.26.215.255,201907,"LLC ""SPUTNIK"""',
  '5.0.0.0,5.0.0.0,64500,Single Address Org',
  '45.70.144.0,45.70.147.255,267568,R. C. F. \u00ad TELECOM LTDA \u00ad ME',
  'garbage line without commas',
  '9.9.9.0,9.9.9.255,notanumber,Broken',
  '9.9.9.0,9.9.8.255,19281,Start after end',
  '255.255.255.0,255.255.255.255,4294967295,Top Of Space',
].join('\r\n');

const V6 = [
  '2001::,2001::ffff:ffff:ffff:ffff:ffff:ffff,6939,Hurricane Electric LLC',
  '2001:4860::,2001:4860:4804:ffff:ffff:ffff:ffff:ffff,15169,Google LLC',
  '2001:4860:4805::,2001:4860:4805:ffff:ffff:ffff:ffff:ffff,43515,Google Ireland Limited',
  'ffff:ffff:ffff:ffff::,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,64501,Top Of Space',
  '',
].join('\n');

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tt-asn-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('openAsnTable', () => {
  it('finds the range holding an address, at both ends and not outside', () => {
    const t = openAsnTable([write('v4.csv', V4), write('v6.csv', V6)], { cacheDir: null });
    expect(lookup(t, '1.0.0.0')).toEqual({ asn: 13335, org: 'Cloudflare, Inc.' });
    expect(lookup(t, '1.0.0.255')).toEqual({ asn: 13335, org: 'Cloudflare, Inc.' });
    expect(lookup(t, '1.0.1.0')).toBeNull();
    expect(lookup(t, '1.0.3.255')).toBeNull();
    expect(lookup(t, '1.0.6.1')).toEqual({ asn: 38803, org: 'Gtelecom Pty Ltd' });
    expect(lookup(t, '2.26.201.1')?.org).toBe('LLC "SPUTNIK"');
    expect(lookup(t, '5.0.0.0')?.asn).toBe(64500);
    expect(lookup(t, '5.0.0.1')).toBeNull();
    expect(lookup(t, '45.70.145.1')?.org).toBe('R. C. F. \u00ad TELECOM LTDA \u00ad ME');
    expect(lookup(t, '0.0.0.1')).toBeNull();
    expect(lookup(t, '255.255.255.255')).toEqual({ asn: 4294967295, org: 'Top Of Space' });
    expect(lookup(t, '2001::1')?.asn).toBe(6939);
    expect(lookup(t, '2001:4860:4000::1')).toEqual({ asn: 15169, org: 'Google LLC' });
    expect(lookup(t, '2001:4860:4805::1')?.asn).toBe(43515);
    expect(lookup(t, '2001:4860:4806::1')).toBeNull();
    expect(lookup(t, '::1')).toBeNull();
    expect(lookup(t, 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')?.asn).toBe(64501);
    expect(t.info.v4Ranges).toBe(6);
    expect(t.info.v6Ranges).toBe(4);
    expect(t.info.badLines).toBe(3);
    expect(t.info.overlaps).toBe(0);
  });

  it('records the size, time and SHA-256 of each CSV', () => {
    const p = write('v4.csv', V4);
    const t = openAsnTable([p], { cacheDir: null });
    expect(t.info.files).toHaveLength(1);
    expect(t.info.files[0].size).toBe(Buffer.byteLength(V4));
    expect(t.info.files[0].sha256).toBe(createHash('sha256').update(V4).digest('hex'));
  });

  it('sorts unsorted input and lets a nested range win over the one containing it', () => {
    // Shape of the real defect in @ip-location-db/asn 2.3.2026061719: 214.95.0.0-215.0.255.255
    // (AS749) overlaps 215.0.0.0-215.1.3.255 (AS721). Here nested inside an outer range too.
    const csv = [
      '10.0.0.0,10.0.255.255,3,Outer',
      '10.0.16.0,10.0.31.255,4,Inner',
      '9.0.0.0,9.0.0.255,1,First',
      '10.0.31.0,10.0.40.255,5,Overlapping tail',
      '10.0.0.0,10.0.0.255,6,Same start narrower',
    ].join('\n');
    const t = openAsnTable([write('mixed.csv', csv)], { cacheDir: null });
    expect(lookup(t, '9.0.0.1')?.asn).toBe(1);
    expect(lookup(t, '10.0.0.1')?.asn).toBe(6);
    expect(lookup(t, '10.0.1.0')?.asn).toBe(3);
    expect(lookup(t, '10.0.15.255')?.asn).toBe(3);
    expect(lookup(t, '10.0.16.0')?.asn).toBe(4);
    expect(lookup(t, '10.0.30.255')?.asn).toBe(4);
    expect(lookup(t, '10.0.31.0')?.asn).toBe(5);
    expect(lookup(t, '10.0.40.255')?.asn).toBe(5);
    expect(lookup(t, '10.0.41.0')?.asn).toBe(3);
    expect(lookup(t, '10.0.255.255')?.asn).toBe(3);
    expect(lookup(t, '10.1.0.0')).toBeNull();
    expect(t.info.overlaps).toBeGreaterThan(0);
  });

  it('repairs IPv6 overlaps the same way', () => {
    const csv = ['2001:db8::,2001:db8:ffff:ffff:ffff:ffff:ffff:ffff,10,Outer', '2001:db8:1::,2001:db8:1:ffff:ffff:ffff:ffff:ffff,11,Inner'].join('\n');
    const t = openAsnTable([write('v6.csv', csv)], { cacheDir: null });
    expect(lookup(t, '2001:db8::1')?.asn).toBe(10);
    expect(lookup(t, '2001:db8:1::1')?.asn).toBe(11);
    expect(lookup(t, '2001:db8:2::')?.asn).toBe(10);
    expect(t.info.overlaps).toBe(1);
  });

  it('writes a cache on first open and reads it on the next, with the same answers', () => {
    const files = [write('v4.csv', V4), write('v6.csv', V6)];
    const cacheDir = join(dir, 'cache');
    const first = openAsnTable(files, { cacheDir, keyTag: 'pkg@1' });
    expect(first.info.fromCache).toBe(false);
    expect(first.info.cachePath).not.toBeNull();
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.bin'))).toHaveLength(1);
    const second = openAsnTable(files, { cacheDir, keyTag: 'pkg@1' });
    expect(second.info.fromCache).toBe(true);
    expect(second.info.files).toEqual(first.info.files);
    for (const ip of ['1.0.0.7', '2.26.201.1', '45.70.145.1', '255.255.255.255', '2001:4860:4000::1', '2001:4860:4805::1', '3.3.3.3']) {
      expect(lookup(second, ip), ip).toEqual(lookup(first, ip));
    }
  });

  it('rebuilds when the CSV changes, the tag changes or the cache file is damaged', () => {
    const p = write('v4.csv', V4);
    const cacheDir = join(dir, 'cache');
    openAsnTable([p], { cacheDir, keyTag: 'a' });
    expect(openAsnTable([p], { cacheDir, keyTag: 'b' }).info.fromCache).toBe(false);

    writeFileSync(p, `${V4}\n6.0.0.0,6.0.0.255,64502,Added`);
    utimesSync(p, new Date(), new Date(Date.now() + 5000));
    const changed = openAsnTable([p], { cacheDir, keyTag: 'a' });
    expect(changed.info.fromCache).toBe(false);
    expect(lookup(changed, '6.0.0.1')?.asn).toBe(64502);

    const cachePath = changed.info.cachePath as string;
    writeFileSync(cachePath, 'TTASN001 but truncated');
    const repaired = openAsnTable([p], { cacheDir, keyTag: 'a' });
    expect(repaired.info.fromCache).toBe(false);
    expect(lookup(repaired, '6.0.0.1')?.asn).toBe(64502);
  });

  it('throws, naming the file, when a CSV is missing', () => {
    expect(() => openAsnTable([join(dir, 'absent.csv')], { cacheDir: null })).toThrow(/absent\.csv/);
  });
});
