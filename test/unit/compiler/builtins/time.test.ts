import { describe, expect, it } from 'vitest';
import { jsBuiltins, resetEvaluation } from '../../../../src/compiler/builtins/index.ts';
import { call, decode } from './helpers.ts';

describe('time builtins', () => {
  it('parses RFC 3339 to exact nanoseconds across the int64 range', () => {
    expect(call('time.parse_rfc3339_ns', '1970-01-01T00:00:00-00:00')).toBe(0);
    expect(call('time.parse_rfc3339_ns', '2017-06-02T19:00:00-07:00')).toBe(1496455200000000000n);
    expect(call('time.parse_rfc3339_ns', '2262-04-11T23:47:16.854775807-00:00')).toBe(9223372036854775807n);
    expect(call('time.parse_rfc3339_ns', '1677-09-21T00:12:43.145224192-00:00')).toBe(-9223372036854775808n);
    expect(() => call('time.parse_rfc3339_ns', '2262-04-11T23:47:16.854775808-00:00')).toThrow(/time outside of valid range/);
  });

  it('parses Go durations and layouts', () => {
    expect(call('time.parse_duration_ns', '100ms')).toBe(100000000);
    expect(call('time.parse_duration_ns', '1h2m3.5s')).toBe(3723500000000);
    expect(call('time.parse_ns', '2006-01-02', '2018-02-05')).toBe(1517788800000000000n);
    expect(call('time.parse_ns', 'RFC822Z', '02 Jan 06 15:04 -0700')).toBe(1136239440000000000n);
  });

  it('gives calendar fields in UTC or a named zone', () => {
    const ns = 1517814000 * 1e9;
    expect(call('time.date', ns)).toEqual([2018, 2, 5]);
    expect(call('time.date', [ns, 'America/Los_Angeles'])).toEqual([2018, 2, 4]);
    expect(call('time.clock', [1517832000 * 1e9, 'America/New_York'])).toEqual([7, 0, 0]);
    expect(call('time.weekday', 1517918400000000000)).toBe('Tuesday');
    expect(() => call('time.date', 1582977600 * 1e12)).toThrow(/timestamp too big/);
  });

  it('adds dates with Go normalisation and diffs calendars', () => {
    expect(call('time.add_date', 1585852421593912000n, 3, 9, 12)).toBe(1705257221593912000n);
    expect(call('time.add_date', 1585852421593912000n, -1, -1, -1)).toBe(1551465221593912000n);
    expect(call('time.diff', 0, 86400 * 1e9 * 31 + 3600 * 1e9)).toEqual([0, 1, 0, 1, 0, 0]);
  });

  it('formats with Go layouts and constants', () => {
    const ns = 1670006453141828000;
    expect(call('time.format', [ns, 'Asia/Kolkata', 'RFC1123Z'])).toBe('Sat, 03 Dec 2022 00:10:53 +0530');
    expect(call('time.format', [ns, 'Asia/Kolkata', 'Mon Jan 02 15:04:05 -0700 2006'])).toBe('Sat Dec 03 00:10:53 +0530 2022');
    expect(call('time.format', 1670006453000000000)).toBe('2022-12-02T18:40:53Z');
  });

  it('keeps time.now_ns fixed within one evaluation and moves on after a reset', () => {
    let t = 1000000000000000000n;
    const b = jsBuiltins({ strict: true, now: () => (t += 1000n) });
    const first = decode(b['time.now_ns']!());
    expect(first).toBe(1000000000000001000n);
    expect(decode(b['time.now_ns']!())).toBe(first);
    resetEvaluation(b);
    expect(decode(b['time.now_ns']!())).toBe(1000000000000002000n);
  });

  it('gives a fresh time.now_ns to the next evaluation even without an explicit reset', async () => {
    let t = 2000000000000000000n;
    const b = jsBuiltins({ strict: true, now: () => (t += 1000n) });
    const first = decode(b['time.now_ns']!());
    expect(decode(b['time.now_ns']!())).toBe(first);
    await Promise.resolve();
    expect(decode(b['time.now_ns']!())).toBe(2000000000000002000n);
  });
});
