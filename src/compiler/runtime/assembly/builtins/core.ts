// Operators, arithmetic, aggregates, types and membership.
import { malloc } from "../mem";
import {
  T_NULL, T_BOOLEAN, T_NUMBER, T_STRING, T_ARRAY, T_OBJECT, T_SET, N_INT,
  vtype, opa_boolean, opa_number_int, opa_number_float, opa_value_compare, value_equal, numRepr, numInt, numF64, numAsI64,
  arrLen, arrGet, arrSet, opa_array_with_cap, hLen, hHead, eKey, eVal, eNext, opa_set, opa_set_add, set_contains,
  opa_value_get, strLen, strPtr, sortedEntries, strFromLit, opa_string, setToSortedArray, sortPtrs, hInsert,
} from "../value";
import { berr, utf8Count } from "./common";

const TMP_A: usize = memory.data(8);
const TMP_B: usize = memory.data(8);

// ---- comparison -------------------------------------------------------------
export function b_equal(a: usize, b: usize): usize { return opa_boolean(<i32>value_equal(a, b)); }
export function b_neq(a: usize, b: usize): usize { return opa_boolean(<i32>!value_equal(a, b)); }
export function b_lt(a: usize, b: usize): usize { return opa_boolean(<i32>(opa_value_compare(a, b) < 0)); }
export function b_lte(a: usize, b: usize): usize { return opa_boolean(<i32>(opa_value_compare(a, b) <= 0)); }
export function b_gt(a: usize, b: usize): usize { return opa_boolean(<i32>(opa_value_compare(a, b) > 0)); }
export function b_gte(a: usize, b: usize): usize { return opa_boolean(<i32>(opa_value_compare(a, b) >= 0)); }

// ---- arithmetic -------------------------------------------------------------
function bothNum(a: usize, b: usize): bool { return vtype(a) == T_NUMBER && vtype(b) == T_NUMBER; }

/** A float result; overflow to ±Inf or NaN is an error (JSON cannot carry it). */
function fnum(f: f64): usize {
  if (!isFinite(f)) return berr("arithmetic result is not a finite number");
  return opa_number_float(f);
}

export function b_plus(a: usize, b: usize): usize {
  if (vtype(a) == T_SET && vtype(b) == T_SET) return berr("plus: operand 1 must be number but got set");
  if (!bothNum(a, b)) return berr("plus: operands must be numbers");
  if (numAsI64(a, TMP_A) && numAsI64(b, TMP_B)) {
    const x = load<i64>(TMP_A), y = load<i64>(TMP_B);
    const r = x + y;
    if (((x ^ r) & (y ^ r)) >= 0) return opa_number_int(r);
  }
  return fnum(numF64(a) + numF64(b));
}
export function b_minus(a: usize, b: usize): usize {
  if (vtype(a) == T_SET && vtype(b) == T_SET) return b_set_diff(a, b);
  if (!bothNum(a, b)) return berr("minus: operands must be numbers");
  if (numAsI64(a, TMP_A) && numAsI64(b, TMP_B)) {
    const x = load<i64>(TMP_A), y = load<i64>(TMP_B);
    const r = x - y;
    if (((x ^ y) & (x ^ r)) >= 0) return opa_number_int(r);
  }
  return fnum(numF64(a) - numF64(b));
}
export function b_mul(a: usize, b: usize): usize {
  if (!bothNum(a, b)) return berr("mul: operands must be numbers");
  if (numAsI64(a, TMP_A) && numAsI64(b, TMP_B)) {
    const x = load<i64>(TMP_A), y = load<i64>(TMP_B);
    if ((x < 3037000499 && x > -3037000499 && y < 3037000499 && y > -3037000499)) return opa_number_int(x * y);
  }
  return fnum(numF64(a) * numF64(b));
}
export function b_div(a: usize, b: usize): usize {
  if (!bothNum(a, b)) return berr("div: operands must be numbers");
  const y = numF64(b);
  if (y == 0) return berr("div: divide by zero");
  if (numAsI64(a, TMP_A) && numAsI64(b, TMP_B)) {
    const xi = load<i64>(TMP_A), yi = load<i64>(TMP_B);
    if (xi % yi == 0) return opa_number_int(xi / yi);
  }
  return fnum(numF64(a) / y);
}
export function b_rem(a: usize, b: usize): usize {
  if (!bothNum(a, b)) return berr("rem: operands must be numbers");
  if (numAsI64(a, TMP_A) && numAsI64(b, TMP_B)) {
    const y = load<i64>(TMP_B);
    if (y == 0) return berr("rem: modulo by zero");
    return opa_number_int(load<i64>(TMP_A) % y);
  }
  return berr("rem: modulo on floating-point number");
}
export function b_abs(a: usize): usize {
  if (vtype(a) != T_NUMBER) return berr("abs: operand must be a number");
  if (numAsI64(a, TMP_A)) { const x = load<i64>(TMP_A); return opa_number_int(x < 0 ? -x : x); }
  return opa_number_float(Math.abs(numF64(a)));
}
export function b_round(a: usize): usize {
  if (vtype(a) != T_NUMBER) return berr("round: operand must be a number");
  if (numRepr(a) == N_INT) return a;
  const f = numF64(a);
  // Go's big.Float rounding: half away from zero.
  const r = f < 0 ? -Math.floor(-f + 0.5) : Math.floor(f + 0.5);
  return opa_number_float(r);
}
export function b_ceil(a: usize): usize {
  if (vtype(a) != T_NUMBER) return berr("ceil: operand must be a number");
  if (numRepr(a) == N_INT) return a;
  return opa_number_float(Math.ceil(numF64(a)));
}
export function b_floor(a: usize): usize {
  if (vtype(a) != T_NUMBER) return berr("floor: operand must be a number");
  if (numRepr(a) == N_INT) return a;
  return opa_number_float(Math.floor(numF64(a)));
}

