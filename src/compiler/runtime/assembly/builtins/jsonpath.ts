// json.filter / json.remove.
import { malloc } from "../mem";
import {
  T_STRING, T_ARRAY, T_SET, T_NUMBER, T_OBJECT, vtype, opa_string, strLen, strPtr, opa_array_with_cap, opa_array_append,
  arrLen, arrGet, hHead, eKey, eVal, eNext, numAsI64, opa_object, opa_set, opa_set_add, hInsert, value_equal,
} from "../value";
import { berr } from "./common";

const TMP: usize = memory.data(8);

// Paths are "a/b/c" strings (JSON-pointer escapes ~0 ~1) or arrays of segments;
// each parsed path is an array value of segments.

function parsePathString(s: usize): usize {
  let p = strPtr(s);
  let n = strLen(s);
  if (n > 0 && load<u8>(p) == 47) { p++; n--; }
  const out = opa_array_with_cap(4);
  if (n == 0) { opa_array_append(out, opa_string(p, 0)); return out; }
  let start: u32 = 0;
  for (let i: u32 = 0; i <= n; i++) {
    if (i == n || load<u8>(p + i) == 47) {
      const len = i - start;
      if (len > 0) opa_array_append(out, unescapeSeg(p + start, len));
      start = i + 1;
    }
  }
  return out;
}
function unescapeSeg(p: usize, n: u32): usize {
  let esc = false;
  for (let i: u32 = 0; i + 1 < n; i++) if (load<u8>(p + i) == 126) esc = true;
  if (!esc) return opa_string(p, n);
  const buf = malloc(n);
  let o: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const c = load<u8>(p + i);
    if (c == 126 && i + 1 < n && (load<u8>(p + i + 1) == 49 || load<u8>(p + i + 1) == 48)) { store<u8>(buf + o, load<u8>(p + i + 1) == 49 ? 47 : 126); o++; i++; }
    else { store<u8>(buf + o, c); o++; }
  }
  return opa_string(buf, o);
}
/** Parsed paths as an array of arrays, or 0 when the operand is malformed. */
function parsePaths(v: usize): usize {
  const t = vtype(v);
  if (t != T_ARRAY && t != T_SET) return 0;
  const out = opa_array_with_cap(4);
  if (t == T_ARRAY) {
    const n = arrLen(v);
    for (let i: u32 = 0; i < n; i++) { const p = onePath(arrGet(v, i)); if (p == 0) return 0; opa_array_append(out, p); }
  } else {
    let e = hHead(v);
    while (e != 0) { const p = onePath(eKey(e)); if (p == 0) return 0; opa_array_append(out, p); e = eNext(e); }
  }
  return out;
}
function onePath(x: usize): usize {
  if (vtype(x) == T_STRING) return parsePathString(x);
  if (vtype(x) == T_ARRAY) return x;
  return 0;
}
/** Does segment `seg` address member key `k` (arrays: index `k`)? */
function segMatches(seg: usize, k: usize, isArray: bool, index: u32): bool {
  if (isArray) {
    if (vtype(seg) == T_NUMBER) return numAsI64(seg, TMP) && load<i64>(TMP) == <i64>index;
    if (vtype(seg) != T_STRING) return false;
    const p = strPtr(seg), n = strLen(seg);
    if (n == 0 || n > 10) return false;
    let v: u64 = 0;
    for (let i: u32 = 0; i < n; i++) { const c = load<u8>(p + i); if (c < 48 || c > 57) return false; v = v * 10 + (c - 48); }
    return v == <u64>index;
  }
  return value_equal(seg, k);
}
/** The tails of the paths whose head addresses `k`; 0 if none. */
function restFor(paths: usize, k: usize, isArray: bool, index: u32): usize {
  const n = arrLen(paths);
  let out: usize = 0;
  for (let i: u32 = 0; i < n; i++) {
    const p = arrGet(paths, i);
    if (arrLen(p) == 0 || !segMatches(arrGet(p, 0), k, isArray, index)) continue;
    if (out == 0) out = opa_array_with_cap(2);
    const m = arrLen(p) - 1;
    const tail = opa_array_with_cap(<i32>m);
    if (m > 0) memory.copy(load<u32>(tail, 12), load<u32>(p, 12) + 4, <usize>m << 2);
    store<u32>(tail, m, 4);
    opa_array_append(out, tail);
  }
  return out;
}
function anyEmpty(paths: usize): bool {
  const n = arrLen(paths);
  for (let i: u32 = 0; i < n; i++) if (arrLen(arrGet(paths, i)) == 0) return true;
  return false;
}

function filterDoc(doc: usize, paths: usize): usize {
  if (anyEmpty(paths)) return doc;
  const t = vtype(doc);
  if (t == T_OBJECT || t == T_SET) {
    const out = t == T_OBJECT ? opa_object() : opa_set();
    let e = hHead(doc);
    while (e != 0) {
      const rest = restFor(paths, eKey(e), false, 0);
      if (rest != 0) {
        if (t == T_OBJECT) hInsert(out, eKey(e), filterDoc(eVal(e), rest));
        else opa_set_add(out, filterDoc(eKey(e), rest));
      }
      e = eNext(e);
    }
    return out;
  }
  if (t == T_ARRAY) {
    const n = arrLen(doc);
    const out = opa_array_with_cap(0);
    for (let i: u32 = 0; i < n; i++) {
      const rest = restFor(paths, 0, true, i);
      if (rest != 0) opa_array_append(out, filterDoc(arrGet(doc, i), rest));
    }
    return out;
  }
  return doc;
}
function removeDoc(doc: usize, paths: usize): usize {
  if (anyEmpty(paths)) return 0;
  const t = vtype(doc);
  if (t == T_OBJECT || t == T_SET) {
    const out = t == T_OBJECT ? opa_object() : opa_set();
    let e = hHead(doc);
    while (e != 0) {
      const cur = t == T_OBJECT ? eVal(e) : eKey(e);
      const rest = restFor(paths, eKey(e), false, 0);
      const r = rest == 0 ? cur : removeDoc(cur, rest);
      if (r != 0) { if (t == T_OBJECT) hInsert(out, eKey(e), r); else opa_set_add(out, r); }
      e = eNext(e);
    }
    return out;
  }
  if (t == T_ARRAY) {
    const n = arrLen(doc);
    const out = opa_array_with_cap(<i32>n);
    for (let i: u32 = 0; i < n; i++) {
      const rest = restFor(paths, 0, true, i);
      const r = rest == 0 ? arrGet(doc, i) : removeDoc(arrGet(doc, i), rest);
      if (r != 0) opa_array_append(out, r);
    }
    return out;
  }
  return doc;
}

export function b_json_filter(o: usize, paths: usize): usize {
  if (vtype(o) != T_OBJECT) return berr("json.filter: operand 1 must be object");
  const ps = parsePaths(paths);
  if (ps == 0) return berr("json.filter: operand 2 must be one of {set, array} containing string paths or array of path segments");
  return filterDoc(o, ps);
}
export function b_json_remove(o: usize, paths: usize): usize {
  if (vtype(o) != T_OBJECT) return berr("json.remove: operand 1 must be object");
  const ps = parsePaths(paths);
  if (ps == 0) return berr("json.remove: operand 2 must be one of {set, array} containing string paths or array of path segments");
  const r = removeDoc(o, ps);
  return r == 0 ? opa_object() : r;
}
