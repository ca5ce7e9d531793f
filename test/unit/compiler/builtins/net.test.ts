import { describe, expect, it } from 'vitest';
import { call } from './helpers.ts';

describe('net builtins', () => {
  it('merges CIDRs: siblings join, contained ranges vanish, bare IPv4 gets its classful mask', () => {
    expect(call('net.cidr_merge', ['192.0.128.0/24', '192.0.129.0/24'])).toEqual(['192.0.128.0/23']);
    expect(call('net.cidr_merge', ['192.0.2.112/31', '192.0.2.116/31', '192.0.2.118/31'])).toEqual(['192.0.2.112/31', '192.0.2.116/30']);
    expect(call('net.cidr_merge', ['fe80::/120', '192.0.2.0/24', '192.0.3.0/24', '192.0.4.0/25', '192.0.4.128/25'])).toEqual([
      '192.0.2.0/23',
      '192.0.4.0/24',
      'fe80::/120',
    ]);
    expect(call('net.cidr_merge', ['192.0.128.0', '192.0.129.0'])).toEqual(['192.0.128.0/23']);
    expect(call('net.cidr_merge', ['2601:600:8a80:207e:a57d:7567:e2c9:e7b3/64'])).toEqual(['2601:600:8a80:207e::/64']);
    expect(() => call('net.cidr_merge', ['2601:600:8a80:207e:a57d:7567:e2c9:e7b3'])).toThrow(/needs prefix length/);
  });

  it('answers containment, intersection, validity and expansion', () => {
    expect(call('net.cidr_contains', '10.0.0.0/8', '10.1.2.3')).toBe(true);
    expect(call('net.cidr_contains', '10.0.0.0/8', '11.0.0.0/24')).toBe(false);
    expect(call('net.cidr_intersects', '192.168.0.0/16', '192.168.1.0/24')).toBe(true);
    expect(call('net.cidr_is_valid', '192.168.1.2')).toBe(false);
    expect(call('net.cidr_is_valid', '2002::1234:abcd:ffff:c0a8:101/64')).toBe(true);
    expect(call('net.cidr_expand', '192.168.1.1/30')).toEqual(['192.168.1.0', '192.168.1.1', '192.168.1.2', '192.168.1.3']);
    expect(call('net.cidr_contains_matches', ['1.1.2.0/24', '1.1.1.0/24'], ['1.1.1.1', '1.1.2.1'])).toEqual([
      [0, 1],
      [1, 0],
    ]);
  });
});
