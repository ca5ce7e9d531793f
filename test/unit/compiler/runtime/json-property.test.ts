/** Property test: the runtime's JSON parse/dump round-trips arbitrary JSON and never crashes on junk. */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime } from '../../../../src/compiler/wasm/runtime.ts';
import { instance } from './instance.ts';

describe('runtime JSON (property)', () => {
  beforeAll(() => void loadRuntime(), 180_000);

  it('round-trips any JSON value (objects compared regardless of key order)', () => {
    const { parse, dump, ex } = instance();
    const base = ex['opa_heap_ptr_get']!();
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
        ex['opa_heap_ptr_set']!(base);
        const text = JSON.stringify(v);
        const addr = parse(text);
        expect(addr).not.toBe(0);
        expect(JSON.parse(dump(addr))).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('returns 0 (not a crash) for arbitrary non-JSON text', () => {
    const { parse, ex } = instance();
    const base = ex['opa_heap_ptr_get']!();
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        ex['opa_heap_ptr_set']!(base);
        let valid = true;
        try {
          JSON.parse(s);
        } catch {
          valid = false;
        }
        const addr = parse(s);
        // Whitespace-only and similar edge cases must agree with JSON.parse on validity.
        expect(addr !== 0).toBe(valid);
      }),
      { numRuns: 500 },
    );
  });
});
