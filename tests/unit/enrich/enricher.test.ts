import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEnricher } from '../../../electron/engine/enrich/enricher.ts';
import type { Enricher } from '../../../electron/engine/enrich/enricher.ts';
import { GeoDb } from '../../../electron/engine/enrich/geo.ts';
import { TrackerIndex } from '../../../electron/engine/enrich/trackers.ts';

let enricher: Enricher;

beforeAll(() => {
  enricher = createEnricher({ env: {} });
});

describe('describeIp', () => {
  it('answers once per distinct address and hands back the same frozen result', () => {
    const a = enricher.describeIp('9.9.9.9');
    expect(a?.asn).toBe(19281);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a?.sources)).toBe(true);
    expect(enricher.describeIp('9.9.9.9')).toBe(a);
  });

  it('gives scope without country for private addresses, and null for junk', () => {
    expect(enricher.describeIp('192.168.1.1')).toMatchObject({ scope: 'private', country: null, whoisCountry: null, asn: null });
    expect(enricher.describeIp('not an ip')).toBeNull();
    expect(enricher.describeIp('not an ip')).toBeNull();
  });
});

describe('describeHost', () => {
  it('normalises the name and adds registrable domain and classification', () => {
    const d = enricher.describeHost('SA.API.INTL.MIUI.COM.');
    expect(d).toMatchObject({ name: 'sa.api.intl.miui.com', isIp: false, registrableDomain: 'miui.com' });
    expect(d?.tracker?.category).toBe('analytics');
    expect(d?.tracker?.operator).toMatch(/Xiaomi/);
    expect(Object.isFrozen(d)).toBe(true);
  });

  it('recognises IP literals and unknown names', () => {
    expect(enricher.describeHost('8.8.8.8')).toEqual({ name: '8.8.8.8', isIp: true, registrableDomain: null, tracker: null });
    expect(enricher.describeHost('www.example.org')).toEqual({
      name: 'www.example.org',
      isIp: false,
      registrableDomain: 'example.org',
      tracker: null,
    });
    expect(enricher.describeHost('bad host name')).toBeNull();
  });

  it('uses a caller-supplied tracker list', () => {
    const own = new TrackerIndex([
      { domain: 'example.org', category: 'cdn', operator: 'Example', country: 'NL', source: 'https://example.org/', checked: false },
    ]);
    const e = createEnricher({ trackers: own, geo: GeoDb.open({ countryDb: null, whoisCountryDb: null, asnDb: null }) });
    expect(e.describeHost('www.example.org')?.tracker?.operator).toBe('Example');
    expect(e.describeHost('tracking.miui.com')?.tracker).toBeNull();
    expect(e.describeIp('8.8.8.8')).toMatchObject({ scope: 'public', country: null, asn: null });
    expect(e.databases().map((d) => d.name)).toEqual(['Tracker list (supplied by the caller)']);
  });
});

describe('trackerOf', () => {
  it('gives the classification describeHost gives, whichever is asked first', () => {
    const names = ['SA.API.INTL.MIUI.COM.', 'tracking.miui.com', 'www.example.org', '8.8.8.8', '[2001:db8::1]', 'bad host name', '', 'graph.facebook.com'];
    // A fresh enricher for each order, so that neither answer comes from the other's cache.
    const first = createEnricher({ env: {} });
    const second = createEnricher({ env: {} });
    for (const n of names) {
      const t = first.trackerOf(n);
      expect(t, n).toEqual(second.describeHost(n)?.tracker ?? null);
      expect(first.describeHost(n)?.tracker ?? null, n).toEqual(t);
      expect(second.trackerOf(n), n).toEqual(t);
    }
    expect(first.trackerOf('sa.api.intl.miui.com')?.operator).toMatch(/Xiaomi/);
  });
});

describe('prepare', () => {
  it('opens the address databases ahead of the first lookup', async () => {
    const e = createEnricher({ env: {} });
    await e.prepare();
    expect(e.describeIp('8.8.8.8')).toEqual(enricher.describeIp('8.8.8.8'));
    expect(e.databases()).toEqual(enricher.databases());
  });

  it('leaves a failure to the first lookup', async () => {
    const e = createEnricher({ countryDb: '/nonexistent/country.mmdb', asnDb: null });
    await e.prepare();
    expect(() => e.describeIp('8.8.8.8')).toThrow(/nonexistent/);
  });
});

describe('databases', () => {
  it('lists the geo, ASN and tracker files with hashes that match their contents', () => {
    const dbs = enricher.databases();
    expect(dbs).toHaveLength(5);
    expect(dbs[4].name).toBe('Telltale curated tracker list');
    for (const d of dbs) {
      expect(d.sha256, d.path).toBe(createHash('sha256').update(readFileSync(d.path)).digest('hex'));
      expect(d.version, d.name).not.toBeNull();
      expect(d.date, d.name).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    }
  });
});
