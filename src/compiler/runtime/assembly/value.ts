// OPA's value model. Every value is a pointer to a small header whose first byte
// is its type tag; the tags follow OPA's total order (null < boolean < number <
// string < array < object < set). Address 0 means "undefined".
import { malloc, calloc, abortStr } from "./mem";
import { T_NULL, T_BOOLEAN, T_NUMBER, T_STRING, T_ARRAY, T_OBJECT, T_SET, N_INT, N_FLOAT, N_REF } from "./tags";
import { numAsI64, opa_number_int } from "./number";
import { value_hash, value_equal } from "./order";

export * from "./tags";
export * from "./number";
export * from "./order";

// Static singletons.
const NULL_V: usize = memory.data<u8>([1, 0, 0, 0, 0, 0, 0, 0]);
const TRUE_V: usize = memory.data<u8>([2, 1, 0, 0, 0, 0, 0, 0]);
const FALSE_V: usize = memory.data<u8>([2, 0, 0, 0, 0, 0, 0, 0]);

// @ts-ignore: decorator
@inline export function vtype(v: usize): u8 { return load<u8>(v); }

export function opa_null(): usize { return NULL_V; }
export function opa_boolean(b: i32): usize { return b ? TRUE_V : FALSE_V; }
// @ts-ignore: decorator
@inline export function boolVal(v: usize): bool { return load<u8>(v, 1) != 0; }

// ---- strings ----------------------------------------------------------------

export function opa_string(ptr: usize, len: u32): usize {
  const v = malloc(12);
  store<u32>(v, T_STRING);
  store<u32>(v, len, 4);
  store<u32>(v, <u32>ptr, 8);
  return v;
}
// @ts-ignore: decorator
@inline export function strLen(v: usize): u32 { return load<u32>(v, 4); }
// @ts-ignore: decorator
@inline export function strPtr(v: usize): usize { return load<u32>(v, 8); }

export function opa_string_terminated(s: usize): usize {
  let n: u32 = 0;
  while (load<u8>(s + n) != 0) n++;
  return opa_string(s, n);
}

/** A string value from an AssemblyScript literal (ASCII/UTF-8 encoded into the heap). */
export function strFromLit(s: string): usize {
  const n = s.length;
  const buf = malloc(<usize>n * 3 + 1);
  let o: u32 = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) { store<u8>(buf + o, <u8>c); o++; }
    else if (c < 0x800) { store<u8>(buf + o, <u8>(0xc0 | (c >> 6))); store<u8>(buf + o + 1, <u8>(0x80 | (c & 0x3f))); o += 2; }
    else { store<u8>(buf + o, <u8>(0xe0 | (c >> 12))); store<u8>(buf + o + 1, <u8>(0x80 | ((c >> 6) & 0x3f))); store<u8>(buf + o + 2, <u8>(0x80 | (c & 0x3f))); o += 3; }
  }
  return opa_string(buf, o);
}

// ---- arrays -----------------------------------------------------------------
// @4 len, @8 cap, @12 elems (u32 value pointers)

