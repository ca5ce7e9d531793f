// String builtins (Go's strings package semantics, code points where Rego counts runes).
import { malloc } from "../mem";
import {
  T_STRING, T_ARRAY, T_SET, T_NUMBER, T_BOOLEAN, T_NULL, T_OBJECT, vtype, opa_string, strLen, strPtr, opa_boolean, opa_number_int,
  opa_array_with_cap, opa_array_append, arrLen, arrGet, hHead, eKey, eVal, eNext, sortedEntries, hLen, numAsI64, numF64,
  number_from_text, boolVal, opa_number_float,
} from "../value";
import { berr, utf8Count, utf8Offset, utf8Decode, memFind, sbStart, sbByte, sbBytes, sbRune, sbLength, sbData, sbLit } from "./common";

const TMP: usize = memory.data(8);
const RL: usize = memory.data(4);

// @ts-ignore: decorator
@inline function isStr(v: usize): bool { return vtype(v) == T_STRING; }
function sbString(): usize { return opa_string(sbData(), <u32>sbLength()); }

export function b_concat(d: usize, c: usize): usize {
  if (!isStr(d)) return berr("concat: operand 1 must be string");
  const t = vtype(c);
  sbStart(64);
  if (t == T_ARRAY) {
    const n = arrLen(c);
    for (let i: u32 = 0; i < n; i++) {
      const x = arrGet(c, i);
      if (!isStr(x)) return berr("concat: operand 2 must be array or set of strings");
      if (i > 0) sbBytes(strPtr(d), strLen(d));
      sbBytes(strPtr(x), strLen(x));
    }
  } else if (t == T_SET) {
    const n = hLen(c);
    const ents = sortedEntries(c);
    for (let i: u32 = 0; i < n; i++) {
      const x = eKey(load<u32>(ents + (<usize>i << 2)));
      if (!isStr(x)) return berr("concat: operand 2 must be array or set of strings");
      if (i > 0) sbBytes(strPtr(d), strLen(d));
      sbBytes(strPtr(x), strLen(x));
    }
  } else return berr("concat: operand 2 must be array or set of strings");
  return sbString();
}

export function b_contains(s: usize, sub: usize): usize {
  if (!isStr(s) || !isStr(sub)) return berr("contains: operands must be strings");
  return opa_boolean(<i32>(memFind(strPtr(s), strLen(s), strPtr(sub), strLen(sub), 0) >= 0));
}
export function b_startswith(s: usize, p: usize): usize {
  if (!isStr(s) || !isStr(p)) return berr("startswith: operands must be strings");
  const n = strLen(p);
  return opa_boolean(<i32>(n <= strLen(s) && memory.compare(strPtr(s), strPtr(p), n) == 0));
}
export function b_endswith(s: usize, p: usize): usize {
  if (!isStr(s) || !isStr(p)) return berr("endswith: operands must be strings");
  const n = strLen(p), m = strLen(s);
  return opa_boolean(<i32>(n <= m && memory.compare(strPtr(s) + m - n, strPtr(p), n) == 0));
}

