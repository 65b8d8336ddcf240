import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyIp, formatIp, formatIpv4, formatIpv6, parseIp } from '../../../electron/engine/enrich/ip.ts';
import type { IpScope } from '../../../electron/engine/enrich/ip.ts';

function scopeOf(text: string): IpScope {
  const ip = parseIp(text);
  if (ip === null) throw new Error(`test address ${text} did not parse`);
  return classifyIp(ip).scope;
}

function canonical(text: string): string | null {
  const ip = parseIp(text);
  return ip === null ? null : formatIp(ip);
}

describe('parseIp / formatIp', () => {
  it('writes IPv6 in RFC 5952 canonical form (the RFC section 4 examples)', () => {
    expect(canonical('2001:0db8::0001')).toBe('2001:db8::1'); // 4.1 leading zeros
    expect(canonical('2001:db8:0:0:0:0:2:1')).toBe('2001:db8::2:1'); // 4.2.1 shorten as much as possible
    expect(canonical('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1'); // 4.2.2 no :: for one group
    expect(canonical('2001:0:0:1:0:0:0:1')).toBe('2001:0:0:1::1'); // 4.2.3 longest run
    expect(canonical('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1'); // 4.2.3 first of equal runs
    expect(canonical('2001:DB8::1')).toBe('2001:db8::1'); // 4.3 lower case
    expect(canonical('::')).toBe('::');
    expect(canonical('::1')).toBe('::1');
    expect(canonical('1::')).toBe('1::');
  });

  it('accepts brackets, zone ids, surrounding space and dotted IPv4 tails', () => {
    expect(canonical('[2001:db8::1]')).toBe('2001:db8::1');
    expect(canonical('fe80::1%wlan0')).toBe('fe80::1');
    expect(canonical(' 10.0.0.1 ')).toBe('10.0.0.1');
    expect(canonical('::ffff:192.0.2.128')).toBe('::ffff:192.0.2.128');
    expect(canonical('64:ff9b::192.0.2.33')).toBe('64:ff9b::c000:221'); // RFC 6052 section 2.4 example
  });

  it('refuses what is not an address, without throwing', () => {
    for (const bad of [
      'not an ip', '', ' ', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.4.', '.1.2.3.4', '1..2.3',
      '1::2::3', ':::', '1:2:3:4:5:6:7:8:9', '12345::', ':1::', '1:', 'g::1', '::ffff:1.2.3', '[::1', 'example.com',
      '1:2:3:4:5:6:7:1.2.3.4',
    ]) {
      expect(parseIp(bad), bad).toBeNull();
    }
    expect(parseIp(undefined as unknown as string)).toBeNull();
  });

  it('round-trips every IPv4 value through text', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (v) => {
        const ip = parseIp(formatIpv4(v));
        expect(ip).not.toBeNull();
        expect(ip?.v4).toBe(v);
      }),
    );
  });

  it('formats IPv6 as the WHATWG URL parser does (an independent RFC 5952 serialiser)', () => {
    const group = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (g) => {
        const words: [number, number, number, number] = [
          ((g[0] << 16) | g[1]) >>> 0,
          ((g[2] << 16) | g[3]) >>> 0,
          ((g[4] << 16) | g[5]) >>> 0,
          ((g[6] << 16) | g[7]) >>> 0,
        ];
        // The URL parser prints mapped addresses in hex; Telltale keeps RFC 5952's dotted tail.
        fc.pre(!(words[0] === 0 && words[1] === 0 && words[2] === 0xffff));
        const long = g.map((x) => x.toString(16)).join(':');
        const ours = formatIpv6(words);
        expect(ours).toBe(new URL(`http://[${long}]/`).hostname.slice(1, -1));
        expect(parseIp(ours)?.v6).toEqual(words);
      }),
    );
  });
});

