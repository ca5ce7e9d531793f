/** Instantiates the bare runtime module with host stubs, for unit tests of its exports. */
import { loadRuntime } from '../../../../src/compiler/wasm/runtime.ts';

type Fn = (...a: number[]) => number;
interface Mem {
  buffer: ArrayBuffer;
}
// The tsconfig lib has no DOM/WebAssembly value types; describe the slice used here.
const WA = (globalThis as unknown as {
  WebAssembly: {
    Memory: new (d: { initial: number }) => Mem;
    Module: new (b: Uint8Array) => unknown;
    Instance: new (m: unknown, i: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  };
}).WebAssembly;

export function instance(): { ex: Record<string, Fn>; parse(text: string, rego?: boolean): number; dump(v: number, rego?: boolean): string; aborted: string[] } {
  const rt = loadRuntime();
  const memory = new WA.Memory({ initial: 5 });
  const aborted: string[] = [];
  const cstr = (addr: number): string => {
    const b = new Uint8Array(memory.buffer);
    let e = addr;
    while (b[e] !== 0) e++;
    return new TextDecoder().decode(b.subarray(addr, e));
  };
  const inst = new WA.Instance(new WA.Module(rt.bytes), {
    env: {
      memory,
      opa_abort: (a: number) => {
        aborted.push(cstr(a));
        throw new Error(cstr(a));
      },
      opa_println: () => 0,
      opa_builtin0: () => 0,
      opa_builtin1: () => 0,
      opa_builtin2: () => 0,
      opa_builtin3: () => 0,
      opa_builtin4: () => 0,
    },
  });
  const ex = inst.exports as unknown as Record<string, Fn>;
  const parse = (text: string, rego = false): number => {
    const bytes = new TextEncoder().encode(text);
    const p = ex['opa_malloc']!(bytes.length);
    new Uint8Array(memory.buffer).set(bytes, p);
    return ex[rego ? 'opa_value_parse' : 'opa_json_parse']!(p, bytes.length);
  };
  const dump = (v: number, rego = false): string => cstr(ex[rego ? 'opa_value_dump' : 'opa_json_dump']!(v));
  return { ex, parse, dump, aborted };
}