// ---- aggregates -------------------------------------------------------------
export function b_count(a: usize): usize {
  const t = vtype(a);
  if (t == T_ARRAY) return opa_number_int(arrLen(a));
  if (t == T_OBJECT || t == T_SET) return opa_number_int(hLen(a));
  if (t == T_STRING) return opa_number_int(utf8Count(strPtr(a), strLen(a)));
  return berr("count: operand must be one of {array, object, set, string}");
}

function foldNums(a: usize, mul: bool): usize {
  const t = vtype(a);
  let acc = opa_number_int(mul ? 1 : 0);
  if (t == T_ARRAY) {
    const n = arrLen(a);
    for (let i: u32 = 0; i < n; i++) {
      const x = arrGet(a, i);
      if (vtype(x) != T_NUMBER) return berr(mul ? "product: operand must be array or set of numbers" : "sum: operand must be array or set of numbers");
      acc = mul ? b_mul(acc, x) : b_plus(acc, x);
      if (acc == 0) return 0;
    }
    return acc;
  }
  if (t == T_SET) {
    let e = hHead(a);
    while (e != 0) {
      const x = eKey(e);
      if (vtype(x) != T_NUMBER) return berr(mul ? "product: operand must be array or set of numbers" : "sum: operand must be array or set of numbers");
      acc = mul ? b_mul(acc, x) : b_plus(acc, x);
      if (acc == 0) return 0;
      e = eNext(e);
    }
    return acc;
  }
  return berr("operand must be array or set");
}
export function b_sum(a: usize): usize { return foldNums(a, false); }
export function b_product(a: usize): usize { return foldNums(a, true); }

function extreme(a: usize, wantMax: bool): usize {
  const t = vtype(a);
  let best: usize = 0;
  if (t == T_ARRAY) {
    const n = arrLen(a);
    for (let i: u32 = 0; i < n; i++) {
      const x = arrGet(a, i);
      if (best == 0 || (wantMax ? opa_value_compare(x, best) > 0 : opa_value_compare(x, best) < 0)) best = x;
    }
    return best;
  }
  if (t == T_SET) {
    let e = hHead(a);
    while (e != 0) {
      const x = eKey(e);
      if (best == 0 || (wantMax ? opa_value_compare(x, best) > 0 : opa_value_compare(x, best) < 0)) best = x;
      e = eNext(e);
    }
    return best;
  }
  return berr("operand must be array or set");
}
export function b_max(a: usize): usize { return extreme(a, true); }
export function b_min(a: usize): usize { return extreme(a, false); }

