// OPA's value model. Every value is a pointer to a small header whose first byte
// is its type tag; the tags follow OPA's total order (null < boolean < number <
// string < array < object < set). Address 0 means "undefined".
import { malloc, calloc, abortStr } from "./mem";

export const T_NULL: u8 = 1;
export const T_BOOLEAN: u8 = 2;
export const T_NUMBER: u8 = 3;
export const T_STRING: u8 = 4;
export const T_ARRAY: u8 = 5;
export const T_OBJECT: u8 = 6;
export const T_SET: u8 = 7;

// Number representations (byte 1 of a number).
export const N_INT: u8 = 0;
export const N_FLOAT: u8 = 1;
export const N_REF: u8 = 2; // decimal text kept verbatim (@4 len, @8 ptr)

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

// ---- numbers ----------------------------------------------------------------

export function opa_number_int(i: i64): usize {
  const v = malloc(16);
  store<u32>(v, T_NUMBER); // tag + repr 0
  store<i64>(v, i, 8);
  return v;
}

export function opa_number_float(f: f64): usize {
  // Integral floats in range become ints, so printing and hashing stay canonical.
  if (f == Math.floor(f) && f > -9.007199254740992e15 && f < 9.007199254740992e15) return opa_number_int(<i64>f);
  const v = malloc(16);
  store<u8>(v, T_NUMBER);
  store<u8>(v, N_FLOAT, 1);
  store<f64>(v, f, 8);
  return v;
}

export function number_ref(ptr: usize, len: u32): usize {
  const v = malloc(16);
  store<u8>(v, T_NUMBER);
  store<u8>(v, N_REF, 1);
  store<u32>(v, len, 4);
  store<u32>(v, <u32>ptr, 8);
  return v;
}

// @ts-ignore: decorator
@inline export function numRepr(v: usize): u8 { return load<u8>(v, 1); }
// @ts-ignore: decorator
@inline export function numInt(v: usize): i64 { return load<i64>(v, 8); }

/** Parses decimal text into an f64 (exact for the common cases). */
export function parseF64(p: usize, n: u32): f64 {
  let i: u32 = 0;
  let neg = false;
  if (i < n && load<u8>(p + i) == 45) { neg = true; i++; }
  let mant: u64 = 0;
  let digits = 0;
  let exp10: i32 = 0;
  while (i < n) {
    const c = load<u8>(p + i);
    if (c < 48 || c > 57) break;
    if (digits < 19) { mant = mant * 10 + (c - 48); if (mant != 0) digits++; } else exp10++;
    i++;
  }
  if (i < n && load<u8>(p + i) == 46) {
    i++;
    while (i < n) {
      const c = load<u8>(p + i);
      if (c < 48 || c > 57) break;
      if (digits < 19) { mant = mant * 10 + (c - 48); if (mant != 0) digits++; exp10--; }
      i++;
    }
  }
  if (i < n && (load<u8>(p + i) | 32) == 101) {
    i++;
    let eneg = false;
    if (i < n && (load<u8>(p + i) == 45 || load<u8>(p + i) == 43)) { eneg = load<u8>(p + i) == 45; i++; }
    let e: i32 = 0;
    while (i < n) {
      const c = load<u8>(p + i);
      if (c < 48 || c > 57) break;
      if (e < 100000) e = e * 10 + (c - 48);
      i++;
    }
    exp10 += eneg ? -e : e;
  }
  let f = <f64>mant;
  if (mant == 0) return neg ? -0.0 : 0.0;
  if (exp10 >= 0) {
    if (exp10 <= 22 && mant < (<u64>1 << 53)) f = f * pow10(exp10);
    else f = f * Math.pow(10, <f64>exp10);
  } else {
    if (exp10 >= -22 && mant < (<u64>1 << 53)) f = f / pow10(-exp10);
    else if (exp10 < -300) f = (f / 1e300) / Math.pow(10, <f64>(-exp10 - 300));
    else f = f / Math.pow(10, <f64>(-exp10));
  }
  return neg ? -f : f;
}

function pow10(e: i32): f64 {
  let r: f64 = 1;
  let b: f64 = 10;
  while (e > 0) { if (e & 1) r *= b; b *= b; e >>= 1; }
  return r;
}

