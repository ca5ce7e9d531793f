// JSON (and Rego-value) text -> values (dumping: json_dump.ts). Strings without escapes point into the
// source buffer (it stays alive for the evaluation), so parsing copies little.
import { malloc, realloc } from "./mem";
import {
  T_NULL, T_BOOLEAN, T_NUMBER, T_STRING, T_ARRAY, T_OBJECT, T_SET, N_INT, N_FLOAT,
  vtype, opa_null, opa_boolean, opa_string, opa_array_with_cap, opa_array_append, opa_object, opa_set,
  hInsert, number_from_text, strLen, strPtr, arrLen, arrGet, hLen, eKey, eVal, sortedEntries, boolVal,
  numRepr, numInt,
} from "./value";
import { dtoa_buffered } from "util/number";
import { utf8Encode } from "./builtins/common";

let pp: usize = 0; // cursor
let pe: usize = 0; // end
let valueMode = false; // Rego value syntax: sets, set()

// ---- tagged values at the host-builtin boundary -------------------------------
// Plain JSON loses sets (they become arrays) and integers beyond 2^53 (JSON.parse
// rounds them). While a JavaScript builtin runs, dumps and parses use tagged
// forms: {"$rego_set": [...]}, {"$rego_num": "<digits>"}, and {"$rego_obj": {...}}
// around any object whose only key is one of the three tags, so a user's
// object is never misread. Entry point results and inputs stay plain JSON.
let tagged = false;
let literalNext = false; // the next object is the payload of "$rego_obj": take its keys as they are
const TAG_SET: i32 = 1;
const TAG_NUM: i32 = 2;
const TAG_OBJ: i32 = 3;

/** Turns the tagged boundary encoding on while a host builtin runs (and off after). */
export function host_tagging(on: bool): void { tagged = on; literalNext = false; }
/** Whether the tagged boundary encoding is on (dumps write tags too). */
export function hostTagging(): bool { return tagged; }

function strIs(v: usize, s: string): bool {
  const n = <u32>s.length;
  if (strLen(v) != n) return false;
  const p = strPtr(v);
  for (let i: u32 = 0; i < n; i++) if (<u32>load<u8>(p + i) != <u32>s.charCodeAt(i)) return false;
  return true;
}
export function tagOf(k: usize): i32 {
  if (vtype(k) != T_STRING || strLen(k) != 9) return 0;
  if (strIs(k, "$rego_set")) return TAG_SET;
  if (strIs(k, "$rego_num")) return TAG_NUM;
  if (strIs(k, "$rego_obj")) return TAG_OBJ;
  return 0;
}
function untag(tag: i32, v: usize): usize {
  if (tag == TAG_SET) {
    if (vtype(v) != T_ARRAY) return 0;
    const s = opa_set();
    const n = arrLen(v);
    for (let i: u32 = 0; i < n; i++) hInsert(s, arrGet(v, i), 0);
    return s;
  }
  if (tag == TAG_NUM) {
    if (vtype(v) != T_STRING) return 0;
    const p = strPtr(v), n = strLen(v);
    let i: u32 = n > 0 && load<u8>(p) == 45 ? 1 : 0;
    if (i >= n) return 0;
    for (; i < n; i++) if (!isDigit(load<u8>(p + i))) return 0;
    return number_from_text(p, n);
  }
  return vtype(v) == T_OBJECT ? v : 0;
}

function ws(): void {
  while (pp < pe) {
    const c = load<u8>(pp);
    if (c == 32 || c == 9 || c == 10 || c == 13) pp++; else break;
  }
}

function lit(s: string): bool {
  const n = s.length;
  if (pp + <usize>n > pe) return false;
  for (let i = 0; i < n; i++) if (load<u8>(pp + i) != <u8>s.charCodeAt(i)) return false;
  pp += n;
  return true;
}

function hex(c: u32): i32 {
  if (c >= 48 && c <= 57) return <i32>c - 48;
  c |= 32;
  if (c >= 97 && c <= 102) return <i32>c - 87;
  return -1;
}

function hex4(p: usize): i32 {
  let r: i32 = 0;
  for (let i = 0; i < 4; i++) {
    const h = hex(load<u8>(p + i));
    if (h < 0) return -1;
    r = (r << 4) | h;
  }
  return r;
}


function parseString(): usize {
  pp++; // opening quote
  const start = pp;
  let escapes = false;
  while (pp < pe) {
    const c = load<u8>(pp);
    if (c == 34) break;
    if (c == 92) { escapes = true; pp += 2; continue; }
    if (c < 0x20) return 0;
    pp++;
  }
  if (pp >= pe) return 0;
  const end = pp;
  pp++;
  if (!escapes) return opa_string(start, <u32>(end - start));
  const buf = malloc(end - start);
  let o = buf;
  let q = start;
  while (q < end) {
    const c = load<u8>(q);
    if (c != 92) { store<u8>(o, c); o++; q++; continue; }
    const e = load<u8>(q + 1);
    q += 2;
    switch (e) {
      case 34: store<u8>(o, 34); o++; break;
      case 92: store<u8>(o, 92); o++; break;
      case 47: store<u8>(o, 47); o++; break;
      case 98: store<u8>(o, 8); o++; break;
      case 102: store<u8>(o, 12); o++; break;
      case 110: store<u8>(o, 10); o++; break;
      case 114: store<u8>(o, 13); o++; break;
      case 116: store<u8>(o, 9); o++; break;
      case 117: {
        if (q + 4 > end) return 0;
        let cp = hex4(q);
        if (cp < 0) return 0;
        q += 4;
        if (cp >= 0xd800 && cp < 0xdc00 && q + 6 <= end && load<u8>(q) == 92 && load<u8>(q + 1) == 117) {
          const lo = hex4(q + 2);
          if (lo >= 0xdc00 && lo < 0xe000) { cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00); q += 6; }
        }
        if (cp >= 0xd800 && cp < 0xe000) cp = 0xfffd;
        o += utf8Encode(o, <u32>cp);
        break;
      }
      default: return 0;
    }
  }
  return opa_string(buf, <u32>(o - buf));
}

