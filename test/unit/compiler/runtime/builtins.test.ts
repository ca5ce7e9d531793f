/** Native builtins of the runtime, called directly with values parsed from Rego/JSON text. */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime } from '../../../../src/compiler/wasm/runtime.ts';
import { instance } from './instance.ts';

function caller(): (name: string, ...args: string[]) => string {
  const { ex, parse, dump } = instance();
  return (name, ...args) => {
    const r = ex[`b_${name.replace(/\./g, '_')}`]!(...args.map((a) => parse(a, true)));
    return r === 0 ? 'undefined' : dump(r);
  };
}

describe('runtime builtins', () => {
  // On a clean clone the runtime is built on first use (tens of seconds on a busy machine).
  beforeAll(() => void loadRuntime(), 180_000);

  it('net.cidr_contains / cidr_intersects follow Go net semantics for IPv4 and IPv6', () => {
    const call = caller();
    expect(call('net.cidr_contains', '"10.0.0.0/8"', '"10.1.2.3"')).toBe('true');
    expect(call('net.cidr_contains', '"10.0.0.0/8"', '"11.1.2.3"')).toBe('false');
    expect(call('net.cidr_contains', '"10.0.0.0/8"', '"10.2.0.0/16"')).toBe('true');
    expect(call('net.cidr_contains', '"10.2.0.0/16"', '"10.0.0.0/8"')).toBe('false');
    expect(call('net.cidr_contains', '"2001:db8::/32"', '"2001:db8:1::1"')).toBe('true');
    expect(call('net.cidr_contains', '"2001:db8::/32"', '"10.0.0.1"')).toBe('false');
    expect(call('net.cidr_contains', '"10.0.0.0/8"', '"::ffff:10.0.0.1"')).toBe('true');
    expect(call('net.cidr_contains', '"10.0.0.0/33"', '"10.0.0.1"')).toBe('undefined');
    expect(call('net.cidr_contains', '"not a cidr"', '"10.0.0.1"')).toBe('undefined');
    expect(call('net.cidr_intersects', '"192.168.0.0/16"', '"192.168.1.0/24"')).toBe('true');
    expect(call('net.cidr_intersects', '"192.168.0.0/24"', '"192.168.1.0/24"')).toBe('false');
  });

  it('sprintf formats like Go for OPA arguments, exact for big integers', () => {
    const call = caller();
    expect(call('sprintf', '"%s is %d years, %.2f%%"', '["ann", 42, 99.5]')).toBe('"ann is 42 years, 99.50%"');
    expect(call('sprintf', '"%v|%5d|%-4s|%x"', '[[1, "a", {2}], 7, "ab", 255]')).toBe('"[1, \\"a\\", {2}]|    7|ab  |ff"');
    expect(call('sprintf', '"%d"', '[123456789123456789123]')).toBe('"123456789123456789123"');
    expect(call('sprintf', '"%d %d"', '[1]')).toBe('"1 %!d(MISSING)"');
  });

  it('string builtins count and index runes, not bytes', () => {
    const call = caller();
    expect(call('count', '"héllo"')).toBe('5');
    expect(call('substring', '"héllo"', '1', '3')).toBe('"éll"');
    expect(call('indexof', '"héllo"', '"l"')).toBe('2');
    expect(call('upper', '"héllo"')).toBe('"HÉLLO"');
    expect(call('trim_space', '"  \\t x \\n"')).toBe('"x"');
    expect(call('split', '"a,b,,c"', '","')).toBe('["a","b","","c"]');
    expect(call('replace', '"aaa"', '"a"', '"bb"')).toBe('"bbbbbb"');
    expect(call('concat', '"-"', '{"b", "a"}')).toBe('"a-b"');
    expect(call('format_int', '-255', '16')).toBe('"-ff"');
    expect(call('to_number', '"-1.5e2"')).toBe('-1.5e2'); // Go keeps the text as the number's spelling
    expect(call('to_number', '"12abc"')).toBe('undefined');
    expect(call('strings.any_prefix_match', '{"api/v1/x", "web"}', '["admin", "api/"]')).toBe('true');
    expect(call('strings.any_suffix_match', '"report.pdf"', '{".exe", ".sh"}')).toBe('false');
  });

  it('base64, json and numbers.range round trip', () => {
    const call = caller();
    expect(call('base64.encode', '"hello?"')).toBe('"aGVsbG8/"');
    expect(call('base64url.encode', '"hello?"')).toBe('"aGVsbG8_"');
    expect(call('base64.decode', '"aGVsbG8/"')).toBe('"hello?"');
    expect(call('base64.decode', '"not base64!"')).toBe('undefined');
    expect(call('json.marshal', '{"b": [1, {2}], "a": null}')).toBe('"{\\"a\\":null,\\"b\\":[1,[2]]}"');
    expect(call('json.unmarshal', '"{\\"a\\": [1, 2.5]}"')).toBe('{"a":[1,2.5]}');
    expect(call('numbers.range', '3', '1')).toBe('[3,2,1]');
    expect(call('object.get', '{"a": {"b": [7]}}', '["a", "b", 0]', '"d"')).toBe('7');
    expect(call('object.union', '{"a": {"x": 1}, "b": 1}', '{"a": {"y": 2}}')).toBe('{"a":{"x":1,"y":2},"b":1}');
  });

  it('json.filter / json.remove take string or array paths and keep sets as sets', () => {
    const call = caller();
    const doc = '{"a": {"b": 1, "c": [10, 20]}, "s": {"x", "y"}, "d/e": 3}';
    expect(call('json.filter', doc, '["a/b", ["a", "c", 1], "d~1e"]')).toBe('{"a":{"b":1,"c":[20]},"d/e":3}');
    expect(call('json.remove', doc, '{"a/c", ["s", "x"]}')).toBe('{"a":{"b":1},"d/e":3,"s":["y"]}');
    expect(call('json.remove', doc, '[1]')).toBe('undefined');
  });
});