export function b_sort(a: usize): usize {
  const t = vtype(a);
  if (t == T_SET) return setToSortedArray(a);
  if (t != T_ARRAY) return berr("sort: operand must be one of {array, set}");
  const n = arrLen(a);
  const r = opa_array_with_cap(<i32>n);
  if (n > 0) memory.copy(load<u32>(r, 12), load<u32>(a, 12), <usize>n << 2);
  store<u32>(r, n, 4);
  sortPtrs(load<u32>(r, 12), n, false);
  return r;
}

function allAny(a: usize, wantAll: bool): usize {
  const t = vtype(a);
  if (t == T_ARRAY) {
    const n = arrLen(a);
    for (let i: u32 = 0; i < n; i++) {
      const x = arrGet(a, i);
      const isTrue = vtype(x) == T_BOOLEAN && load<u8>(x, 1) != 0;
      if (wantAll && !isTrue) return opa_boolean(0);
      if (!wantAll && isTrue) return opa_boolean(1);
    }
    return opa_boolean(<i32>wantAll);
  }
  if (t == T_SET) {
    let e = hHead(a);
    while (e != 0) {
      const x = eKey(e);
      const isTrue = vtype(x) == T_BOOLEAN && load<u8>(x, 1) != 0;
      if (wantAll && !isTrue) return opa_boolean(0);
      if (!wantAll && isTrue) return opa_boolean(1);
      e = eNext(e);
    }
    return opa_boolean(<i32>wantAll);
  }
  return berr("operand must be array or set");
}
export function b_all(a: usize): usize { return allAny(a, true); }
export function b_any(a: usize): usize { return allAny(a, false); }

// ---- membership -------------------------------------------------------------
export function b_internal_member_2(x: usize, c: usize): usize {
  const t = vtype(c);
  if (t == T_SET) return opa_boolean(<i32>set_contains(c, x));
  if (t == T_ARRAY) {
    const n = arrLen(c);
    for (let i: u32 = 0; i < n; i++) if (value_equal(arrGet(c, i), x)) return opa_boolean(1);
    return opa_boolean(0);
  }
  if (t == T_OBJECT) {
    let e = hHead(c);
    while (e != 0) { if (value_equal(eVal(e), x)) return opa_boolean(1); e = eNext(e); }
    return opa_boolean(0);
  }
  return opa_boolean(0);
}
export function b_internal_member_3(k: usize, x: usize, c: usize): usize {
  const t = vtype(c);
  if (t == T_ARRAY || t == T_OBJECT) {
    const v = opa_value_get(c, k);
    return opa_boolean(<i32>(v != 0 && value_equal(v, x)));
  }
  return opa_boolean(0);
}

// ---- sets -------------------------------------------------------------------
export function b_and(a: usize, b: usize): usize { return set_and(a, b); }
export function b_or(a: usize, b: usize): usize { return set_or(a, b); }

export function set_and(a: usize, b: usize): usize {
  if (vtype(a) != T_SET || vtype(b) != T_SET) return berr("and: operands must be sets");
  const r = opa_set();
  let e = hHead(a);
  while (e != 0) { if (set_contains(b, eKey(e))) opa_set_add(r, eKey(e)); e = eNext(e); }
  return r;
}
export function set_or(a: usize, b: usize): usize {
  if (vtype(a) != T_SET || vtype(b) != T_SET) return berr("or: operands must be sets");
  const r = opa_set();
  let e = hHead(a);
  while (e != 0) { opa_set_add(r, eKey(e)); e = eNext(e); }
  e = hHead(b);
  while (e != 0) { opa_set_add(r, eKey(e)); e = eNext(e); }
  return r;
}
export function b_set_diff(a: usize, b: usize): usize {
  if (vtype(a) != T_SET || vtype(b) != T_SET) return berr("minus: operands must be sets");
  const r = opa_set();
  let e = hHead(a);
  while (e != 0) { if (!set_contains(b, eKey(e))) opa_set_add(r, eKey(e)); e = eNext(e); }
  return r;
}
export function b_union(s: usize): usize {
  if (vtype(s) != T_SET) return berr("union: operand must be a set");
  const r = opa_set();
  let e = hHead(s);
  while (e != 0) {
    const x = eKey(e);
    if (vtype(x) != T_SET) return berr("union: operand must be a set of sets");
    let f = hHead(x);
    while (f != 0) { opa_set_add(r, eKey(f)); f = eNext(f); }
    e = eNext(e);
  }
  return r;
}
export function b_intersection(s: usize): usize {
  if (vtype(s) != T_SET) return berr("intersection: operand must be a set");
  let r: usize = 0;
  let e = hHead(s);
  while (e != 0) {
    const x = eKey(e);
    if (vtype(x) != T_SET) return berr("intersection: operand must be a set of sets");
    if (r == 0) { r = opa_set(); let f = hHead(x); while (f != 0) { opa_set_add(r, eKey(f)); f = eNext(f); } }
    else r = set_and(r, x);
    e = eNext(e);
  }
  return r == 0 ? opa_set() : r;
}

