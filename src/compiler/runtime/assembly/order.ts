// Hashing, equality and OPA's total order over values, and sorting.
import { malloc } from "./mem";
import { T_NULL, T_BOOLEAN, T_NUMBER, T_STRING, T_ARRAY, T_OBJECT, T_SET, N_INT, N_REF } from "./tags";
import { numRepr, numInt, numF64, numAsI64 } from "./number";
import { vtype, boolVal, strLen, strPtr, arrLen, arrGet, arrSet, hLen, hHead, hFind, eKey, eVal, eNext, opa_array_with_cap } from "./value";

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