function caseMap(s: usize, upper: bool): usize {
  if (!isStr(s)) return berr(upper ? "upper: operand 1 must be string" : "lower: operand 1 must be string");
  const n = strLen(s);
  const p = strPtr(s);
  const out = malloc(n);
  for (let i: u32 = 0; i < n; i++) {
    let c = load<u8>(p + i);
    if (upper) { if (c >= 97 && c <= 122) c -= 32; } else { if (c >= 65 && c <= 90) c += 32; }
    store<u8>(out + i, c);
  }
  // Non-ASCII letters: Latin-1 supplement, Greek and Cyrillic basic ranges (2-byte sequences).
  let i: u32 = 0;
  let changed = false;
  for (; i < n; i++) if (load<u8>(p + i) >= 0x80) { changed = true; break; }
  if (!changed) return opa_string(out, n);
  sbStart(n + 8);
  let q = p;
  const end = p + n;
  while (q < end) {
    let cp = utf8Decode(q, end, RL);
    q += load<u32>(RL);
    cp = upper ? toUpperRune(cp) : toLowerRune(cp);
    sbRune(cp);
  }
  return sbString();
}
function toLowerRune(c: u32): u32 {
  if (c >= 65 && c <= 90) return c + 32;
  if ((c >= 0xc0 && c <= 0xde && c != 0xd7)) return c + 32;
  if (c >= 0x391 && c <= 0x3a9 && c != 0x3a2) return c + 32;
  if (c >= 0x410 && c <= 0x42f) return c + 32;
  if (c >= 0x400 && c <= 0x40f) return c + 80;
  if (c >= 0x100 && c <= 0x17f && (c & 1) == 0 && c != 0x130 && c != 0x138) return c + 1;
  return c;
}
function toUpperRune(c: u32): u32 {
  if (c >= 97 && c <= 122) return c - 32;
  if ((c >= 0xe0 && c <= 0xfe && c != 0xf7)) return c - 32;
  if (c >= 0x3b1 && c <= 0x3c9 && c != 0x3c2) return c - 32;
  if (c >= 0x430 && c <= 0x44f) return c - 32;
  if (c >= 0x450 && c <= 0x45f) return c - 80;
  if (c >= 0x101 && c <= 0x17f && (c & 1) == 1 && c != 0x131 && c != 0x149) return c - 1;
  return c;
}
export function b_lower(s: usize): usize { return caseMap(s, false); }
export function b_upper(s: usize): usize { return caseMap(s, true); }

export function b_split(s: usize, d: usize): usize {
  if (!isStr(s) || !isStr(d)) return berr("split: operands must be strings");
  const p = strPtr(s), n = strLen(s), dp = strPtr(d), dn = strLen(d);
  const a = opa_array_with_cap(4);
  if (dn == 0) {
    let q = p;
    const end = p + n;
    while (q < end) {
      utf8Decode(q, end, RL);
      const l = load<u32>(RL);
      opa_array_append(a, opa_string(q, l));
      q += l;
    }
    return a;
  }
  let from: u32 = 0;
  while (true) {
    const i = memFind(p, n, dp, dn, from);
    if (i < 0) break;
    opa_array_append(a, opa_string(p + from, <u32>i - from));
    from = <u32>i + dn;
  }
  opa_array_append(a, opa_string(p + from, n - from));
  return a;
}

/** Whether rune `c` is in the cutset text. */
function inCutset(c: u32, cp: usize, cn: u32): bool {
  let q = cp;
  const end = cp + cn;
  while (q < end) {
    const r = utf8Decode(q, end, RL);
    q += load<u32>(RL);
    if (r == c) return true;
  }
  return false;
}
function isSpaceRune(c: u32): bool {
  return c == 32 || (c >= 9 && c <= 13) || c == 0x85 || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}
function trimImpl(s: usize, cut: usize, left: bool, right: bool, space: bool): usize {
  const p = strPtr(s), n = strLen(s);
  const cp = space ? 0 : strPtr(cut), cn = space ? 0 : strLen(cut);
  let start = p;
  const end0 = p + n;
  let end = end0;
  if (left) {
    while (start < end) {
      const r = utf8Decode(start, end, RL);
      if (!(space ? isSpaceRune(r) : inCutset(r, cp, cn))) break;
      start += load<u32>(RL);
    }
  }
  if (right) {
    while (end > start) {
      let b = end - 1;
      while (b > start && (load<u8>(b) & 0xc0) == 0x80) b--;
      const r = utf8Decode(b, end, RL);
      if (!(space ? isSpaceRune(r) : inCutset(r, cp, cn))) break;
      end = b;
    }
  }
  return opa_string(start, <u32>(end - start));
}
export function b_trim(s: usize, c: usize): usize { if (!isStr(s) || !isStr(c)) return berr("trim: operands must be strings"); return trimImpl(s, c, true, true, false); }
export function b_trim_left(s: usize, c: usize): usize { if (!isStr(s) || !isStr(c)) return berr("trim_left: operands must be strings"); return trimImpl(s, c, true, false, false); }
export function b_trim_right(s: usize, c: usize): usize { if (!isStr(s) || !isStr(c)) return berr("trim_right: operands must be strings"); return trimImpl(s, c, false, true, false); }
export function b_trim_space(s: usize): usize { if (!isStr(s)) return berr("trim_space: operand must be string"); return trimImpl(s, 0, true, true, true); }
export function b_trim_prefix(s: usize, p: usize): usize {
  if (!isStr(s) || !isStr(p)) return berr("trim_prefix: operands must be strings");
  const n = strLen(p);
  if (n <= strLen(s) && memory.compare(strPtr(s), strPtr(p), n) == 0) return opa_string(strPtr(s) + n, strLen(s) - n);
  return s;
}
export function b_trim_suffix(s: usize, p: usize): usize {
  if (!isStr(s) || !isStr(p)) return berr("trim_suffix: operands must be strings");
  const n = strLen(p), m = strLen(s);
  if (n <= m && memory.compare(strPtr(s) + m - n, strPtr(p), n) == 0) return opa_string(strPtr(s), m - n);
  return s;
}

