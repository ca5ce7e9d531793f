// JSON (and Rego-value) text <-> values. Strings without escapes point into the
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
let pretty = false; // Rego's term text: ", " and ": " separators

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

function strIs(v: usize, s: string): bool {
  const n = <u32>s.length;
  if (strLen(v) != n) return false;
  const p = strPtr(v);
  for (let i: u32 = 0; i < n; i++) if (<u32>load<u8>(p + i) != <u32>s.charCodeAt(i)) return false;
  return true;
}
function tagOf(k: usize): i32 {
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
@inline function isDigit(c: u8): bool { return c >= 48 && c <= 57; }

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

// ---- dumping ----------------------------------------------------------------

let ob: usize = 0; // buffer
let ol: usize = 0; // length
let oc: usize = 0; // capacity

// @ts-ignore: decorator
@inline function reserve(n: usize): void {
  if (ol + n > oc) growOut(n);
}
function growOut(n: usize): void {
  let nc = oc * 2;
  if (nc < ol + n) nc = ol + n + 64;
  ob = realloc(ob, oc, nc);
  oc = nc;
}
// @ts-ignore: decorator
@inline function putc(c: u8): void { reserve(1); store<u8>(ob + ol, c); ol++; }
function puts(s: string): void {
  const n = s.length;
  reserve(n);
  for (let i = 0; i < n; i++) store<u8>(ob + ol + i, <u8>s.charCodeAt(i));
  ol += n;
}
function putBytes(p: usize, n: usize): void {
  reserve(n);
  memory.copy(ob + ol, p, n);
  ol += n;
}

export function putI64(i: i64): void {
  reserve(21);
  let u: u64 = i < 0 ? <u64>(-i) : <u64>i;
  if (i < 0) { store<u8>(ob + ol, 45); ol++; }
  const tmp = memory.data(24);
  let k = 0;
  do { store<u8>(tmp + k, <u8>(48 + <u32>(u % 10))); k++; u /= 10; } while (u != 0);
  for (let j = 0; j < k; j++) store<u8>(ob + ol + j, load<u8>(tmp + k - 1 - j));
  ol += k;
}

const DTOA_BUF: usize = memory.data(64);

export function putF64(f: f64): void {
  if (f == Math.floor(f) && Math.abs(f) < 1e21) {
    if (Math.abs(f) < 9.2e18) { putI64(<i64>f); return; }
  }
  const n = dtoa_buffered(DTOA_BUF, f);
  reserve(n);
  for (let i: u32 = 0; i < n; i++) store<u8>(ob + ol + i, <u8>load<u16>(DTOA_BUF + (<usize>i << 1)));
  ol += n;
}

const HEXD: usize = memory.data<u8>([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);

function putJsonString(p: usize, n: u32): void {
  reserve(<usize>n + 2);
  store<u8>(ob + ol, 34); ol++;
  let run = p;
  const end = p + n;
  let q = p;
  while (q < end) {
    const c = load<u8>(q);
    if (c >= 0x20 && c != 34 && c != 92) { q++; continue; }
    if (q > run) putBytes(run, q - run);
    switch (c) {
      case 34: puts("\\\""); break;
      case 92: puts("\\\\"); break;
      case 10: puts("\\n"); break;
      case 13: puts("\\r"); break;
      case 9: puts("\\t"); break;
      case 8: puts("\\b"); break;
      case 12: puts("\\f"); break;
      default: {
        puts("\\u00");
        putc(load<u8>(HEXD + (c >> 4)));
        putc(load<u8>(HEXD + (c & 15)));
      }
    }
    q++;
    run = q;
  }
  if (q > run) putBytes(run, q - run);
  putc(34);
}

function putNumber(v: usize): void {
  const r = numRepr(v);
  if (r == N_INT) {
    const i = numInt(v);
    if (tagged && (i > MAX_EXACT || i < -MAX_EXACT)) { puts("{\"$rego_num\":\""); putI64(i); puts("\"}"); }
    else putI64(i);
  } else if (r == N_FLOAT) putF64(load<f64>(v, 8));
  else {
    const p = <usize>load<u32>(v, 8), n = load<u32>(v, 4);
    if (tagged && bigIntegerText(p, n)) { puts("{\"$rego_num\":\""); putBytes(p, n); puts("\"}"); }
    else putBytes(p, n);
  }
}

const MAX_EXACT: i64 = 9007199254740992; // 2^53: larger integers do not survive JSON.parse

/** True when `p[0..n)` is an integer JSON.parse would round (magnitude beyond 2^53). */
function bigIntegerText(p: usize, n: u32): bool {
  let i: u32 = n > 0 && load<u8>(p) == 45 ? 1 : 0;
  const digits = n - i;
  if (digits == 0) return false;
  for (let j = i; j < n; j++) if (!isDigit(load<u8>(p + j))) return false;
  if (digits != 16) return digits > 16;
  const lim = "9007199254740992";
  for (let j: u32 = 0; j < 16; j++) {
    const a = <u32>load<u8>(p + i + j), b = <u32>lim.charCodeAt(j);
    if (a != b) return a > b;
  }
  return false;
}

function sep(): void { putc(44); if (pretty) putc(32); }

function dump(v: usize, rego: bool): void {
  if (v == 0) { puts("null"); return; } // never emit invalid JSON, even for an undefined member
  switch (vtype(v)) {
    case T_NULL: puts("null"); return;
    case T_BOOLEAN: puts(boolVal(v) ? "true" : "false"); return;
    case T_NUMBER: putNumber(v); return;
    case T_STRING: putJsonString(strPtr(v), strLen(v)); return;
    case T_ARRAY: {
      putc(91);
      const n = arrLen(v);
      for (let i: u32 = 0; i < n; i++) { if (i > 0) sep(); dump(arrGet(v, i), rego); }
      putc(93);
      return;
    }
    case T_OBJECT: {
      const n = hLen(v);
      const ents = sortedEntries(v);
      const wrap = tagged && !rego && n == 1 && tagOf(eKey(<usize>load<u32>(ents))) != 0;
      if (wrap) puts("{\"$rego_obj\":");
      putc(123);
      for (let i: u32 = 0; i < n; i++) {
        if (i > 0) sep();
        const e = <usize>load<u32>(ents + (<usize>i << 2));
        const k = eKey(e);
        if (rego || vtype(k) == T_STRING) dump(k, rego);
        else {
          // Non-string keys become their JSON text, as a string.
          const save = ol;
          dump(k, rego);
          const len = ol - save;
          const tmp = malloc(len);
          memory.copy(tmp, ob + save, len);
          ol = save;
          putJsonString(tmp, <u32>len);
        }
        putc(58);
        if (pretty) putc(32);
        dump(eVal(e), rego);
      }
      putc(125);
      if (wrap) putc(125);
      return;
    }
    case T_SET: {
      const n = hLen(v);
      if (rego && n == 0) { puts("set()"); return; }
      const wrap = tagged && !rego;
      if (wrap) puts("{\"$rego_set\":");
      putc(rego ? 123 : 91);
      const ents = sortedEntries(v);
      for (let i: u32 = 0; i < n; i++) {
        if (i > 0) sep();
        dump(eKey(<usize>load<u32>(ents + (<usize>i << 2))), rego);
      }
      putc(rego ? 125 : 93);
      if (wrap) putc(125);
      return;
    }
  }
}

/** Serialises `v` into a fresh NUL-terminated buffer; also returns its length via `lastDumpLen`. */
export let lastDumpLen: usize = 0;
function dumpTop(v: usize, rego: bool): usize {
  const sb = ob, sl = ol, sc = oc;
  oc = 64; ol = 0; ob = malloc(oc);
  if (v == 0) puts("null"); else dump(v, rego);
  putc(0);
  const r = ob;
  lastDumpLen = ol - 1;
  ob = sb; ol = sl; oc = sc;
  return r;
}

export function opa_json_dump(v: usize): usize { return dumpTop(v, false); }
export function opa_value_dump(v: usize): usize { return dumpTop(v, true); }

/** JSON text of a value as a string value (json.marshal). */
export function json_string(v: usize): usize {
  const p = dumpTop(v, false);
  return opa_string(p, <u32>lastDumpLen);
}

/** Rego's text for a value (as OPA's term String()): `[1, "a"]`, `{"k": 1}`, `{1, 2}`, `set()`. */
export function rego_text(v: usize): usize {
  const sp = pretty;
  pretty = true;
  const p = dumpTop(v, true);
  pretty = sp;
  return opa_string(p, <u32>lastDumpLen);
}