export function opa_array_with_cap(cap: i32): usize {
  const v = malloc(16);
  store<u32>(v, T_ARRAY);
  store<u32>(v, 0, 4);
  const c: u32 = cap > 0 ? <u32>cap : 0;
  store<u32>(v, c, 8);
  store<u32>(v, c > 0 ? <u32>malloc(<usize>c << 2) : 0, 12);
  return v;
}
export function opa_array(): usize { return opa_array_with_cap(0); }
// @ts-ignore: decorator
@inline export function arrLen(v: usize): u32 { return load<u32>(v, 4); }
// @ts-ignore: decorator
@inline export function arrGet(v: usize, i: u32): usize { return load<u32>(load<u32>(v, 12) + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline export function arrSet(v: usize, i: u32, x: usize): void { store<u32>(load<u32>(v, 12) + (<usize>i << 2), <u32>x); }

export function opa_array_append(a: usize, x: usize): void {
  const len = arrLen(a);
  let cap = load<u32>(a, 8);
  if (len == cap) {
    const ncap = cap < 4 ? 4 : cap * 2;
    const ne = malloc(<usize>ncap << 2);
    if (len > 0) memory.copy(ne, load<u32>(a, 12), <usize>len << 2);
    store<u32>(a, <u32>ne, 12);
    store<u32>(a, ncap, 8);
  }
  store<u32>(load<u32>(a, 12) + (<usize>len << 2), <u32>x);
  store<u32>(a, len + 1, 4);
}

// ---- objects and sets -------------------------------------------------------
// Header: @4 len, @8 nbuckets, @12 buckets, @16 head entry, @20 tail entry.
// Entry: @0 key, @4 value, @8 next in bucket, @12 next in insertion order, @16 hash.

export function opa_object(): usize {
  const v = calloc(24);
  store<u8>(v, T_OBJECT);
  return v;
}
export function opa_set(): usize {
  const v = calloc(24);
  store<u8>(v, T_SET);
  return v;
}
// @ts-ignore: decorator
@inline export function hLen(v: usize): u32 { return load<u32>(v, 4); }
// @ts-ignore: decorator
@inline export function hHead(v: usize): usize { return load<u32>(v, 16); }
// @ts-ignore: decorator
@inline export function eKey(e: usize): usize { return load<u32>(e); }
// @ts-ignore: decorator
@inline export function eVal(e: usize): usize { return load<u32>(e, 4); }
// @ts-ignore: decorator
@inline export function eNext(e: usize): usize { return load<u32>(e, 12); }

/** Finds the entry for `key`, or 0. */
export function hFind(h: usize, key: usize, hash: u32): usize {
  const nb = load<u32>(h, 8);
  if (nb == 0) return 0;
  let e: usize = load<u32>(load<u32>(h, 12) + (<usize>(hash & (nb - 1)) << 2));
  while (e != 0) {
    if (load<u32>(e, 16) == hash && value_equal(eKey(e), key)) return e;
    e = load<u32>(e, 8);
  }
  return 0;
}

function hGrow(h: usize): void {
  const nb = load<u32>(h, 8);
  const nnb: u32 = nb == 0 ? 8 : nb * 2;
  const buckets = calloc(<usize>nnb << 2);
  store<u32>(h, nnb, 8);
  store<u32>(h, <u32>buckets, 12);
  let e = hHead(h);
  while (e != 0) {
    const slot = buckets + (<usize>(load<u32>(e, 16) & (nnb - 1)) << 2);
    store<u32>(e, load<u32>(slot), 8);
    store<u32>(slot, <u32>e);
    e = eNext(e);
  }
}

/** Inserts or replaces; returns the entry. */
export function hInsert(h: usize, key: usize, val: usize): usize {
  const hash = value_hash(key);
  const found = hFind(h, key, hash);
  if (found != 0) { store<u32>(found, <u32>val, 4); return found; }
  const len = hLen(h);
  if (len + 1 > (load<u32>(h, 8) >> 1) + (load<u32>(h, 8) >> 2)) hGrow(h);
  const nb = load<u32>(h, 8);
  const e = malloc(20);
  store<u32>(e, <u32>key);
  store<u32>(e, <u32>val, 4);
  const slot = load<u32>(h, 12) + (<usize>(hash & (nb - 1)) << 2);
  store<u32>(e, load<u32>(slot), 8);
  store<u32>(slot, <u32>e);
  store<u32>(e, 0, 12);
  store<u32>(e, hash, 16);
  const tail = load<u32>(h, 20);
  if (tail == 0) store<u32>(h, <u32>e, 16); else store<u32>(tail, <u32>e, 12);
  store<u32>(h, <u32>e, 20);
  store<u32>(h, len + 1, 4);
  return e;
}

export function opa_object_insert(o: usize, k: usize, v: usize): void { hInsert(o, k, v); }
export function opa_set_add(s: usize, v: usize): void { hInsert(s, v, 0); }

export function object_get(o: usize, k: usize): usize {
  const e = hFind(o, k, value_hash(k));
  return e == 0 ? 0 : eVal(e);
}
export function set_contains(s: usize, k: usize): bool {
  return hFind(s, k, value_hash(k)) != 0;
}

/** Object lookup by raw string bytes. */
export function object_get_str(o: usize, p: usize, n: u32): usize {
  const tmp = memory.data(12);
  store<u32>(tmp, T_STRING);
  store<u32>(tmp, n, 4);
  store<u32>(tmp, <u32>p, 8);
  return object_get(o, tmp);
}

// ---- generic operations -----------------------------------------------------

/** opa_value_get: object member, array element, set member (the member itself). */
export function opa_value_get(v: usize, k: usize): usize {
  if (v == 0 || k == 0) return 0;
  const t = vtype(v);
  if (t == T_OBJECT) return object_get(v, k);
  if (t == T_ARRAY) {
    if (vtype(k) != T_NUMBER) return 0;
    const tmp = memory.data(8);
    if (!numAsI64(k, tmp)) return 0;
    const i = load<i64>(tmp);
    if (i < 0 || i >= <i64>arrLen(v)) return 0;
    return arrGet(v, <u32>i);
  }
  if (t == T_SET) {
    const e = hFind(v, k, value_hash(k));
    return e == 0 ? 0 : eKey(e);
  }
  return 0;
}

/**
 * Lookup into the base data document: like OPA's storage paths, a number key
 * also finds the member whose (string) key is that number's text.
 */
export function opa_value_get_base(v: usize, k: usize): usize {
  const r = opa_value_get(v, k);
  if (r != 0 || v == 0 || k == 0 || vtype(v) != T_OBJECT || vtype(k) != T_NUMBER) return r;
  const tmp = memory.data(8);
  if (!numAsI64(k, tmp)) return 0;
  let i = load<i64>(tmp);
  const buf = memory.data(24);
  let n: u32 = 0;
  const neg = i < 0;
  let u: u64 = neg ? <u64>(-i) : <u64>i;
  const rev = memory.data(24);
  do { store<u8>(rev + n, <u8>(48 + <u32>(u % 10))); n++; u /= 10; } while (u != 0);
  let o: u32 = 0;
  if (neg) { store<u8>(buf, 45); o = 1; }
  for (let j: u32 = 0; j < n; j++) store<u8>(buf + o + j, load<u8>(rev + n - 1 - j));
  return object_get_str(v, buf, o + n);
}

export function opa_value_type(v: usize): i32 { return v == 0 ? 0 : <i32>vtype(v); }

/** Number of elements (or bytes for strings, as OPA's opa_value_length). */
export function opa_value_length(v: usize): i32 {
  const t = vtype(v);
  if (t == T_ARRAY) return <i32>arrLen(v);
  if (t == T_OBJECT || t == T_SET) return <i32>hLen(v);
  if (t == T_STRING) return <i32>strLen(v);
  return 0;
}

export function opa_value_shallow_copy(v: usize): usize {
  const t = vtype(v);
  if (t == T_OBJECT || t == T_SET) {
    const r = t == T_OBJECT ? opa_object() : opa_set();
    let e = hHead(v);
    while (e != 0) { hInsert(r, eKey(e), eVal(e)); e = eNext(e); }
    return r;
  }
  if (t == T_ARRAY) {
    const n = arrLen(v);
    const r = opa_array_with_cap(<i32>n);
    if (n > 0) memory.copy(load<u32>(r, 12), load<u32>(v, 12), <usize>n << 2);
    store<u32>(r, n, 4);
    return r;
  }
  return v;
}

/** Deep merge of two objects (OPA's opa_value_merge): on a clash of non-objects `a` (base data) wins. */
export function opa_value_merge(a: usize, b: usize): usize {
  if (a == 0) return b;
  if (b == 0) return a;
  if (vtype(a) != T_OBJECT || vtype(b) != T_OBJECT) return a;
  const r = opa_object();
  let e = hHead(a);
  while (e != 0) {
    const k = eKey(e);
    const bv = object_get(b, k);
    hInsert(r, k, bv == 0 ? eVal(e) : opa_value_merge(eVal(e), bv));
    e = eNext(e);
  }
  e = hHead(b);
  while (e != 0) {
    const k = eKey(e);
    if (object_get(a, k) == 0) hInsert(r, k, eVal(e));
    e = eNext(e);
  }
  return r;
}

// ---- iteration (ScanStmt) ---------------------------------------------------
// A cursor is 0 before the first element; for arrays it is index + 1, for
// objects and sets the current entry address.

export function iter_next(src: usize, cur: usize): usize {
  if (src == 0) return 0;
  const t = vtype(src);
  if (t == T_ARRAY) return cur < <usize>arrLen(src) ? cur + 1 : 0;
  if (t == T_OBJECT || t == T_SET) return cur == 0 ? hHead(src) : eNext(cur);
  return 0;
}
export function iter_key(src: usize, cur: usize): usize {
  const t = vtype(src);
  if (t == T_ARRAY) return opa_number_int(<i64>(cur - 1));
  return eKey(cur);
}
export function iter_value(src: usize, cur: usize): usize {
  const t = vtype(src);
  if (t == T_ARRAY) return arrGet(src, <u32>(cur - 1));
  if (t == T_OBJECT) return eVal(cur);
  return eKey(cur);
}

/** OPA's opa_value_iter: the key following `prev` (0 = first). */
export function opa_value_iter(v: usize, prev: usize): usize {
  if (v == 0) return 0;
  const t = vtype(v);
  if (t == T_ARRAY) {
    let i: i64 = 0;
    if (prev != 0) { const tmp = memory.data(8); if (!numAsI64(prev, tmp)) return 0; i = load<i64>(tmp) + 1; }
    return i < <i64>arrLen(v) ? opa_number_int(i) : 0;
  }
  if (t == T_OBJECT || t == T_SET) {
    if (prev == 0) { const h = hHead(v); return h == 0 ? 0 : eKey(h); }
    const e = hFind(v, prev, value_hash(prev));
    if (e == 0) return 0;
    const nx = eNext(e);
    return nx == 0 ? 0 : eKey(nx);
  }
  return 0;
}

export function unreachableType(): void { abortStr("internal error: bad value type"); }
