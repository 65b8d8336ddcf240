import { describe, expect, it } from 'vitest';
import { ipv4String, ipv6String, macNumber, macString, readIpv4 } from '../../../electron/engine/dissect/addr.ts';
import { ip4, ip6, mac } from './build.ts';

describe('address text', () => {
  it('formats IPv4 dotted quads', () => {
    expect(ipv4String(readIpv4(ip4('192.0.2.1'), 0))).toBe('192.0.2.1');
    expect(ipv4String(readIpv4(ip4('255.255.255.255'), 0))).toBe('255.255.255.255');
    expect(ipv4String(readIpv4(ip4('0.0.0.0'), 0))).toBe('0.0.0.0');
  });

  // Expected texts are the RFC 5952 section 4 recommendations.
  it.each([
    ['2001:0db8:0000:0000:0000:0000:0002:0001', '2001:db8::2:1'], // 4.2.1 longest run, leading zeros dropped
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // 4.2.2 a single 0 is not compressed
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // 4.2.3 longest run wins
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // 4.2.3 first run on a tie
    ['2001:DB8::ABCD', '2001:db8::abcd'], // 4.3 lower case
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['fe80:0:0:0:0:0:0:0', 'fe80::'],
    ['::ffff:192.0.2.128', '::ffff:192.0.2.128'], // section 5: IPv4-mapped keeps the dotted tail
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
  ])('formats %s as %s', (input, want) => {
    expect(ipv6String(ip6(input), 0)).toBe(want);
  });

  it('reads an address at an offset', () => {
    const b = Buffer.concat([Buffer.from([9, 9, 9]), ip6('2001:db8::1')]);
    expect(ipv6String(b, 3)).toBe('2001:db8::1');
  });

  it('formats MACs in lower case and gives equal numbers for equal MACs', () => {
    const b = mac('AA:0b:cc:DD:0e:ff');
    expect(macString(b, 0)).toBe('aa:0b:cc:dd:0e:ff');
    expect(macNumber(b, 0)).toBe(0xaa0bccdd0eff);
    expect(macNumber(mac('ff:ff:ff:ff:ff:ff'), 0)).toBe(2 ** 48 - 1);
  });
});