function replaceAll(s: usize, old: usize, nw: usize, limit: i32): usize {
  const p = strPtr(s), n = strLen(s), op = strPtr(old), on = strLen(old);
  sbStart(n + 16);
  if (on == 0) {
    // Go: insert `new` before every rune and at the end.
    let q = p;
    const end = p + n;
    let count = 0;
    while (q < end) {
      if (limit < 0 || count < limit) { sbBytes(strPtr(nw), strLen(nw)); count++; }
      utf8Decode(q, end, RL);
      const l = load<u32>(RL);
      sbBytes(q, l);
      q += l;
    }
    if (limit < 0 || count < limit) sbBytes(strPtr(nw), strLen(nw));
    return sbString();
  }
  let from: u32 = 0;
  let count = 0;
  while (limit < 0 || count < limit) {
    const i = memFind(p, n, op, on, from);
    if (i < 0) break;
    sbBytes(p + from, <u32>i - from);
    sbBytes(strPtr(nw), strLen(nw));
    from = <u32>i + on;
    count++;
  }
  sbBytes(p + from, n - from);
  return sbString();
}
export function b_replace(s: usize, old: usize, nw: usize): usize {
  if (!isStr(s) || !isStr(old) || !isStr(nw)) return berr("replace: operands must be strings");
  return replaceAll(s, old, nw, -1);
}

/** strings.replace_n(patterns, s): Go's strings.NewReplacer over the sorted pairs. */
export function b_strings_replace_n(pats: usize, s: usize): usize {
  if (vtype(pats) != T_OBJECT) return berr("strings.replace_n: operand 1 must be object");
  if (!isStr(s)) return berr("strings.replace_n: operand 2 must be string");
  const n = hLen(pats);
  const ents = sortedEntries(pats);
  for (let i: u32 = 0; i < n; i++) {
    const e = <usize>load<u32>(ents + (<usize>i << 2));
    if (!isStr(eKey(e))) return berr("strings.replace_n: operand 1 must be object with string keys");
    if (!isStr(eVal(e))) return berr("strings.replace_n: operand 1 must be object with string values");
  }
  const p = strPtr(s), len = strLen(s);
  sbStart(len + 16);
  let i: u32 = 0;
  while (i <= len) {
    let matched = false;
    for (let k: u32 = 0; k < n; k++) {
      const e = <usize>load<u32>(ents + (<usize>k << 2));
      const key = eKey(e);
      const kn = strLen(key);
      if (kn == 0) continue;
      if (i + kn <= len && memory.compare(p + i, strPtr(key), kn) == 0) {
        sbBytes(strPtr(eVal(e)), strLen(eVal(e)));
        i += kn;
        matched = true;
        break;
      }
    }
    if (!matched) { if (i < len) sbByte(load<u8>(p + i)); i++; }
  }
  return sbString();
}

export function b_substring(s: usize, start: usize, length: usize): usize {
  if (!isStr(s)) return berr("substring: operand 1 must be string");
  if (vtype(start) != T_NUMBER || vtype(length) != T_NUMBER) return berr("substring: operands 2 and 3 must be numbers");
  if (!numAsI64(start, TMP)) return berr("substring: operand 2 must be integer");
  const st = load<i64>(TMP);
  if (!numAsI64(length, TMP)) return berr("substring: operand 3 must be integer");
  const ln = load<i64>(TMP);
  if (st < 0) return berr("substring: negative offset");
  const p = strPtr(s), n = strLen(s);
  const runes = utf8Count(p, n);
  if (st >= <i64>runes) return opa_string(p, 0);
  const b0 = utf8Offset(p, n, <u32>st);
  let b1 = n;
  if (ln >= 0 && st + ln < <i64>runes) b1 = utf8Offset(p, n, <u32>(st + ln));
  return opa_string(p + b0, b1 - b0);
}

