// Values -> JSON (and Rego's term) text: the dumping half of json.ts.
import { malloc, realloc } from "./mem";
import {
  T_NULL, T_BOOLEAN, T_NUMBER, T_STRING, T_ARRAY, T_OBJECT, T_SET, N_INT, N_FLOAT,
  vtype, opa_string, strLen, strPtr, arrLen, arrGet, hLen, eKey, eVal, sortedEntries, boolVal,
  numRepr, numInt,
} from "./value";
import { dtoa_buffered } from "util/number";
import { utf8Encode } from "./builtins/common";
import { hostTagging, isDigit, tagOf } from "./json";

let pretty = false; // Rego's term text: ", " and ": " separators

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
    if (hostTagging() && (i > MAX_EXACT || i < -MAX_EXACT)) { puts("{\"$rego_num\":\""); putI64(i); puts("\"}"); }
    else putI64(i);
  } else if (r == N_FLOAT) putF64(load<f64>(v, 8));
  else {
    const p = <usize>load<u32>(v, 8), n = load<u32>(v, 4);
    if (hostTagging() && bigIntegerText(p, n)) { puts("{\"$rego_num\":\""); putBytes(p, n); puts("\"}"); }
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
      const wrap = hostTagging() && !rego && n == 1 && tagOf(eKey(<usize>load<u32>(ents))) != 0;
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
      const wrap = hostTagging() && !rego;
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
