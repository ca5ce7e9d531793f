// Object, array, set-shaped and JSON builtins.
import { malloc } from "../mem";
import {
  T_STRING, T_ARRAY, T_SET, T_NUMBER, T_OBJECT, vtype, opa_string, strLen, strPtr, opa_boolean, opa_number_int,
  opa_array_with_cap, opa_array_append, arrLen, arrGet, arrSet, hHead, eKey, eVal, eNext, sortedEntries, hLen, numAsI64,
  opa_object, opa_set, opa_set_add, hInsert, object_get, set_contains, opa_value_get, value_equal, opa_value_shallow_copy,
} from "../value";
import { opa_json_parse } from "../json";
import { json_string } from "../json_dump";
import { berr } from "./common";

const TMP: usize = memory.data(8);
const TMP2: usize = memory.data(8);

export function b_object_keys(o: usize): usize {
  if (vtype(o) != T_OBJECT) return berr("object.keys: operand 1 must be object");
  const s = opa_set();
  let e = hHead(o);
  while (e != 0) { opa_set_add(s, eKey(e)); e = eNext(e); }
  return s;
}

export function b_object_get(o: usize, key: usize, dflt: usize): usize {
  if (vtype(o) != T_OBJECT) return berr("object.get: operand 1 must be object");
  if (vtype(key) != T_ARRAY) {
    const v = object_get(o, key);
    return v != 0 ? v : dflt;
  }
  let cur = o;
  const n = arrLen(key);
  for (let i: u32 = 0; i < n; i++) {
    cur = opa_value_get(cur, arrGet(key, i));
    if (cur == 0) return dflt;
  }
  return cur;
}

function unionRec(a: usize, b: usize): usize {
  const r = opa_value_shallow_copy(a);
  let e = hHead(b);
  while (e != 0) {
    const k = eKey(e);
    const av = object_get(a, k);
    const bv = eVal(e);
    if (av != 0 && vtype(av) == T_OBJECT && vtype(bv) == T_OBJECT) hInsert(r, k, unionRec(av, bv));
    else hInsert(r, k, bv);
    e = eNext(e);
  }
  return r;
}
export function b_object_union(a: usize, b: usize): usize {
  if (vtype(a) != T_OBJECT) return berr("object.union: operand 1 must be object");
  if (vtype(b) != T_OBJECT) return berr("object.union: operand 2 must be object");
  return unionRec(a, b);
}
export function b_object_union_n(arr: usize): usize {
  if (vtype(arr) != T_ARRAY) return berr("object.union_n: operand 1 must be array");
  let r = opa_object();
  const n = arrLen(arr);
  for (let i: u32 = 0; i < n; i++) {
    const x = arrGet(arr, i);
    if (vtype(x) != T_OBJECT) return berr("object.union_n: operand 1 must be array of objects");
    r = unionRec(r, x);
  }
  return r;
}

/** Collects the keys named by an array, set or object (its keys) into a set; 0 if not a collection. */
function keySet(k: usize): usize {
  const t = vtype(k);
  const s = opa_set();
  if (t == T_ARRAY) { const n = arrLen(k); for (let i: u32 = 0; i < n; i++) opa_set_add(s, arrGet(k, i)); return s; }
  if (t == T_SET || t == T_OBJECT) { let e = hHead(k); while (e != 0) { opa_set_add(s, eKey(e)); e = eNext(e); } return s; }
  return 0;
}
export function b_object_remove(o: usize, keys: usize): usize {
  if (vtype(o) != T_OBJECT) return berr("object.remove: operand 1 must be object");
  const ks = keySet(keys);
  if (ks == 0) return berr("object.remove: operand 2 must be one of {object, string, array}");
  const r = opa_object();
  let e = hHead(o);
  while (e != 0) { if (!set_contains(ks, eKey(e))) hInsert(r, eKey(e), eVal(e)); e = eNext(e); }
  return r;
}
export function b_object_filter(o: usize, keys: usize): usize {
  if (vtype(o) != T_OBJECT) return berr("object.filter: operand 1 must be object");
  const ks = keySet(keys);
  if (ks == 0) return berr("object.filter: operand 2 must be one of {object, string, array}");
  const r = opa_object();
  let e = hHead(o);
  while (e != 0) { if (set_contains(ks, eKey(e))) hInsert(r, eKey(e), eVal(e)); e = eNext(e); }
  return r;
}