/** Tries to read decimal integer text as i64; returns false if it has a fraction/exponent or overflows. */
export function parseI64(p: usize, n: u32, out: usize): bool {
  let i: u32 = 0;
  let neg = false;
  if (n == 0) return false;
  if (load<u8>(p) == 45) { neg = true; i = 1; if (n == 1) return false; }
  if (n - i > 18) {
    // May still be an integer that fits; fall back to checking exactness via f64 range.
    return false;
  }
  let r: i64 = 0;
  for (; i < n; i++) {
    const c = load<u8>(p + i);
    if (c < 48 || c > 57) return false;
    r = r * 10 + (c - 48);
  }
  store<i64>(out, neg ? -r : r);
  return true;
}

export function numF64(v: usize): f64 {
  const r = numRepr(v);
  if (r == N_INT) return <f64>numInt(v);
  if (r == N_FLOAT) return load<f64>(v, 8);
  return parseF64(load<u32>(v, 8), load<u32>(v, 4));
}

/** True when the number is an integer that fits i64 (writes it to `out`). */
export function numAsI64(v: usize, out: usize): bool {
  const r = numRepr(v);
  if (r == N_INT) { store<i64>(out, numInt(v)); return true; }
  if (r == N_FLOAT) {
    const f = load<f64>(v, 8);
    if (f == Math.floor(f) && f > -9.2e18 && f < 9.2e18) { store<i64>(out, <i64>f); return true; }
    return false;
  }
  const p = load<u32>(v, 8);
  const n = load<u32>(v, 4);
  if (parseI64(p, n, out)) return true;
  const f = parseF64(p, n);
  if (f == Math.floor(f) && f > -9.2e18 && f < 9.2e18) {
    // Only exact when the text has no significant fraction digits; good enough for big-int text.
    store<i64>(out, <i64>f);
    return true;
  }
  return false;
}

/** OPA's `opa_number_ref(const char *)`: NUL-terminated decimal text. */
export function opa_number_ref(s: usize): usize {
  let n: u32 = 0;
  while (load<u8>(s + n) != 0) n++;
  return number_from_text(s, n);
}

export function number_from_text(p: usize, n: u32): usize {
  const tmp = memory.data(8);
  if (parseI64(p, n, tmp)) return opa_number_int(load<i64>(tmp));
  return number_ref(p, n);
}

export function number_set_int(v: usize, i: i64): void {
  store<u8>(v, N_INT, 1);
  store<i64>(v, i, 8);
}

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

// ---- hashing ----------------------------------------------------------------

// @ts-ignore: decorator
@inline function mix(h: u32): u32 {
  h ^= h >> 16; h *= 0x85ebca6b; h ^= h >> 13; h *= 0xc2b2ae35; h ^= h >> 16;
  return h;
}

export function hashBytes(p: usize, n: u32): u32 {
  let h: u32 = 0x811c9dc5;
  for (let i: u32 = 0; i < n; i++) { h ^= load<u8>(p + i); h *= 16777619; }
  return h;
}

function hashI64(i: i64): u32 { return mix(<u32>i ^ mix(<u32>(i >> 32) + 0x9e3779b9)); }

export function value_hash(v: usize): u32 {
  const t = vtype(v);
  switch (t) {
    case T_NULL: return 0x12345;
    case T_BOOLEAN: return boolVal(v) ? 0x2468 : 0x1357;
    case T_NUMBER: {
      if (numRepr(v) == N_INT) return hashI64(numInt(v));
      const f = numF64(v);
      if (f == Math.floor(f) && f > -9.2e18 && f < 9.2e18) return hashI64(<i64>f);
      return hashI64(reinterpret<i64>(f));
    }
    case T_STRING: return hashBytes(strPtr(v), strLen(v));
    case T_ARRAY: {
      let h: u32 = 0xabcdef;
      const n = arrLen(v);
      for (let i: u32 = 0; i < n; i++) h = mix(h * 31 + value_hash(arrGet(v, i)));
      return h;
    }
    case T_OBJECT: {
      let h: u32 = 0x6f626a;
      let e = hHead(v);
      while (e != 0) { h += mix(load<u32>(e, 16) * 31 + value_hash(eVal(e))); e = eNext(e); }
      return h;
    }
    case T_SET: {
      let h: u32 = 0x736574;
      let e = hHead(v);
      while (e != 0) { h += mix(load<u32>(e, 16)); e = eNext(e); }
      return h;
    }
  }
  return 0;
}

// ---- equality and ordering --------------------------------------------------