export function b_indexof(s: usize, sub: usize): usize {
  if (!isStr(s) || !isStr(sub)) return berr("indexof: operands must be strings");
  if (strLen(sub) == 0) return berr("indexof: empty search character");
  const i = memFind(strPtr(s), strLen(s), strPtr(sub), strLen(sub), 0);
  if (i < 0) return opa_number_int(-1);
  return opa_number_int(utf8Count(strPtr(s), <u32>i));
}
export function b_indexof_n(s: usize, sub: usize): usize {
  if (!isStr(s) || !isStr(sub)) return berr("indexof_n: operands must be strings");
  if (strLen(sub) == 0) return berr("indexof_n: empty search character");
  const a = opa_array_with_cap(0);
  let from: u32 = 0;
  const p = strPtr(s), n = strLen(s);
  while (true) {
    const i = memFind(p, n, strPtr(sub), strLen(sub), from);
    if (i < 0) break;
    opa_array_append(a, opa_number_int(utf8Count(p, <u32>i)));
    from = <u32>i + 1;
    if (from > n) break;
  }
  return a;
}

export function b_strings_reverse(s: usize): usize {
  if (!isStr(s)) return berr("strings.reverse: operand must be string");
  const p = strPtr(s), n = strLen(s);
  const out = malloc(n);
  let q = p;
  const end = p + n;
  let o = out + n;
  while (q < end) {
    utf8Decode(q, end, RL);
    const l = load<u32>(RL);
    o -= l;
    memory.copy(o, q, l);
    q += l;
  }
  return opa_string(out, n);
}

export function b_format_int(x: usize, base: usize): usize {
  if (vtype(x) != T_NUMBER) return berr("format_int: operand 1 must be number");
  if (vtype(base) != T_NUMBER || !numAsI64(base, TMP)) return berr("format_int: operand 2 must be integer");
  const b = load<i64>(TMP);
  if (b != 2 && b != 8 && b != 10 && b != 16) return berr("format_int: operand 2 must be one of {2, 8, 10, 16}");
  let v: i64;
  if (numAsI64(x, TMP)) v = load<i64>(TMP); else v = <i64>Math.floor(numF64(x));
  const f = numF64(x);
  if (f < 0 && f != Math.floor(f)) v = <i64>Math.ceil(f); // Go truncates toward zero via big.Int
  const neg = v < 0;
  let u: u64 = neg ? <u64>(-v) : <u64>v;
  const buf = memory.data(72);
  let k = 0;
  const digits = "0123456789abcdef";
  do { store<u8>(buf + k, <u8>digits.charCodeAt(<i32>(u % <u64>b))); k++; u /= <u64>b; } while (u != 0);
  sbStart(k + 1);
  if (neg) sbByte(45);
  for (let j = k - 1; j >= 0; j--) sbByte(load<u8>(buf + j));
  return sbString();
}

export function b_to_number(x: usize): usize {
  const t = vtype(x);
  if (t == T_NUMBER) return x;
  if (t == T_NULL) return opa_number_int(0);
  if (t == T_BOOLEAN) return opa_number_int(boolVal(x) ? 1 : 0);
  if (t != T_STRING) return berr("to_number: operand must be one of {null, boolean, number, string}");
  const p = strPtr(x), n = strLen(x);
  // Accept Go ParseFloat-style decimal numbers (no hex, no inf/nan words in Rego).
  let i: u32 = 0;
  if (n == 0) return berr("to_number: invalid syntax");
  if (load<u8>(p) == 45 || load<u8>(p) == 43) i++;
  if (isNanInfWord(p + i, n - i)) return berr("to_number: operand 1 must be a finite number string");
  let digits = 0;
  while (i < n && load<u8>(p + i) >= 48 && load<u8>(p + i) <= 57) { i++; digits++; }
  if (i < n && load<u8>(p + i) == 46) { i++; while (i < n && load<u8>(p + i) >= 48 && load<u8>(p + i) <= 57) { i++; digits++; } }
  if (digits == 0) return berr("to_number: invalid syntax");
  if (i < n && (load<u8>(p + i) | 32) == 101) {
    i++;
    if (i < n && (load<u8>(p + i) == 45 || load<u8>(p + i) == 43)) i++;
    let ed = 0;
    while (i < n && load<u8>(p + i) >= 48 && load<u8>(p + i) <= 57) { i++; ed++; }
    if (ed == 0) return berr("to_number: invalid syntax");
  }
  if (i != n) return berr("to_number: invalid syntax");
  if (load<u8>(p) == 43) return number_from_text(p + 1, n - 1);
  return number_from_text(p, n);
}