// ---- arrays -----------------------------------------------------------------
export function b_array_concat(a: usize, b: usize): usize {
  if (vtype(a) != T_ARRAY) return berr("array.concat: operand 1 must be array");
  if (vtype(b) != T_ARRAY) return berr("array.concat: operand 2 must be array");
  const na = arrLen(a), nb = arrLen(b);
  const r = opa_array_with_cap(<i32>(na + nb));
  if (na > 0) memory.copy(load<u32>(r, 12), load<u32>(a, 12), <usize>na << 2);
  if (nb > 0) memory.copy(load<u32>(r, 12) + (<usize>na << 2), load<u32>(b, 12), <usize>nb << 2);
  store<u32>(r, na + nb, 4);
  return r;
}
export function b_array_slice(a: usize, start: usize, stop: usize): usize {
  if (vtype(a) != T_ARRAY) return berr("array.slice: operand 1 must be array");
  if (vtype(start) != T_NUMBER || !numAsI64(start, TMP)) return berr("array.slice: operand 2 must be integer");
  if (vtype(stop) != T_NUMBER || !numAsI64(stop, TMP2)) return berr("array.slice: operand 3 must be integer");
  const n = <i64>arrLen(a);
  let s = load<i64>(TMP), e = load<i64>(TMP2);
  if (s < 0) s = 0;
  if (e > n) e = n;
  if (s >= e) return opa_array_with_cap(0);
  const len = <u32>(e - s);
  const r = opa_array_with_cap(<i32>len);
  memory.copy(load<u32>(r, 12), load<u32>(a, 12) + (<usize>s << 2), <usize>len << 2);
  store<u32>(r, len, 4);
  return r;
}
export function b_array_reverse(a: usize): usize {
  if (vtype(a) != T_ARRAY) return berr("array.reverse: operand 1 must be array");
  const n = arrLen(a);
  const r = opa_array_with_cap(<i32>n);
  for (let i: u32 = 0; i < n; i++) arrSet(r, i, arrGet(a, n - 1 - i));
  store<u32>(r, n, 4);
  return r;
}

export function b_numbers_range(a: usize, b: usize): usize {
  if (vtype(a) != T_NUMBER || !numAsI64(a, TMP)) return berr("numbers.range: operand 1 must be integer");
  if (vtype(b) != T_NUMBER || !numAsI64(b, TMP2)) return berr("numbers.range: operand 2 must be integer");
  const x = load<i64>(TMP), y = load<i64>(TMP2);
  const n = x <= y ? y - x + 1 : x - y + 1;
  if (n > 100000000) return berr("numbers.range: range too large");
  const r = opa_array_with_cap(<i32>n);
  for (let i: i64 = 0; i < n; i++) arrSet(r, <u32>i, opa_number_int(x <= y ? x + i : x - i));
  store<u32>(r, <u32>n, 4);
  return r;
}

// ---- walk -------------------------------------------------------------------
function walkRec(out: usize, path: usize, v: usize): void {
  const pair = opa_array_with_cap(2);
  opa_array_append(pair, path);
  opa_array_append(pair, v);
  opa_array_append(out, pair);
  const t = vtype(v);
  if (t == T_ARRAY) {
    const n = arrLen(v);
    for (let i: u32 = 0; i < n; i++) walkRec(out, extend(path, opa_number_int(i)), arrGet(v, i));
  } else if (t == T_OBJECT) {
    const n = hLen(v);
    const ents = sortedEntries(v);
    for (let i: u32 = 0; i < n; i++) {
      const e = <usize>load<u32>(ents + (<usize>i << 2));
      walkRec(out, extend(path, eKey(e)), eVal(e));
    }
  } else if (t == T_SET) {
    const n = hLen(v);
    const ents = sortedEntries(v);
    for (let i: u32 = 0; i < n; i++) {
      const k = eKey(<usize>load<u32>(ents + (<usize>i << 2)));
      walkRec(out, extend(path, k), k);
    }
  }
}
function extend(path: usize, k: usize): usize {
  const n = arrLen(path);
  const r = opa_array_with_cap(<i32>(n + 1));
  if (n > 0) memory.copy(load<u32>(r, 12), load<u32>(path, 12), <usize>n << 2);
  arrSet(r, n, k);
  store<u32>(r, n + 1, 4);
  return r;
}
export function b_walk(x: usize): usize {
  const out = opa_array_with_cap(8);
  walkRec(out, opa_array_with_cap(0), x);
  return out;
}

// ---- JSON -------------------------------------------------------------------
export function b_json_is_valid(s: usize): usize {
  if (vtype(s) != T_STRING) return opa_boolean(0);
  return opa_boolean(<i32>(opa_json_parse(strPtr(s), strLen(s)) != 0));
}
export function b_json_unmarshal(s: usize): usize {
  if (vtype(s) != T_STRING) return berr("json.unmarshal: operand 1 must be string");
  const v = opa_json_parse(strPtr(s), strLen(s));
  return v != 0 ? v : berr("json.unmarshal: invalid JSON");
}
export function b_json_marshal(v: usize): usize { return json_string(v); }
