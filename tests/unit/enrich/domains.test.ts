import { describe, expect, it } from 'vitest';
import { isSameParty, normaliseHost, registrableDomain } from '../../../electron/engine/enrich/domains.ts';

describe('registrableDomain', () => {
  // Expected values follow the Public Suffix List rules (publicsuffix.org/list) as browsers apply them.
  it.each([
    ['www.bbc.co.uk', 'bbc.co.uk'], // ICANN multi-label suffix
    ['bbc.co.uk', 'bbc.co.uk'],
    ['a.b.c.example.com', 'example.com'],
    ['sa.api.intl.miui.com', 'miui.com'],
    ['WWW.Example.COM.', 'example.com'], // case and trailing root dot
    ['alice.github.io', 'alice.github.io'], // private-section suffix: each user is a party
    ['x.y.alice.github.io', 'alice.github.io'],
    ['d111111abcdef8.cloudfront.net', 'd111111abcdef8.cloudfront.net'],
    ['myapp.appspot.com', 'myapp.appspot.com'],
    ['bücher.de', 'xn--bcher-kva.de'], // IDN, returned in ASCII (wire) form
    ['www.xn--bcher-kva.de', 'xn--bcher-kva.de'],
    ['a.b.公司.cn', 'b.xn--55qx5d.cn'], // IDN public suffix 公司.cn
    ['a.b.xn--55qx5d.cn', 'b.xn--55qx5d.cn'],
    ['a.b.internal', 'b.internal'], // unlisted TLD: the PSL default rule "*"
  ])('%s → %s', (name, expected) => {
    expect(registrableDomain(name)).toBe(expected);
  });

  it.each([
    ['co.uk'], // a public suffix has no registrable domain
    ['github.io'],
    ['com'],
    ['localhost'],
    ['8.8.8.8'],
    ['[2001:db8::1]'],
    ['2001:db8::1'],
    [''],
    ['a..b.com'],
    ['exa mple.com'],
  ])('%s has none', (name) => {
    expect(registrableDomain(name)).toBeNull();
  });
});

describe('normaliseHost', () => {
  it('lower-cases, strips the root dot, converts IDN and canonicalises IP literals', () => {
    expect(normaliseHost('Tracking.MIUI.com.')).toBe('tracking.miui.com');
    expect(normaliseHost('münchen.de')).toBe('xn--mnchen-3ya.de');
    expect(normaliseHost('[2001:DB8:0::1]')).toBe('2001:db8::1');
    expect(normaliseHost(' 8.8.8.8 ')).toBe('8.8.8.8');
    expect(normaliseHost('.')).toBeNull();
    expect(normaliseHost('a b')).toBeNull();
  });
});

describe('isSameParty', () => {
  it('groups names under one registrable domain', () => {
    expect(isSameParty('www.google.com', 'mail.google.com')).toBe(true);
    expect(isSameParty('news.bbc.co.uk', 'BBC.CO.UK.')).toBe(true);
    expect(isSameParty('data.mistat.intl.xiaomi.com', 'api.ad.xiaomi.com')).toBe(true);
  });

  it('keeps apart different owners under a shared suffix, and different domains of one company', () => {
    expect(isSameParty('alice.github.io', 'bob.github.io')).toBe(false);
    expect(isSameParty('a.cloudfront.net', 'b.cloudfront.net')).toBe(false);
    expect(isSameParty('example.co.uk', 'other.co.uk')).toBe(false);
    // Same company, different registrable domains: operator grouping is the tracker list's job.
    expect(isSameParty('google.com', 'google-analytics.com')).toBe(false);
  });

  it('compares IP literals and suffix-only names exactly', () => {
    expect(isSameParty('8.8.8.8', '8.8.8.8')).toBe(true);
    expect(isSameParty('2001:db8::1', '[2001:DB8:0:0::1]')).toBe(true);
    expect(isSameParty('8.8.8.8', '8.8.4.4')).toBe(false);
    expect(isSameParty('github.io', 'github.io')).toBe(true);
    expect(isSameParty('localhost', 'router')).toBe(false);
    expect(isSameParty('', '')).toBe(false);
  });
});
