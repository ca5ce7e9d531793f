/** The AssemblyScript runtime's value model, called through its exports. */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime } from '../../../../src/compiler/wasm/runtime.ts';
import { instance } from './instance.ts';

describe('runtime values', () => {
  // On a clean clone the runtime is built on first use (tens of seconds on a busy machine).
  beforeAll(() => void loadRuntime(), 180_000);

  it('round-trips JSON, keeping big and precise numbers as written', () => {
    const { parse, dump } = instance();
    const text = '{"a":[1,-2,3.5,1e400,123456789012345678901234567890,0.1],"b":"x\\n\\u00e9\\ud83d\\ude00","c":null,"d":true}';
    expect(dump(parse(text))).toBe('{"a":[1,-2,3.5,1e400,123456789012345678901234567890,0.1],"b":"x\\né😀","c":null,"d":true}');
  });

  it('rejects malformed JSON with address 0 instead of crashing', () => {
    const { parse } = instance();
    for (const bad of ['{', '[1,]', '{"a" 1}', 'tru', '"\\x"', '{1:2}', '']) expect(parse(bad)).toBe(0);
  });

  it('parses Rego value syntax: sets, set(), trailing commas, non-string keys', () => {
    const { parse, dump } = instance();
    const v = parse('{"s": {3, 1, 2,}, "e": set(), "o": {1: "x", [1]: "y"}}', true);
    expect(v).not.toBe(0);
    expect(dump(v)).toBe('{"e":[],"o":{"1":"x","[1]":"y"},"s":[1,2,3]}');
    expect(dump(v, true)).toBe('{"e":set(),"o":{1:"x",[1]:"y"},"s":{1,2,3}}');
  });

  it("orders values like OPA: null < boolean < number < string < array < object < set", () => {
    const { ex, parse } = instance();
    const vals = ['null', 'false', 'true', '-1', '2.5', '3', '"a"', '"b"', '[]', '[1]', '[1,2]', '{}', '{"a":1}', '{"a":2}', '{"b":0}', 'set()', '{1}', '{1,2}'];
    const parsed = vals.map((t) => parse(t, true));
    for (let i = 0; i < parsed.length; i++)
      for (let j = 0; j < parsed.length; j++) {
        const c = Math.sign(ex['opa_value_compare']!(parsed[i]!, parsed[j]!));
        expect([vals[i], vals[j], c]).toEqual([vals[i], vals[j], Math.sign(i - j)]);
      }
  });

  it('treats 1 and 1.0 as the same number in comparisons, sets and object keys', () => {
    const { parse, dump, ex } = instance();
    expect(ex['value_equal']!(parse('1'), parse('1.0'))).toBe(1);
    expect(dump(parse('{1, 1.0, 2}', true))).toBe('[1,2]');
    expect(ex['value_equal']!(parse('28857836529306024611913'), parse('28857836529306024611912'))).toBe(0);
  });

  it('dumps sets in sorted order however they were built', () => {
    const { parse, dump } = instance();
    expect(dump(parse('{"b", "a", [2], [1], {"z": 1}, 3, null}', true))).toBe('[null,3,"a","b",[1],[2],{"z":1}]');
  });
});
