// The OPA Wasm ABI (1.2) surface of warden's runtime. The backend adds `eval`,
// `opa_eval`, `builtins` and `entrypoints`, generated per policy, and calls the
// functions exported here by name.
import { malloc, heap_ptr, heap_base, ensureInit, arenaReset } from "./mem";
export { opa_arena_init } from "./mem";
import { opa_value_parse, host_tagging } from "./json";
import { opa_json_dump } from "./json_dump";
import { opa_set, opa_set_add, hInsert, opa_object, vtype, T_ARRAY, T_OBJECT, arrLen, arrGet, opa_value_get, opa_value_shallow_copy } from "./value";

export const opa_wasm_abi_version: i32 = 1;
export const opa_wasm_abi_minor_version: i32 = 2;

export { heap_base };
export { opa_malloc_export as opa_malloc };
export function opa_malloc_export(size: usize): usize { return malloc(size); }
export function opa_free(p: usize): void {}
export function opa_heap_ptr_get(): usize { ensureInit(); return heap_ptr; }
// A builtin that threw leaves tagging on: every evaluation starts by setting the heap.
export function opa_heap_ptr_set(p: usize): void { arenaReset(); heap_ptr = p; host_tagging(false); }

export { opa_json_parse, opa_value_parse } from "./json";
export { opa_json_dump, opa_value_dump, json_string, rego_text } from "./json_dump";
export {
  opa_null, opa_boolean, opa_number_int, opa_number_float, opa_number_ref, number_set_int, opa_string,
  opa_string_terminated, opa_array, opa_array_with_cap, opa_array_append, opa_object, opa_set, opa_object_insert,
  opa_set_add, opa_value_get, opa_value_get_base, opa_value_type, opa_value_length, opa_value_shallow_copy, opa_value_merge,
  opa_value_compare, value_equal, value_hash, iter_next, iter_key, iter_value, opa_value_iter,
} from "./value";
export { opa_set_strict } from "./builtins/common";
export * from "./builtins/core";
export * from "./builtins/strings";
export * from "./builtins/objects";
export * from "./builtins/encoding";
export * from "./builtins/jsonpath";
export * from "./builtins/format";
export * from "./builtins/regex";
export * from "./builtins/regex_find";
export * from "./builtins/net";
import { bump_eval_gen } from "./builtins/regex";

// ---- evaluation context -----------------------------------------------------
// ctx: @0 input, @4 data, @8 result, @12 entrypoint

export function opa_eval_ctx_new(): usize {
  const c = malloc(16);
  memory.fill(c, 0, 16);
  return c;
}
export function opa_eval_ctx_set_input(c: usize, v: usize): void { store<u32>(c, <u32>v); }
export function opa_eval_ctx_set_data(c: usize, v: usize): void { store<u32>(c, <u32>v, 4); }
export function opa_eval_ctx_set_entrypoint(c: usize, e: i32): void { store<i32>(c, e, 12); }
export function opa_eval_ctx_get_result(c: usize): usize { return load<u32>(c, 8); }

/** First half of the one-call ABI (opa_eval): heap, input and context. */
export function opa_eval_prepare(entrypoint: i32, data: usize, inputAddr: usize, inputLen: usize, heapPtr: usize): usize {
  arenaReset();
  heap_ptr = heapPtr != 0 ? (heapPtr + 7) & ~7 : heap_ptr;
  host_tagging(false);
  ensureInit();
  let input: usize = 0;
  if (inputAddr != 0) {
    input = opa_value_parse(inputAddr, inputLen);
    if (input == 0) abortBadInput();
  }
  const c = opa_eval_ctx_new();
  store<u32>(c, <u32>input);
  store<u32>(c, <u32>data, 4);
  store<i32>(c, entrypoint, 12);
  return c;
}
function abortBadInput(): void {
  // Keep the message short: it travels through opa_abort.
  const m = memory.data<u8>([105, 110, 112, 117, 116, 32, 105, 115, 32, 110, 111, 116, 32, 118, 97, 108, 105, 100, 32, 74, 83, 79, 78, 0]);
  abortAt(m);
}
// @ts-ignore: decorator
@external("env", "opa_abort")
declare function abortAt(addr: usize): void;

/** Second half of opa_eval: the result set as NUL-terminated JSON. */
export function opa_eval_finish(c: usize): usize {
  return opa_json_dump(load<u32>(c, 8));
}

