/**
 * The Wasm backend: links a compiled IR policy onto warden's pre-built OPA
 * runtime. The runtime module is parsed once; per policy we append the plan
 * and rule functions, `eval`/`opa_eval`/`builtins`/`entrypoints`, a start
 * function and one data segment (string table, interned values, messages).
 */
import { WardenError } from '../../errors.ts';
import { hostBuiltinName } from '../builtins/decls.ts';
import { type Policy, validatePolicy } from '../ir/types.ts';
import { compileFunc, FuncBuilder, type Linker, OP } from './codegen.ts';
import { linkModule } from './link.ts';
import { loadRuntime } from './runtime.ts';
import { DataBuilder, Types } from './statics.ts';

export interface EmitOptions {
  /** Builtin errors abort evaluation (Go's WithStrictBuiltinErrors) instead of making the call undefined. */
  strictBuiltinErrors?: boolean;
}

/** Whether the runtime implements builtin `name` natively (no host call). */
export function isNativeBuiltin(name: string): boolean {
  return loadRuntime().funcs.has(nativeName(name));
}

/** The subset of `names` the runtime implements natively. */
export function nativeBuiltins(names: Iterable<string>): string[] {
  return [...names].filter(isNativeBuiltin);
}

/** Compiles an IR policy to an OPA Wasm (ABI 1.2) module. Throws WardenError(WARDEN_POLICY_ERROR) on IR it cannot compile. */
export function emitWasm(policy: Policy, options: EmitOptions = {}): Uint8Array {
  try {
    return emit(policy, options);
  } catch (err) {
    if (err instanceof WardenError) throw err;
    throw new WardenError('WARDEN_POLICY_ERROR', `Rego Wasm backend: ${(err as Error).message}`, undefined, { cause: err });
  }
}

