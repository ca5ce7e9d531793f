// regex.find_n, regex.find_all_string_submatch_n, regex.split and
// regex.replace on the linear-time engine, with Go's regexp semantics.
import { malloc } from "../mem";
import { T_STRING, T_NUMBER, vtype, strLen, strPtr, opa_string, opa_array_with_cap, opa_array_append, numAsI64 } from "../value";
import { re_exec } from "../regex_exec";
import { berr, sbStart, sbBytes, sbByte, sbLength, sbData, utf8Decode } from "./common";
import { regexProgram } from "./regex";

const TMP: usize = memory.data(8);
const RL: usize = memory.data(4);

/** Calls back for each match like Go's allMatches; returns the number found. `cb` gets the caps buffer. */
function allMatches(prog: usize, p: usize, n: u32, limit: i64, each: (caps: usize) => void): void {
  const ng = load<u32>(prog, 8);
  const caps = malloc(<usize>(ng + 1) * 8);
  let pos: u32 = 0;
  let prevEnd: i32 = -1;
  let count: i64 = 0;
  while ((limit < 0 || count < limit) && pos <= n) {
    if (!re_exec(prog, p, n, pos, caps)) break;
    const a = load<i32>(caps), b = load<i32>(caps, 4);
    let accept = true;
    if (<u32>b == pos) {
      if (a == prevEnd) accept = false;
      if (pos < n) { utf8Decode(p + pos, p + n, RL); pos += load<u32>(RL); } else pos = n + 1;
    } else pos = <u32>b;
    prevEnd = b;
    if (accept) { each(caps); count++; }
  }
}

let curP: usize = 0;
let curOut: usize = 0;
let curGroups: u32 = 0;

function intArg(v: usize): i64 {
  if (vtype(v) != T_NUMBER || !numAsI64(v, TMP)) return -2;
  return load<i64>(TMP);
}

export function b_regex_find_n(pat: usize, s: usize, nv: usize): usize {
  if (vtype(pat) != T_STRING || vtype(s) != T_STRING) return berr("regex.find_n: operands 1 and 2 must be strings");
  const lim = intArg(nv);
  if (lim == -2) return berr("regex.find_n: operand 3 must be integer");
  const prog = regexProgram(pat);
  if (prog == 0) return berr("regex.find_n: invalid regular expression");
  curP = strPtr(s);
  curOut = opa_array_with_cap(4);
  allMatches(prog, strPtr(s), strLen(s), lim, (caps: usize): void => {
    const a = load<i32>(caps), b = load<i32>(caps, 4);
    opa_array_append(curOut, opa_string(curP + <usize>a, <u32>(b - a)));
  });
  return curOut;
}

export function b_regex_find_all_string_submatch_n(pat: usize, s: usize, nv: usize): usize {
  if (vtype(pat) != T_STRING || vtype(s) != T_STRING) return berr("regex.find_all_string_submatch_n: operands 1 and 2 must be strings");
  const lim = intArg(nv);
  if (lim == -2) return berr("regex.find_all_string_submatch_n: operand 3 must be integer");
  const prog = regexProgram(pat);
  if (prog == 0) return berr("regex.find_all_string_submatch_n: invalid regular expression");
  curP = strPtr(s);
  curOut = opa_array_with_cap(4);
  curGroups = load<u32>(prog, 8);
  allMatches(prog, strPtr(s), strLen(s), lim, (caps: usize): void => {
    const row = opa_array_with_cap(<i32>(curGroups + 1));
    for (let g: u32 = 0; g <= curGroups; g++) {
      const a = load<i32>(caps + <usize>g * 8), b = load<i32>(caps + <usize>g * 8, 4);
      opa_array_append(row, a < 0 || b < 0 ? opa_string(0, 0) : opa_string(curP + <usize>a, <u32>(b - a)));
    }
    opa_array_append(curOut, row);
  });
  return curOut;
}

// Match boundaries collected for split: (start, end) pairs.
let spans: usize = 0;
let nspans: u32 = 0;
let capSpans: u32 = 0;
function pushSpan(a: i32, b: i32): void {
  if (nspans == capSpans) {
    const nc = capSpans == 0 ? 8 : capSpans * 2;
    const ns = malloc(<usize>nc * 8);
    if (nspans > 0) memory.copy(ns, spans, <usize>nspans * 8);
    spans = ns;
    capSpans = nc;
  }
  store<i32>(spans + <usize>nspans * 8, a);
  store<i32>(spans + <usize>nspans * 8, b, 4);
  nspans++;
}