// ---- memoization of rule results (per evaluation, scoped by `with`) ---------
// frame: @0 previous frame, then one slot per function index.
let memoFrame: usize = 0;
let memoSlots: u32 = 0;
export function memo_init(n: u32): void {
  bump_eval_gen();
  memoSlots = n;
  memoFrame = 0;
  memo_push();
}
export function memo_push(): void {
  const f = malloc(4 + (<usize>memoSlots << 2));
  memory.fill(f, 0, 4 + (<usize>memoSlots << 2));
  store<u32>(f, <u32>memoFrame);
  memoFrame = f;
}
export function memo_pop(): void { memoFrame = load<u32>(memoFrame); }
export function memo_get(i: u32): usize { return load<u32>(memoFrame + 4 + (<usize>i << 2)); }
export function memo_insert(i: u32, v: usize): void { store<u32>(memoFrame + 4 + (<usize>i << 2), <u32>v); }

// ---- calls to builtins implemented by the host (customBuiltins) -------------
// @ts-ignore: decorator
@external("env", "opa_builtin0") declare function opa_builtin0(id: i32, ctx: i32): usize;
// @ts-ignore: decorator
@external("env", "opa_builtin1") declare function opa_builtin1(id: i32, ctx: i32, a: usize): usize;
// @ts-ignore: decorator
@external("env", "opa_builtin2") declare function opa_builtin2(id: i32, ctx: i32, a: usize, b: usize): usize;
// @ts-ignore: decorator
@external("env", "opa_builtin3") declare function opa_builtin3(id: i32, ctx: i32, a: usize, b: usize, c: usize): usize;
// @ts-ignore: decorator
@external("env", "opa_builtin4") declare function opa_builtin4(id: i32, ctx: i32, a: usize, b: usize, c: usize, d: usize): usize;
// @ts-ignore: decorator
@external("env", "opa_println") declare function opa_println(addr: usize): void;

/** Host results cross as JSON, so a declared set arrives as an array: turn it back. */
function hostResult(v: usize, flags: i32): usize {
  if (v != 0 && (flags & 1) != 0) return toSetDeep(v);
  return v;
}
function toSetDeep(v: usize): usize {
  if (vtype(v) != T_ARRAY) return v;
  const s = opa_set();
  const n = arrLen(v);
  for (let i: u32 = 0; i < n; i++) opa_set_add(s, arrGet(v, i));
  return s;
}
// Host builtins see their arguments (and answer) in the tagged encoding (json.ts).
export function ext_call0(id: i32, flags: i32): usize { host_tagging(true); const r = opa_builtin0(id, 0); host_tagging(false); return hostResult(r, flags); }
export function ext_call1(id: i32, flags: i32, a: usize): usize { host_tagging(true); const r = opa_builtin1(id, 0, a); host_tagging(false); return hostResult(r, flags); }
export function ext_call2(id: i32, flags: i32, a: usize, b: usize): usize { host_tagging(true); const r = opa_builtin2(id, 0, a, b); host_tagging(false); return hostResult(r, flags); }
export function ext_call3(id: i32, flags: i32, a: usize, b: usize, c: usize): usize { host_tagging(true); const r = opa_builtin3(id, 0, a, b, c); host_tagging(false); return hostResult(r, flags); }
export function ext_call4(id: i32, flags: i32, a: usize, b: usize, c: usize, d: usize): usize { host_tagging(true); const r = opa_builtin4(id, 0, a, b, c, d); host_tagging(false); return hostResult(r, flags); }
export function opa_print(addr: usize): void { opa_println(addr); }

/** `with` on a path: a copy of `base` whose document at `path` (an array of keys) is `value`. */
export function with_upsert(base: usize, path: usize, value: usize): usize {
  const n = arrLen(path);
  const root = base != 0 && vtype(base) == T_OBJECT ? opa_value_shallow_copy(base) : opa_object();
  let cur = root;
  for (let i: u32 = 0; i + 1 < n; i++) {
    const k = arrGet(path, i);
    const next = opa_value_get(cur, k);
    const copy = next != 0 && vtype(next) == T_OBJECT ? opa_value_shallow_copy(next) : opa_object();
    hInsert(cur, k, copy);
    cur = copy;
  }
  hInsert(cur, arrGet(path, n - 1), value);
  return root;
}