// @ts-ignore: decorator
@inline export function isDigit(c: u8): bool { return c >= 48 && c <= 57; }

function parseNumber(): usize {
  const start = pp;
  if (pp < pe && load<u8>(pp) == 45) pp++;
  if (pp >= pe || !isDigit(load<u8>(pp))) return 0;
  if (load<u8>(pp) == 48) pp++;
  else while (pp < pe && isDigit(load<u8>(pp))) pp++;
  if (pp < pe && load<u8>(pp) == 46) {
    pp++;
    if (pp >= pe || !isDigit(load<u8>(pp))) return 0;
    while (pp < pe && isDigit(load<u8>(pp))) pp++;
  }
  if (pp < pe && (load<u8>(pp) | 32) == 101) {
    pp++;
    if (pp < pe && (load<u8>(pp) == 43 || load<u8>(pp) == 45)) pp++;
    if (pp >= pe || !isDigit(load<u8>(pp))) return 0;
    while (pp < pe && isDigit(load<u8>(pp))) pp++;
  }
  return number_from_text(start, <u32>(pp - start));
}

function parseValue(depth: i32): usize {
  if (depth > 10000) return 0;
  const literal = literalNext;
  literalNext = false;
  ws();
  if (pp >= pe) return 0;
  const c = load<u8>(pp);
  if (c == 123) { // {
    pp++;
    ws();
    if (pp < pe && load<u8>(pp) == 125) { pp++; return opa_object(); }
    const first = parseValue(depth + 1);
    if (first == 0) return 0;
    ws();
    if (pp < pe && load<u8>(pp) == 58) { // object
      if (!valueMode && vtype(first) != T_STRING) return 0;
      const o = opa_object();
      let k = first;
      let tag = tagged && !literal ? tagOf(first) : 0;
      while (true) {
        ws();
        if (pp >= pe || load<u8>(pp) != 58) return 0;
        pp++;
        literalNext = tag == TAG_OBJ;
        const v = parseValue(depth + 1);
        literalNext = false;
        if (v == 0) return 0;
        if (tag != 0) {
          ws();
          if (pp < pe && load<u8>(pp) == 125) { pp++; return untag(tag, v); }
          tag = 0;
        }
        hInsert(o, k, v);
        ws();
        if (pp >= pe) return 0;
        const d = load<u8>(pp);
        if (d == 125) { pp++; return o; }
        if (d != 44) return 0;
        pp++;
        ws();
        if (valueMode && pp < pe && load<u8>(pp) == 125) { pp++; return o; }
        k = parseValue(depth + 1);
        if (k == 0 || (!valueMode && vtype(k) != T_STRING)) return 0;
      }
    }
    if (!valueMode) return 0;
    const s = opa_set();
    hInsert(s, first, 0);
    while (true) {
      ws();
      if (pp >= pe) return 0;
      const d = load<u8>(pp);
      if (d == 125) { pp++; return s; }
      if (d != 44) return 0;
      pp++;
      ws();
      if (pp < pe && load<u8>(pp) == 125) { pp++; return s; }
      const v = parseValue(depth + 1);
      if (v == 0) return 0;
      hInsert(s, v, 0);
    }
  }
  if (c == 91) { // [
    pp++;
    const a = opa_array_with_cap(0);
    ws();
    if (pp < pe && load<u8>(pp) == 93) { pp++; return a; }
    while (true) {
      const v = parseValue(depth + 1);
      if (v == 0) return 0;
      opa_array_append(a, v);
      ws();
      if (pp >= pe) return 0;
      const d = load<u8>(pp);
      if (d == 93) { pp++; return a; }
      if (d != 44) return 0;
      pp++;
      if (valueMode) { ws(); if (pp < pe && load<u8>(pp) == 93) { pp++; return a; } }
    }
  }
  if (c == 34) return parseString();
  if (c == 116) return lit("true") ? opa_boolean(1) : 0;
  if (c == 102) return lit("false") ? opa_boolean(0) : 0;
  if (c == 110) return lit("null") ? opa_null() : 0;
  if (valueMode && c == 115) return lit("set()") ? opa_set() : 0;
  if (c == 45 || (c >= 48 && c <= 57)) return parseNumber();
  return 0;
}

function parseTop(p: usize, n: usize, vm: bool): usize {
  const sp = pp, se = pe, sv = valueMode; // re-entrant (builtins may parse while parsing is idle, but be safe)
  pp = p; pe = p + n; valueMode = vm;
  literalNext = false;
  let v = parseValue(0);
  if (v != 0) { ws(); if (pp != pe) v = 0; }
  pp = sp; pe = se; valueMode = sv;
  return v;
}

export function opa_json_parse(p: usize, n: usize): usize { return parseTop(p, n, false); }
export function opa_value_parse(p: usize, n: usize): usize { return parseTop(p, n, true); }
