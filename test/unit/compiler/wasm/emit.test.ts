/** The IR → Wasm backend, checked through the unmodified opa-wasm SDK. */
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime } from '../../../../src/compiler/wasm/runtime.ts';
import { WardenError } from '../../../../src/errors.ts';
import type { Operand, Policy, Stmt } from '../../../../src/compiler/ir/types.ts';
import { emitWasm } from '../../../../src/compiler/wasm/index.ts';

const at = { file: 0, row: 1, col: 1 };
const L = (value: number): Operand => ({ type: 'local', value });
const S = (value: number): Operand => ({ type: 'string_index', value });
function st<T extends Stmt['type']>(type: T, stmt: Record<string, unknown>): Stmt {
  return { type, stmt: { ...stmt, ...at } } as unknown as Stmt;
}
/** A policy whose single plan runs `stmts` and then emits the row {"x": local 9}. String 0 is "x". */
function policy(strings: string[], stmts: Stmt[], extra: Partial<Policy> = {}): Policy {
  return {
    static: { strings: ['x', ...strings].map((value) => ({ value })), files: [{ value: 'module-0.rego' }], ...(extra.static ?? {}) },
    plans: {
      plans: [
        {
          name: 'eval',
          blocks: [
            {
              stmts: [
                ...stmts,
                st('MakeObjectStmt', { target: 20 }),
                st('ObjectInsertStmt', { key: S(0), value: L(9), object: 20 }),
                st('ResultSetAddStmt', { value: 20 }),
              ],
            },
          ],
        },
      ],
    },
    funcs: extra.funcs ?? { funcs: null },
  };
}
// The tsconfig lib has no WebAssembly value types; describe the slice used here.
const WA = (globalThis as unknown as {
  WebAssembly: {
    Module: (new (b: Uint8Array) => object) & {
      exports(m: object): { name: string }[];
      imports(m: object): { module: string; name: string }[];
    };
  };
}).WebAssembly;
const buf = (text: string): ArrayBuffer => new TextEncoder().encode(text).buffer as ArrayBuffer;

