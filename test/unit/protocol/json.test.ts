import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quoteJson, stringifyJson } from '../../../src/protocol/json.ts';

const long = (unit: fc.Arbitrary<string>) => fc.array(unit, { minLength: 0, maxLength: 1200 }).map((a) => a.join(''));

describe('stringifyJson: the text JSON.stringify writes, faster for long strings', () => {
  it('matches JSON.stringify on generated JSON values with long strings (escapes, controls, surrogates)', () => {
    const text = fc.oneof(
      long(fc.constantFrom('a', 'b', ' ', 'é', '😀')),
      long(fc.constantFrom('a', '"', '\\', '\n', '\u0001', '\ud800', '\udfff', '\u2028')),
      fc.string({ unit: 'binary', maxLength: 1500 }),
      fc.string(),
    );
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, text, fc.double(), fc.boolean(), fc.constant(null), fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(text, tie('v'), { maxKeys: 4 })),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        expect(stringifyJson(v)).toBe(JSON.stringify(v));
      }),
      { numRuns: 400 },
    );
  });

  it('follows JSON.stringify for odd members: undefined, functions, toJSON, boxed values, holes, non-finite numbers', () => {
    const big = 'x'.repeat(2000);
    const v = {
      big,
      u: undefined,
      f: () => 1,
      d: new Date(0),
      t: { toJSON: (k: string) => `key:${k}` },
      boxed: Object.assign(new String('s'), {}),
      arr: [undefined, () => 1, Number.NaN, Infinity, -0, , big], // eslint-disable-line no-sparse-arrays
      nested: { '1': 1, b: 2, a: [big] },
      deep: JSON.parse('['.repeat(60) + JSON.stringify(big) + ']'.repeat(60)),
    };
    expect(stringifyJson(v)).toBe(JSON.stringify(v));
    expect(quoteJson(big)).toBe(JSON.stringify(big));
    expect(() => stringifyJson({ big, n: 1n })).toThrow(TypeError);
  });
});