describe('classifyIp', () => {
  // Boundaries from the IANA special-purpose registries (RFC 6890, 1918, 6598, 5737, 2544, 3927).
  const v4: Array<[string, IpScope]> = [
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'reserved'],
    ['0.255.255.255', 'reserved'],
    ['1.0.0.0', 'public'],
    ['9.255.255.255', 'public'],
    ['10.0.0.0', 'private'],
    ['10.255.255.255', 'private'],
    ['11.0.0.0', 'public'],
    ['100.63.255.255', 'public'],
    ['100.64.0.0', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['100.128.0.0', 'public'],
    ['126.255.255.255', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.255', 'loopback'],
    ['169.253.255.255', 'public'],
    ['169.254.0.1', 'link-local'],
    ['169.255.0.0', 'public'],
    ['172.15.255.255', 'public'],
    ['172.16.0.0', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.0', 'public'],
    ['192.0.0.8', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['192.0.3.0', 'public'],
    ['192.88.99.1', 'reserved'],
    ['192.167.255.255', 'public'],
    ['192.168.0.0', 'private'],
    ['192.168.255.255', 'private'],
    ['192.169.0.0', 'public'],
    ['198.17.255.255', 'public'],
    ['198.18.0.0', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['198.20.0.0', 'public'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.255', 'documentation'],
    ['203.0.114.0', 'public'],
    ['223.255.255.255', 'public'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.254', 'reserved'],
    ['255.255.255.255', 'broadcast'],
  ];
  it.each(v4)('IPv4 %s is %s', (ip, scope) => {
    expect(scopeOf(ip)).toBe(scope);
  });

  const v6: Array<[string, IpScope]> = [
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['::2', 'reserved'],
    ['100::1', 'reserved'],
    ['2001:2::1', 'benchmarking'],
    ['2001:db8::1', 'documentation'],
    ['2001:db8:ffff::1', 'documentation'],
    ['2001:db9::1', 'public'],
    ['2001:10::1', 'reserved'],
    ['2001:20::1', 'reserved'],
    ['2001:4860:4860::8888', 'public'],
    ['3fff::1', 'documentation'],
    ['3fff:fff::1', 'documentation'],
    ['5f00::1', 'reserved'],
    ['fc00::1', 'private'],
    ['fdff:ffff::1', 'private'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['fec0::1', 'reserved'],
    ['ff02::1', 'multicast'],
    ['1000::1', 'reserved'],
    ['4000::1', 'reserved'],
    ['64:ff9b:1::1', 'private'],
  ];
  it.each(v6)('IPv6 %s is %s', (ip, scope) => {
    expect(scopeOf(ip)).toBe(scope);
  });

  it('reads the IPv4 host inside mapped, NAT64, 6to4 and Teredo addresses', () => {
    const embedded = (text: string): [string, string, IpScope] | null => {
      const ip = parseIp(text);
      if (ip === null) return null;
      const info = classifyIp(ip);
      return info.embedded === null ? null : [info.embedded.kind, formatIpv4(info.embedded.v4), info.scope];
    };
    expect(embedded('::ffff:192.168.1.1')).toEqual(['ipv4-mapped', '192.168.1.1', 'private']);
    expect(embedded('::ffff:8.8.8.8')).toEqual(['ipv4-mapped', '8.8.8.8', 'public']);
    expect(embedded('64:ff9b::192.0.2.33')).toEqual(['nat64', '192.0.2.33', 'documentation']); // RFC 6052 2.4
    expect(embedded('64:ff9b::a00:1')).toEqual(['nat64', '10.0.0.1', 'private']);
    expect(embedded('2002:c000:0204::1')).toEqual(['6to4', '192.0.2.4', 'documentation']); // RFC 3056 example prefix
    // RFC 4380 section 4 example: client 192.0.2.45 behind server 65.54.227.120, stored inverted.
    expect(embedded('2001:0000:4136:e378:8000:63bf:3fff:fdd2')).toEqual(['teredo', '192.0.2.45', 'documentation']);
    expect(embedded('2001:4860:4860::8888')).toBeNull();
  });
});