export function num_compare(a: usize, b: usize): i32 {
  if (numRepr(a) == N_INT && numRepr(b) == N_INT) {
    const x = numInt(a), y = numInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const ta = memory.data(8), tb = memory.data(8);
  if (numAsI64(a, ta) && numAsI64(b, tb)) {
    const x = load<i64>(ta), y = load<i64>(tb);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = numF64(a), y = numF64(b);
  if (x == y && numRepr(a) == N_REF && numRepr(b) == N_REF) return bigIntTextCompare(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Exact comparison of two integer texts too big for i64 (f64 cannot tell them apart). */
function bigIntTextCompare(a: usize, b: usize): i32 {
  let pa: usize = load<u32>(a, 8), na = load<u32>(a, 4);
  let pb: usize = load<u32>(b, 8), nb = load<u32>(b, 4);
  for (let i: u32 = 0; i < na; i++) { const c = load<u8>(pa + i); if (c == 46 || c == 101 || c == 69) return 0; }
  for (let i: u32 = 0; i < nb; i++) { const c = load<u8>(pb + i); if (c == 46 || c == 101 || c == 69) return 0; }
  const negA = na > 0 && load<u8>(pa) == 45, negB = nb > 0 && load<u8>(pb) == 45;
  if (negA != negB) return negA ? -1 : 1;
  if (negA) { pa++; na--; pb++; nb--; }
  while (na > 1 && load<u8>(pa) == 48) { pa++; na--; }
  while (nb > 1 && load<u8>(pb) == 48) { pb++; nb--; }
  let c: i32 = na < nb ? -1 : na > nb ? 1 : 0;
  if (c == 0) { const m = memory.compare(pa, pb, na); c = m < 0 ? -1 : m > 0 ? 1 : 0; }
  return negA ? -c : c;
}

export function str_compare(a: usize, b: usize): i32 {
  const la = strLen(a), lb = strLen(b);
  const n = la < lb ? la : lb;
  const c = memory.compare(strPtr(a), strPtr(b), n);
  if (c != 0) return c < 0 ? -1 : 1;
  return la < lb ? -1 : la > lb ? 1 : 0;
}

export function value_equal(a: usize, b: usize): bool {
  if (a == b) return true;
  if (a == 0 || b == 0) return false;
  const t = vtype(a);
  if (t != vtype(b)) return false;
  switch (t) {
    case T_NULL: return true;
    case T_BOOLEAN: return boolVal(a) == boolVal(b);
    case T_NUMBER: return num_compare(a, b) == 0;
    case T_STRING: return strLen(a) == strLen(b) && memory.compare(strPtr(a), strPtr(b), strLen(a)) == 0;
    case T_ARRAY: {
      const n = arrLen(a);
      if (n != arrLen(b)) return false;
      for (let i: u32 = 0; i < n; i++) if (!value_equal(arrGet(a, i), arrGet(b, i))) return false;
      return true;
    }
    case T_OBJECT: {
      if (hLen(a) != hLen(b)) return false;
      let e = hHead(a);
      while (e != 0) {
        const o = hFind(b, eKey(e), load<u32>(e, 16));
        if (o == 0 || !value_equal(eVal(e), eVal(o))) return false;
        e = eNext(e);
      }
      return true;
    }
    case T_SET: {
      if (hLen(a) != hLen(b)) return false;
      let e = hHead(a);
      while (e != 0) {
        if (hFind(b, eKey(e), load<u32>(e, 16)) == 0) return false;
        e = eNext(e);
      }
      return true;
    }
  }
  return false;
}

/** OPA's total order; returns <0, 0, >0. */
export function opa_value_compare(a: usize, b: usize): i32 {
  if (a == b) return 0;
  if (a == 0) return -1;
  if (b == 0) return 1;
  const ta = vtype(a), tb = vtype(b);
  if (ta != tb) return ta < tb ? -1 : 1;
  switch (ta) {
    case T_NULL: return 0;
    case T_BOOLEAN: { const x = <i32>boolVal(a), y = <i32>boolVal(b); return x - y; }
    case T_NUMBER: return num_compare(a, b);
    case T_STRING: return str_compare(a, b);
    case T_ARRAY: {
      const la = arrLen(a), lb = arrLen(b);
      const n = la < lb ? la : lb;
      for (let i: u32 = 0; i < n; i++) {
        const c = opa_value_compare(arrGet(a, i), arrGet(b, i));
        if (c != 0) return c;
      }
      return la < lb ? -1 : la > lb ? 1 : 0;
    }
    case T_OBJECT: {
      const ka = sortedEntries(a), kb = sortedEntries(b);
      const la = hLen(a), lb = hLen(b);
      const n = la < lb ? la : lb;
      for (let i: u32 = 0; i < n; i++) {
        const ea = load<u32>(ka + (<usize>i << 2)), eb = load<u32>(kb + (<usize>i << 2));
        let c = opa_value_compare(eKey(ea), eKey(eb));
        if (c != 0) return c;
        c = opa_value_compare(eVal(ea), eVal(eb));
        if (c != 0) return c;
      }
      return la < lb ? -1 : la > lb ? 1 : 0;
    }
    case T_SET: {
      const ka = sortedEntries(a), kb = sortedEntries(b);
      const la = hLen(a), lb = hLen(b);
      const n = la < lb ? la : lb;
      for (let i: u32 = 0; i < n; i++) {
        const c = opa_value_compare(eKey(load<u32>(ka + (<usize>i << 2))), eKey(load<u32>(kb + (<usize>i << 2))));
        if (c != 0) return c;
      }
      return la < lb ? -1 : la > lb ? 1 : 0;
    }
  }
  return 0;
}

// ---- sorting ----------------------------------------------------------------

/** Stable merge sort of `n` u32 slots at `p`; `byKey` compares entries' keys instead of values. */
export function sortPtrs(p: usize, n: u32, byKey: bool): void {
  if (n < 2) return;
  // Insertion sort for tiny runs, then bottom-up merges.
  const RUN: u32 = 8;
  for (let s: u32 = 0; s < n; s += RUN) {
    const e = s + RUN < n ? s + RUN : n;
    for (let i = s + 1; i < e; i++) {
      const x = load<u32>(p + (<usize>i << 2));
      let j = i;
      while (j > s) {
        const y = load<u32>(p + (<usize>(j - 1) << 2));
        if (cmpSlot(y, x, byKey) <= 0) break;
        store<u32>(p + (<usize>j << 2), y);
        j--;
      }
      store<u32>(p + (<usize>j << 2), x);
    }
  }
  if (n <= RUN) return;
  let src = p;
  let dst = malloc(<usize>n << 2);
  for (let w = RUN; w < n; w *= 2) {
    for (let lo: u32 = 0; lo < n; lo += 2 * w) {
      const mid = lo + w < n ? lo + w : n;
      const hi = lo + 2 * w < n ? lo + 2 * w : n;
      let i = lo, j = mid, k = lo;
      while (i < mid && j < hi) {
        const a = load<u32>(src + (<usize>i << 2)), b = load<u32>(src + (<usize>j << 2));
        if (cmpSlot(a, b, byKey) <= 0) { store<u32>(dst + (<usize>k << 2), a); i++; }
        else { store<u32>(dst + (<usize>k << 2), b); j++; }
        k++;
      }
      while (i < mid) { store<u32>(dst + (<usize>k << 2), load<u32>(src + (<usize>i << 2))); i++; k++; }
      while (j < hi) { store<u32>(dst + (<usize>k << 2), load<u32>(src + (<usize>j << 2))); j++; k++; }
    }
    const t = src; src = dst; dst = t;
  }
  if (src != p) memory.copy(p, src, <usize>n << 2);
}

// @ts-ignore: decorator
@inline function cmpSlot(a: u32, b: u32, byKey: bool): i32 {
  return byKey ? opa_value_compare(eKey(a), eKey(b)) : opa_value_compare(a, b);
}

/** Entries of an object/set as a u32 array sorted by key. */
export function sortedEntries(h: usize): usize {
  const n = hLen(h);
  const p = malloc(<usize>n << 2);
  let e = hHead(h);
  let i: u32 = 0;
  let sorted = true;
  let prev: usize = 0;
  while (e != 0) {
    store<u32>(p + (<usize>i << 2), <u32>e);
    if (sorted && prev != 0 && opa_value_compare(eKey(prev), eKey(e)) > 0) sorted = false;
    prev = e;
    i++;
    e = eNext(e);
  }
  if (!sorted) sortPtrs(p, n, true);
  return p;
}

/** A set's members as a new sorted array value. */
export function setToSortedArray(s: usize): usize {
  const n = hLen(s);
  const ents = sortedEntries(s);
  const a = opa_array_with_cap(<i32>n);
  for (let i: u32 = 0; i < n; i++) arrSet(a, i, eKey(load<u32>(ents + (<usize>i << 2))));
  store<u32>(a, n, 4);
  return a;
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