export function b_regex_split(pat: usize, s: usize): usize {
  if (vtype(pat) != T_STRING || vtype(s) != T_STRING) return berr("regex.split: operands must be strings");
  const prog = regexProgram(pat);
  if (prog == 0) return berr("regex.split: invalid regular expression");
  const p = strPtr(s), n = strLen(s);
  const out = opa_array_with_cap(4);
  if (strLen(pat) > 0 && n == 0) { opa_array_append(out, opa_string(p, 0)); return out; }
  nspans = 0; capSpans = 0; spans = 0;
  allMatches(prog, p, n, -1, (caps: usize): void => { pushSpan(load<i32>(caps), load<i32>(caps, 4)); });
  let beg: i32 = 0, end: i32 = 0;
  for (let k: u32 = 0; k < nspans; k++) {
    const a = load<i32>(spans + <usize>k * 8), b = load<i32>(spans + <usize>k * 8, 4);
    end = a;
    if (b != 0) opa_array_append(out, opa_string(p + <usize>beg, <u32>(end - beg)));
    beg = b;
  }
  if (<u32>end != n) opa_array_append(out, opa_string(p + <usize>beg, n - <u32>beg));
  return out;
}

function isNameByte(c: u8): bool { return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95; }

/** Appends the replacement template with $n / ${n} expanded (Go's Regexp.Expand; names other than numbers expand to ""). */
function expand(t: usize, tn: u32, src: usize, caps: usize, ng: u32): void {
  let i: u32 = 0;
  while (i < tn) {
    const c = load<u8>(t + i);
    if (c != 36 || i + 1 >= tn) { sbByte(c); i++; continue; }
    const d = load<u8>(t + i + 1);
    if (d == 36) { sbByte(36); i += 2; continue; }
    let ns: u32 = 0, ne: u32 = 0, next: u32 = 0;
    if (d == 123) {
      let j = i + 2;
      while (j < tn && isNameByte(load<u8>(t + j))) j++;
      if (j >= tn || load<u8>(t + j) != 125 || j == i + 2) { sbByte(c); i++; continue; }
      ns = i + 2; ne = j; next = j + 1;
    } else {
      let j = i + 1;
      while (j < tn && isNameByte(load<u8>(t + j))) j++;
      if (j == i + 1) { sbByte(c); i++; continue; }
      ns = i + 1; ne = j; next = j;
    }
    let num: i64 = 0;
    let numeric = ne - ns < 10;
    for (let k = ns; k < ne && numeric; k++) { const x = load<u8>(t + k); if (x < 48 || x > 57) numeric = false; else num = num * 10 + (x - 48); }
    if (numeric && num <= <i64>ng) {
      const a = load<i32>(caps + <usize>num * 8), b = load<i32>(caps + <usize>num * 8, 4);
      if (a >= 0 && b >= 0) sbBytes(src + <usize>a, <u32>(b - a));
    }
    i = next;
  }
}

export function b_regex_replace(s: usize, pat: usize, repl: usize): usize {
  if (vtype(s) != T_STRING || vtype(pat) != T_STRING || vtype(repl) != T_STRING) return berr("regex.replace: operands must be strings");
  const prog = regexProgram(pat);
  if (prog == 0) return berr("regex.replace: invalid regular expression");
  const p = strPtr(s), n = strLen(s);
  const ng = load<u32>(prog, 8);
  const caps = malloc(<usize>(ng + 1) * 8);
  sbStart(n + 16);
  let lastEnd: u32 = 0;
  let searchPos: u32 = 0;
  while (searchPos <= n) {
    if (!re_exec(prog, p, n, searchPos, caps)) break;
    const a = <u32>load<i32>(caps), b = <u32>load<i32>(caps, 4);
    sbBytes(p + lastEnd, a - lastEnd);
    if (b > lastEnd || a == 0) expand(strPtr(repl), strLen(repl), p, caps, ng);
    lastEnd = b;
    let width: u32 = 1;
    if (searchPos < n) { utf8Decode(p + searchPos, p + n, RL); width = load<u32>(RL); }
    if (searchPos + width > b) searchPos += width;
    else if (searchPos + 1 > b) searchPos++;
    else searchPos = b;
  }
  sbBytes(p + lastEnd, n - lastEnd);
  return opa_string(sbData(), <u32>sbLength());
}
