// Object, array, set-shaped and JSON builtins.
import { malloc } from "../mem";
import {
  T_STRING, T_ARRAY, T_SET, T_NUMBER, T_OBJECT, vtype, opa_string, strLen, strPtr, opa_boolean, opa_number_int,
  opa_array_with_cap, opa_array_append, arrLen, arrGet, arrSet, hHead, eKey, eVal, eNext, sortedEntries, hLen, numAsI64,
  opa_object, opa_set, opa_set_add, hInsert, object_get, set_contains, opa_value_get, value_equal, opa_value_shallow_copy,
} from "../value";
import { opa_json_parse, json_string } from "../json";
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

// ---- base64 -----------------------------------------------------------------
const B64: string = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64URL: string = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function b64enc(s: usize, url: bool, pad: bool): usize {
  const p = strPtr(s), n = strLen(s);
  const tbl = url ? B64URL : B64;
  const out = malloc(((n + 2) / 3) * 4);
  let o: u32 = 0;
  let i: u32 = 0;
  for (; i + 2 < n; i += 3) {
    const x = (<u32>load<u8>(p + i) << 16) | (<u32>load<u8>(p + i + 1) << 8) | load<u8>(p + i + 2);
    store<u8>(out + o, <u8>tbl.charCodeAt(x >> 18)); store<u8>(out + o + 1, <u8>tbl.charCodeAt((x >> 12) & 63));
    store<u8>(out + o + 2, <u8>tbl.charCodeAt((x >> 6) & 63)); store<u8>(out + o + 3, <u8>tbl.charCodeAt(x & 63));
    o += 4;
  }
  const rem = n - i;
  if (rem > 0) {
    const x = (<u32>load<u8>(p + i) << 16) | (rem > 1 ? <u32>load<u8>(p + i + 1) << 8 : 0);
    store<u8>(out + o, <u8>tbl.charCodeAt(x >> 18)); store<u8>(out + o + 1, <u8>tbl.charCodeAt((x >> 12) & 63)); o += 2;
    if (rem > 1) { store<u8>(out + o, <u8>tbl.charCodeAt((x >> 6) & 63)); o++; } else if (pad) { store<u8>(out + o, 61); o++; }
    if (pad) { store<u8>(out + o, 61); o++; }
  }
  return opa_string(out, o);
}
function b64val(c: u32, url: bool): i32 {
  if (c >= 65 && c <= 90) return <i32>c - 65;
  if (c >= 97 && c <= 122) return <i32>c - 71;
  if (c >= 48 && c <= 57) return <i32>c + 4;
  if (!url && c == 43) return 62;
  if (!url && c == 47) return 63;
  if (url && c == 45) return 62;
  if (url && c == 95) return 63;
  return -1;
}
/** Decodes; strict padding unless `loosePad` (base64url accepts missing padding). Returns 0 on bad input. */
function b64dec(s: usize, url: bool, loosePad: bool): usize {
  const p = strPtr(s);
  let n = strLen(s);
  let padCount: u32 = 0;
  while (n > 0 && load<u8>(p + n - 1) == 61) { n--; padCount++; }
  if (padCount > 2) return 0;
  if (!loosePad && ((n + padCount) & 3) != 0) return 0;
  if (padCount > 0 && ((n + padCount) & 3) != 0) return 0;
  if ((n & 3) == 1) return 0;
  const out = malloc((n * 3) / 4 + 3);
  let o: u32 = 0;
  let acc: u32 = 0;
  let bits: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const v = b64val(load<u8>(p + i), url);
    if (v < 0) return 0;
    acc = (acc << 6) | <u32>v;
    bits += 6;
    if (bits >= 8) { bits -= 8; store<u8>(out + o, <u8>(acc >> bits)); o++; acc &= (1 << bits) - 1; }
  }
  return opa_string(out, o);
}
export function b_base64_encode(s: usize): usize { if (vtype(s) != T_STRING) return berr("base64.encode: operand 1 must be string"); return b64enc(s, false, true); }
export function b_base64url_encode(s: usize): usize { if (vtype(s) != T_STRING) return berr("base64url.encode: operand 1 must be string"); return b64enc(s, true, true); }
export function b_base64url_encode_no_pad(s: usize): usize { if (vtype(s) != T_STRING) return berr("base64url.encode_no_pad: operand 1 must be string"); return b64enc(s, true, false); }
export function b_base64_decode(s: usize): usize {
  if (vtype(s) != T_STRING) return berr("base64.decode: operand 1 must be string");
  const r = b64dec(s, false, false);
  return r != 0 ? r : berr("base64.decode: illegal base64 data");
}
export function b_base64url_decode(s: usize): usize {
  if (vtype(s) != T_STRING) return berr("base64url.decode: operand 1 must be string");
  const r = b64dec(s, true, true);
  return r != 0 ? r : berr("base64url.decode: illegal base64 data");
}
export function b_base64_is_valid(s: usize): usize {
  if (vtype(s) != T_STRING) return opa_boolean(0);
  return opa_boolean(<i32>(b64dec(s, false, false) != 0));
}

// ---- json.filter / json.remove ----------------------------------------------
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
