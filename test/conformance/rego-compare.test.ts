/** Result comparison rules of the conformance runner (as the suite's README defines them). */
import { describe, expect, it } from 'vitest';
import { compareJson, compareResults } from '../../src/compiler/conformance/compare.ts';

describe('conformance result comparison', () => {
  it('treats the result set as unordered and collapses duplicate rows', () => {
    expect(compareResults([{ x: 1 }, { x: 2 }], [{ x: 2 }, { x: 1 }, { x: 2 }], {})).toBeUndefined();
  });

  it('keeps undefined, empty and false apart', () => {
    expect(compareResults([], [{}], {})).toMatch(/want \(undefined\)/);
    expect(compareResults([{}], [], {})).toMatch(/got \(undefined\)/);
    expect(compareResults([{ x: false }], [], {})).toBeDefined();
    expect(compareResults([{ x: false }], [{ x: false }], {})).toBeUndefined();
  });

  it('compares numbers by value and objects regardless of key order', () => {
    expect(compareResults([{ x: { a: 1.0, b: [1, 2] } }], [{ x: { b: [1, 2], a: 1 } }], {})).toBeUndefined();
    expect(compareResults([{ x: [1, 2] }], [{ x: [2, 1] }], {})).toBeDefined();
  });

  it('sorts bound arrays only with sort_bindings, and drops __localq vars only when asked', () => {
    expect(compareResults([{ x: [1, 'a', null] }], [{ x: ['a', null, 1] }], { sortBindings: true })).toBeUndefined();
    expect(compareResults([{ x: 1 }], [{ x: 1, __localq0__: 'y' }], {})).toBeDefined();
    expect(compareResults([{ x: 1 }], [{ x: 1, __localq0__: 'y' }], { ignoreGeneratedVars: true })).toBeUndefined();
  });

  it('orders JSON values like OPA', () => {
    const sorted = [{ a: 1 }, [1], 'b', 2, true, null, 'a', [0, 5], false].sort(compareJson);
    expect(sorted).toEqual([null, false, true, 2, 'a', 'b', [0, 5], [1], { a: 1 }]);
  });
});