describe('emitWasm', () => {
  // On a clean clone the runtime is built on first use (tens of seconds on a busy machine).
  beforeAll(() => void loadRuntime(), 180_000);

  it('produces an ABI 1.2 module with only the imports the SDK provides', () => {
    const bytes = emitWasm(policy([], [st('MakeNullStmt', { target: 9 })]));
    const mod = new WA.Module(bytes);
    const exports = WA.Module.exports(mod).map((e) => e.name);
    for (const name of ['eval', 'opa_eval', 'builtins', 'entrypoints', 'opa_malloc', 'opa_heap_ptr_get', 'opa_heap_ptr_set', 'opa_json_parse', 'opa_json_dump', 'opa_eval_ctx_new', 'opa_wasm_abi_version', 'opa_wasm_abi_minor_version'])
      expect(exports).toContain(name);
    const imports = WA.Module.imports(mod).map((i) => `${i.module}.${i.name}`);
    expect(imports.every((i) => /^env\.(memory|opa_abort|opa_println|opa_builtin[0-4])$/.test(i))).toBe(true);
  });

  it('evaluates a plan that reads input and calls a native builtin', async () => {
    // x := input.n + 1
    const p = policy(['n', '1'], [
      st('DotStmt', { source: L(0), key: S(1), target: 3 }),
      st('MakeNumberRefStmt', { Index: 2, target: 4 }),
      st('CallStmt', { func: 'plus', args: [L(3), L(4)], result: 9 }),
    ], { static: { strings: [], files: [], builtin_funcs: [{ name: 'plus', decl: { type: 'function', args: [{ type: 'number' }, { type: 'number' }], result: { type: 'number' } } }] } } as Partial<Policy>);
    p.static.strings = ['x', 'n', '1'].map((value) => ({ value }));
    p.static.files = [{ value: 'module-0.rego' }];
    const inst = await loadPolicy(emitWasm(p));
    expect(inst.evaluate({ n: 41 })).toEqual([{ x: 42 }]);
    expect(inst.evaluate({ n: 'a' })).toEqual([]); // type error → undefined, not a crash
    expect(inst.evaluate({})).toEqual([]);
  });

  it('passes falsy inputs given as JSON text and keeps results apart per evaluation', async () => {
    const inst = await loadPolicy(emitWasm(policy([], [st('AssignVarStmt', { source: L(0), target: 9 })])));
    expect(inst.evaluate(buf('0'))).toEqual([{ x: 0 }]);
    expect(inst.evaluate(buf('false'))).toEqual([{ x: false }]);
    expect(inst.evaluate(buf('{"a": {1, 2}}'))).toEqual([{ x: { a: [1, 2] } }]); // Rego value syntax for input
    expect(inst.evaluate(undefined)).toEqual([{ x: null }]); // an undefined member never breaks the JSON result
  });

  it('calls host builtins by name and turns a declared set result back into a set', async () => {
    const decl = { type: 'function' as const, args: [{ type: 'any' as const }], result: { type: 'set' as const, of: { type: 'any' as const } } };
    const p = policy([], [st('CallStmt', { func: 'custom.members', args: [L(0)], result: 9 })]);
    p.static.builtin_funcs = [{ name: 'custom.members', decl }];
    const seen: unknown[] = [];
    const inst = await loadPolicy(emitWasm(p), undefined, {
      'custom.members': (v: unknown) => {
        seen.push(v);
        return [3, 1, 3];
      },
    });
    expect(inst.evaluate({ q: 1 })).toEqual([{ x: [1, 3] }]);
    expect(seen).toEqual([{ q: 1 }]);
  });

  it('raises a conflict error when a complete rule gets two values', async () => {
    const fn = {
      name: 'g0.data.p',
      params: [0, 1],
      return: 2,
      path: ['g0', 'p'],
      blocks: [
        { stmts: [st('AssignVarOnceStmt', { source: S(1), target: 2 })] },
        { stmts: [st('AssignVarOnceStmt', { source: S(2), target: 2 })] },
        { stmts: [st('ReturnLocalStmt', { source: 2 })] },
      ],
    };
    const p = policy(['a', 'b'], [st('CallStmt', { func: 'g0.data.p', args: [L(0), L(1)], result: 9 })], { funcs: { funcs: [fn] } });
    const inst = await loadPolicy(emitWasm(p));
    expect(() => inst.evaluate({})).toThrow(/eval_conflict_error/);
  });

  it('makes failing builtins undefined by default and errors in strict mode', async () => {
    const p = policy(['1', '0'], [
      st('MakeNumberRefStmt', { Index: 1, target: 3 }),
      st('MakeNumberRefStmt', { Index: 2, target: 4 }),
      st('CallStmt', { func: 'div', args: [L(3), L(4)], result: 9 }),
    ]);
    p.static.builtin_funcs = [{ name: 'div', decl: { type: 'function', args: [{ type: 'number' }, { type: 'number' }], result: { type: 'number' } } }];
    expect((await loadPolicy(emitWasm(p))).evaluate({})).toEqual([]);
    const strict = await loadPolicy(emitWasm(p, { strictBuiltinErrors: true }));
    expect(() => strict.evaluate({})).toThrow(/divide by zero/);
  });

  it('applies `with` to a path of input and restores it afterwards', async () => {
    // x := [input.a.b with input.a.b as "w", input.a]
    const p = policy(['a', 'b', 'w'], [
      st('MakeArrayStmt', { capacity: 2, target: 9 }),
      st('WithStmt', {
        local: 0,
        path: [1, 2],
        value: S(3),
        block: { stmts: [st('DotStmt', { source: L(0), key: S(1), target: 5 }), st('DotStmt', { source: L(5), key: S(2), target: 6 }), st('ArrayAppendStmt', { value: L(6), array: 9 })] },
      }),
      st('DotStmt', { source: L(0), key: S(1), target: 7 }),
      st('ArrayAppendStmt', { value: L(7), array: 9 }),
    ]);
    const inst = await loadPolicy(emitWasm(p));
    expect(inst.evaluate({ a: { b: 'orig', c: 1 } })).toEqual([{ x: ['w', { b: 'orig', c: 1 }] }]);
  });

  it('also serves the older context-based ABI (eval + opa_eval_ctx_*)', async () => {
    const inst = await loadPolicy(emitWasm(policy([], [st('AssignVarStmt', { source: L(0), target: 9 })])));
    const ex = (inst as unknown as { wasmInstance: { exports: Record<string, (...a: number[]) => number> } }).wasmInstance.exports;
    const mem = (inst as unknown as { mem: { buffer: ArrayBuffer } }).mem;
    const text = new TextEncoder().encode('{"k":[1,2]}');
    const addr = ex['opa_malloc']!(text.length);
    new Uint8Array(mem.buffer).set(text, addr);
    const input = ex['opa_json_parse']!(addr, text.length);
    const ctx = ex['opa_eval_ctx_new']!();
    ex['opa_eval_ctx_set_input']!(ctx, input);
    ex['opa_eval_ctx_set_data']!(ctx, input);
    ex['opa_eval_ctx_set_entrypoint']!(ctx, 0);
    ex['eval']!(ctx);
    const out = ex['opa_json_dump']!(ex['opa_eval_ctx_get_result']!(ctx));
    const bytes = new Uint8Array(mem.buffer);
    let end = out;
    while (bytes[end] !== 0) end++;
    expect(JSON.parse(new TextDecoder().decode(bytes.subarray(out, end)))).toEqual([{ x: { k: [1, 2] } }]);
  });

  it('handles inputs far larger than the initial memory', async () => {
    const inst = await loadPolicy(emitWasm(policy([], [st('LenStmt', { source: L(0), target: 9 })])));
    const big = Array.from({ length: 100_000 }, (_, i) => ({ i, s: 'x'.repeat(20) }));
    expect(inst.evaluate(big)).toEqual([{ x: 100_000 }]);
    expect(inst.evaluate([1])).toEqual([{ x: 1 }]);
  });

  it('rejects IR it cannot compile with a WARDEN_POLICY_ERROR', () => {
    const bad = policy([], [st('CallStmt', { func: 'no.such.function', args: [], result: 9 })]);
    expect(() => emitWasm(bad)).toThrow(WardenError);
    try {
      emitWasm(bad);
    } catch (e) {
      expect((e as WardenError).code).toBe('WARDEN_POLICY_ERROR');
      expect((e as Error).message).toMatch(/undefined function: no\.such\.function/);
    }
    expect(() => emitWasm({} as Policy)).toThrow(/not an IR policy/);
  });
});