function emit(policy: Policy, options: EmitOptions): Uint8Array {
  const problems = validatePolicy(policy);
  if (problems.length > 0) throw new Error(`not an IR policy: ${problems.join('; ')}`);
  const rt = loadRuntime();
  const strings = policy.static.strings.map((s) => s.value);
  const data = new DataBuilder(rt.heapBase, strings);
  const funcs = policy.funcs?.funcs ?? [];
  const plans = policy.plans.plans;
  const builtinFuncs = policy.static.builtin_funcs ?? [];

  // Function index space: runtime functions, then ours in this order.
  const first = rt.importedFuncCount + rt.definedFuncCount;
  const idxStart = first;
  const idxEval = first + 1;
  const idxOpaEval = first + 2;
  const idxBuiltins = first + 3;
  const idxEntrypoints = first + 4;
  const funcIndex = new Map<string, number>();
  const memoSlot = new Map<string, number>();
  const funcsByPath = new Map<string, string>();
  funcs.forEach((f, i) => {
    funcIndex.set(f.name, first + 5 + i);
    if (f.params.length === 2) memoSlot.set(f.name, i);
    if (f.path && f.path.length > 0) funcsByPath.set(f.path.join('\u0000'), f.name);
  });

  const externals = new Map<string, { id: number; flags: number }>();
  const externalJson: Record<string, number> = {};
  builtinFuncs.forEach((b, id) => {
    if (rt.funcs.has(nativeName(b.name))) return;
    externals.set(b.name, { id, flags: b.decl.result?.type === 'set' ? 1 : 0 });
    // opa-wasm answers a few builtins itself before customBuiltins: import those under warden's alias.
    externalJson[hostBuiltinName(b.name)] = id;
  });

  const rtFunc = (name: string): number => {
    const i = rt.funcs.get(name);
    if (i === undefined) throw new Error(`runtime function missing: ${name}`);
    return i;
  };
  const abortFunc = rt.imports.get('opa_abort');
  if (abortFunc === undefined) throw new Error('runtime does not import opa_abort');
  const link: Linker = {
    rt: rtFunc,
    abortFunc,
    funcIndex,
    memoSlot,
    native: (name) => rt.funcs.get(nativeName(name)),
    external: (name) => externals.get(name),
    fileName: (i) => policy.static.files[i]?.value ?? '<unknown>',
    funcsByPath,
  };

  const types = new Types(rt.typeCount);
  const funcTypes: number[] = [];
  const bodies: Uint8Array[] = [];

  // eval(ctx): wasm local 0 is ctx, 1 the result set, 2 the entrypoint id; IR locals follow.
  {
    const rs = 1;
    const eid = 2;
    const g = new FuncBuilder(policy, data, link, [-1], rs);
    g.paramCount = 1;
    g.temp();
    g.temp();
    g.const32(memoSlot.size > 0 ? funcs.length : 0);
    g.rt('memo_init');
    g.const32(options.strictBuiltinErrors ? 1 : 0);
    g.rt('opa_set_strict');
    g.get(0);
    g.w.byte(OP.i32Load);
    g.w.u32(2);
    g.w.u32(0);
    g.set(g.local(0));
    g.get(0);
    g.w.byte(OP.i32Load);
    g.w.u32(2);
    g.w.u32(4);
    g.set(g.local(1));
    g.rt('opa_set');
    g.set(rs);
    g.get(0);
    g.get(rs);
    g.w.byte(OP.i32Store);
    g.w.u32(2);
    g.w.u32(8);
    g.get(0);
    g.w.byte(OP.i32Load);
    g.w.u32(2);
    g.w.u32(12);
    g.set(eid);
    g.open();
    plans.forEach((plan, i) => {
      g.open();
      g.get(eid);
      g.const32(i);
      g.op(OP.i32Ne);
      g.brIf(0);
      for (const b of plan.blocks) g.wrapped(b);
      g.br(1);
      g.close();
    });
    g.const32(data.message('internal error: illegal entrypoint id'));
    g.call(abortFunc);
    g.op(OP.unreachable);
    g.close();
    bodies[1] = g.finish(() => g.const32(0));
    funcTypes[1] = types.get(1, true);
  }

  // opa_eval(reserved, entrypoint, data, inputAddr, inputLen, heapPtr, format)
  {
    const f = new FuncBuilder(policy, data, link, [-1, -2, -3, -4, -5, -6, -7], undefined);
    f.paramCount = 7;
    const ctx = f.temp();
    for (const p of [1, 2, 3, 4, 5]) f.get(p);
    f.rt('opa_eval_prepare');
    f.tee(ctx);
    f.call(idxEval);
    f.op(OP.drop);
    f.get(ctx);
    f.rt('opa_eval_finish');
    bodies[2] = f.finish(() => undefined);
    funcTypes[2] = types.get(7, true);
  }

  // builtins() and entrypoints(): parse a JSON constant.
  const jsonFunc = (json: string): Uint8Array => {
    const [addr, len] = data.text(json);
    const f = new FuncBuilder(policy, data, link, [], undefined);
    f.const32(addr);
    f.const32(len);
    f.rt('opa_json_parse');
    return f.finish(() => undefined);
  };
  bodies[3] = jsonFunc(JSON.stringify(externalJson));
  funcTypes[3] = types.get(0, true);
  bodies[4] = jsonFunc(JSON.stringify(Object.fromEntries(plans.map((p, i) => [p.name, i]))));
  funcTypes[4] = types.get(0, true);

  funcs.forEach((fn, i) => {
    bodies[5 + i] = compileFunc(policy, data, link, fn);
    funcTypes[5 + i] = types.get(fn.params.length, true);
  });

  // start(): the runtime's initialisers, then move the heap past our data
  // and, for policies that match patterns, an arena evaluations never reset
  // (compiled constant regex/glob patterns are kept there across evaluations).
  data.align(16);
  const arenaStart = data.addr();
  const arena = builtinFuncs.some((b) => usesPatternCache(b.name)) ? ARENA_BYTES : 0;
  const heapEnd = arenaStart + arena;
  {
    const f = new FuncBuilder(policy, data, link, [], undefined);
    if (rt.startFunc !== undefined) f.call(rt.startFunc);
    if (arena > 0) {
      f.const32(arenaStart);
      f.const32(heapEnd);
      f.rt('opa_arena_init');
    }
    f.const32(heapEnd);
    f.w.byte(OP.globalSet);
    f.w.u32(rt.heapBaseGlobal);
    bodies[0] = f.finish(() => undefined);
    funcTypes[0] = types.get(0, false);
  }

  return linkModule(rt, types, funcTypes, bodies, data, idxStart, [
    ['eval', idxEval],
    ['opa_eval', idxOpaEval],
    ['builtins', idxBuiltins],
    ['entrypoints', idxEntrypoints],
  ]);
}

/** Bytes reserved for compiled constant patterns (a few hundred typical patterns). */
const ARENA_BYTES = 64 * 1024;

function usesPatternCache(builtin: string): boolean {
  return builtin === 'glob.match' || builtin === 're_match' || builtin.startsWith('regex.');
}

function nativeName(builtin: string): string {
  return `b_${builtin.replace(/\./g, '_')}`;
}