// ---- types ------------------------------------------------------------------
export function b_is_number(a: usize): usize { return vtype(a) == T_NUMBER ? opa_boolean(1) : opa_boolean(0); }
export function b_is_string(a: usize): usize { return vtype(a) == T_STRING ? opa_boolean(1) : opa_boolean(0); }
export function b_is_boolean(a: usize): usize { return vtype(a) == T_BOOLEAN ? opa_boolean(1) : opa_boolean(0); }
export function b_is_array(a: usize): usize { return vtype(a) == T_ARRAY ? opa_boolean(1) : opa_boolean(0); }
export function b_is_set(a: usize): usize { return vtype(a) == T_SET ? opa_boolean(1) : opa_boolean(0); }
export function b_is_object(a: usize): usize { return vtype(a) == T_OBJECT ? opa_boolean(1) : opa_boolean(0); }
export function b_is_null(a: usize): usize { return vtype(a) == T_NULL ? opa_boolean(1) : opa_boolean(0); }
export function b_type_name(a: usize): usize {
  switch (vtype(a)) {
    case T_NULL: return strFromLit("null");
    case T_BOOLEAN: return strFromLit("boolean");
    case T_NUMBER: return strFromLit("number");
    case T_STRING: return strFromLit("string");
    case T_ARRAY: return strFromLit("array");
    case T_OBJECT: return strFromLit("object");
    case T_SET: return strFromLit("set");
  }
  return 0;
}

// ---- bits -------------------------------------------------------------------
function twoInts(a: usize, b: usize): bool {
  return vtype(a) == T_NUMBER && vtype(b) == T_NUMBER && numAsI64(a, TMP_A) && numAsI64(b, TMP_B);
}
export function b_bits_and(a: usize, b: usize): usize { return twoInts(a, b) ? opa_number_int(load<i64>(TMP_A) & load<i64>(TMP_B)) : berr("bits.and: operands must be integers"); }
export function b_bits_or(a: usize, b: usize): usize { return twoInts(a, b) ? opa_number_int(load<i64>(TMP_A) | load<i64>(TMP_B)) : berr("bits.or: operands must be integers"); }
export function b_bits_xor(a: usize, b: usize): usize { return twoInts(a, b) ? opa_number_int(load<i64>(TMP_A) ^ load<i64>(TMP_B)) : berr("bits.xor: operands must be integers"); }
export function b_bits_negate(a: usize): usize {
  if (vtype(a) != T_NUMBER || !numAsI64(a, TMP_A)) return berr("bits.negate: operand must be integer");
  return opa_number_int(~load<i64>(TMP_A));
}
// bits.lsh stays in the JS catalogue: shifting past 63 bits needs exact big integers.
export function b_bits_rsh(a: usize, b: usize): usize {
  if (!twoInts(a, b) || load<i64>(TMP_B) < 0) return berr("bits.rsh: operands must be integers (shift >= 0)");
  const s = load<i64>(TMP_B);
  return opa_number_int(s >= 64 ? (load<i64>(TMP_A) < 0 ? -1 : 0) : load<i64>(TMP_A) >> s);
}