/** Go's ParseFloat accepts these words; OPA rejects them as a type error. */
function isNanInfWord(p: usize, n: u32): bool {
  const w = n == 3 ? "nan" : n == 8 ? "infinity" : "";
  const w2 = n == 3 ? "inf" : "";
  let a = w.length > 0, b = w2.length > 0;
  for (let i: u32 = 0; i < n && (a || b); i++) {
    const c = load<u8>(p + i) | 32;
    if (a && c != <u8>w.charCodeAt(i)) a = false;
    if (b && c != <u8>w2.charCodeAt(i)) b = false;
  }
  return a || b;
}

// ---- strings.any_prefix_match / any_suffix_match ----------------------------
/** Calls `f` for each string in a string / array / set operand; false if an element is not a string. */
function eachString(v: usize, out: usize): i32 {
  // Writes (ptr, len) pairs to a fresh buffer stored at `out`; returns the count or -1.
  const t = vtype(v);
  if (t == T_STRING) { const b = malloc(8); store<u32>(b, <u32>strPtr(v)); store<u32>(b, strLen(v), 4); store<u32>(out, <u32>b); return 1; }
  let n: u32 = 0;
  if (t == T_ARRAY) n = arrLen(v); else if (t == T_SET) n = hLen(v); else return -2;
  const b = malloc(<usize>n * 8 + 8);
  if (t == T_ARRAY) {
    for (let i: u32 = 0; i < n; i++) { const x = arrGet(v, i); if (!isStr(x)) return -1; store<u32>(b + <usize>i * 8, <u32>strPtr(x)); store<u32>(b + <usize>i * 8, strLen(x), 4); }
  } else {
    let e = hHead(v); let i: u32 = 0;
    while (e != 0) { const x = eKey(e); if (!isStr(x)) return -1; store<u32>(b + <usize>i * 8, <u32>strPtr(x)); store<u32>(b + <usize>i * 8, strLen(x), 4); i++; e = eNext(e); }
  }
  store<u32>(out, <u32>b);
  return <i32>n;
}
const LIST_A: usize = memory.data(4);
const LIST_B: usize = memory.data(4);
function anyAffix(a: usize, b: usize, suffix: bool): usize {
  const na = eachString(a, LIST_A);
  if (na < 0) return berr(suffix ? "strings.any_suffix_match: operand 1 must be string, array or set of strings" : "strings.any_prefix_match: operand 1 must be string, array or set of strings");
  const nb = eachString(b, LIST_B);
  if (nb < 0) return berr(suffix ? "strings.any_suffix_match: operand 2 must be string, array or set of strings" : "strings.any_prefix_match: operand 2 must be string, array or set of strings");
  const la = <usize>load<u32>(LIST_A), lb = <usize>load<u32>(LIST_B);
  for (let i = 0; i < na; i++) {
    const sp = <usize>load<u32>(la + <usize>i * 8), sn = load<u32>(la + <usize>i * 8, 4);
    for (let j = 0; j < nb; j++) {
      const pp = <usize>load<u32>(lb + <usize>j * 8), pn = load<u32>(lb + <usize>j * 8, 4);
      if (pn <= sn && memory.compare(suffix ? sp + sn - pn : sp, pp, pn) == 0) return opa_boolean(1);
    }
  }
  return opa_boolean(0);
}
export function b_strings_any_prefix_match(a: usize, b: usize): usize { return anyAffix(a, b, false); }
export function b_strings_any_suffix_match(a: usize, b: usize): usize { return anyAffix(a, b, true); }
