// sprintf (Go's fmt over OPA's argument conversion) and string interpolation.
import {
  T_STRING, T_ARRAY, T_SET, T_NUMBER, vtype, opa_string, strLen, strPtr, arrLen, arrGet, hHead, hLen, eKey,
  numRepr, numInt, numF64, N_INT, N_REF,
} from "../value";
import { rego_text } from "../json_dump";
import { malloc } from "../mem";
import { berr, sbStart, sbByte, sbBytes, sbLit, sbLength, sbData, sbRune, sbSave, sbRestore, utf8Decode } from "./common";
import { dtoa_buffered } from "util/number";

const DBUF: usize = memory.data(64);
const DIG: usize = memory.data(400);
const SAVE: usize = memory.data(12);
const RL: usize = memory.data(4);

// Argument kinds after OPA's conversion.
const A_INT: i32 = 0; // decimal integer text in DIG (sign separate)
const A_FLOAT: i32 = 1;
const A_STR: i32 = 2;

let argKind: i32 = 0;
let argNeg = false;
let argDigits: u32 = 0; // length of integer digits in DIG
let argF: f64 = 0;
let argStr: usize = 0; // string value

function loadArg(v: usize): void {
  const t = vtype(v);
  if (t == T_NUMBER) {
    if (numRepr(v) == N_INT) {
      argKind = A_INT;
      let x = numInt(v);
      argNeg = x < 0;
      let u: u64 = argNeg ? <u64>(-x) : <u64>x;
      let k: u32 = 0;
      const tmp = DIG + 200;
      do { store<u8>(tmp + k, <u8>(48 + <u32>(u % 10))); k++; u /= 10; } while (u != 0);
      for (let j: u32 = 0; j < k; j++) store<u8>(DIG + j, load<u8>(tmp + k - 1 - j));
      argDigits = k;
      return;
    }
    if (numRepr(v) == N_REF) {
      // Integer text of any size stays exact (Go: big.Int).
      const p = load<u32>(v, 8), n = load<u32>(v, 4);
      let ok = n > 0 && n < 190;
      let i: u32 = 0;
      if (ok && load<u8>(p) == 45) i = 1;
      if (i >= n) ok = false;
      for (let j = i; ok && j < n; j++) { const c = load<u8>(p + j); if (c < 48 || c > 57) ok = false; }
      if (ok) {
        argKind = A_INT;
        argNeg = i == 1;
        argDigits = n - i;
        memory.copy(DIG, p + i, argDigits);
        return;
      }
      const f = numF64(v);
      if (!isFinite(f)) { argKind = A_STR; argStr = opa_string(p, n); return; }
    }
    argKind = A_FLOAT;
    argF = numF64(v);
    return;
  }
  argKind = A_STR;
  argStr = t == T_STRING ? v : rego_text(v);
}

function pad(n: i32, c: u8): void { for (let i = 0; i < n; i++) sbByte(c); }

/** Writes `len` bytes at `p` with width/justification. */
function emitPadded(p: usize, len: u32, width: i32, left: bool, zero: bool): void {
  const fill = width - <i32>len;
  if (fill > 0 && !left) {
    if (zero && len > 0 && (load<u8>(p) == 45 || load<u8>(p) == 43)) { sbByte(load<u8>(p)); pad(fill, 48); sbBytes(p + 1, len - 1); return; }
    pad(fill, zero ? 48 : 32);
  }
  sbBytes(p, len);
  if (fill > 0 && left) pad(fill, 32);
}

/** Shortest digits of |f| into DIG; returns the count and sets `decExp` (value = 0.DIGITS × 10^decExp). */
let decExp: i32 = 0;
function shortestDigits(f: f64): u32 {
  const n = dtoa_buffered(DBUF, Math.abs(f));
  let nd: u32 = 0;
  let dot: i32 = -1;
  let exp: i32 = 0;
  let i: u32 = 0;
  let seenNonZero = false;
  let leadZeros: i32 = 0;
  for (; i < n; i++) {
    const c = load<u16>(DBUF + (<usize>i << 1));
    if (c == 46) { dot = <i32>nd + leadZeros; continue; }
    if (c == 101) { i++; break; }
    if (c == 48 && !seenNonZero) { leadZeros++; continue; }
    seenNonZero = true;
    store<u8>(DIG + nd, <u8>c);
    nd++;
  }
  if (i < n) {
    let neg = false;
    const c0 = load<u16>(DBUF + (<usize>i << 1));
    if (c0 == 45 || c0 == 43) { neg = c0 == 45; i++; }
    for (; i < n; i++) exp = exp * 10 + <i32>(load<u16>(DBUF + (<usize>i << 1)) - 48);
    if (neg) exp = -exp;
  }
  const intDigits = dot < 0 ? <i32>nd + leadZeros : dot;
  decExp = intDigits - leadZeros + exp;
  while (nd > 1 && load<u8>(DIG + nd - 1) == 48) nd--;
  if (nd == 0) { store<u8>(DIG, 48); nd = 1; decExp = 1; }
  return nd;
}

function putExp(e: i32): void {
  sbByte(101);
  sbByte(e < 0 ? 45 : 43);
  const a = e < 0 ? -e : e;
  if (a < 10) sbByte(48);
  if (a >= 100) sbByte(<u8>(48 + a / 100));
  if (a >= 10) sbByte(<u8>(48 + (a / 10) % 10));
  sbByte(<u8>(48 + a % 10));
}

/** Go's %v / %g (shortest) for a float64. */
function fmtG(f: f64): void {
  if (f == 0) { sbByte(48); return; }
  if (!isFinite(f)) { if (isNaN(f)) sbLit("NaN"); else sbLit(f < 0 ? "-Inf" : "+Inf"); return; }
  if (f < 0) sbByte(45);
  const nd = shortestDigits(f);
  const exp = decExp - 1;
  if (exp < -4 || exp >= 21) {
    sbByte(load<u8>(DIG));
    if (nd > 1) { sbByte(46); sbBytes(DIG + 1, nd - 1); }
    putExp(exp);
    return;
  }
  if (decExp <= 0) {
    sbLit("0.");
    pad(-decExp, 48);
    sbBytes(DIG, nd);
    return;
  }
  if (<u32>decExp >= nd) { sbBytes(DIG, nd); pad(decExp - <i32>nd, 48); return; }
  sbBytes(DIG, <u32>decExp);
  sbByte(46);
  sbBytes(DIG + <u32>decExp, nd - <u32>decExp);
}

/** %.Nf */
function fmtF(f: f64, prec: i32): void {
  if (!isFinite(f)) { fmtG(f); return; }
  if (f < 0 || (f == 0 && 1 / f < 0)) sbByte(45);
  let a = Math.abs(f);
  let scale: f64 = 1;
  for (let i = 0; i < prec; i++) scale *= 10;
  if (a * scale < 9.0e15) {
    let r = Math.round(a * scale);
    // Banker-free rounding like Go for exact halves is rare in practice; keep nearest.
    putScaled(r, scale, prec);
    return;
  }
  fmtG(a);
}

/** Writes r / scale (scale = 10^prec, r already rounded) as digits with `prec` decimals. */
function putScaled(r: f64, scale: f64, prec: i32): void {
  const ip = Math.floor(r / scale);
  let frac = r - ip * scale;
  putUint(<u64>ip);
  if (prec > 0) {
    sbByte(46);
    const tmp = DIG + 300;
    for (let i = prec - 1; i >= 0; i--) { store<u8>(tmp + i, <u8>(48 + <i32>(frac % 10))); frac = Math.floor(frac / 10); }
    sbBytes(tmp, prec);
  }
}

function putUint(u: u64): void {
  const tmp = DIG + 360;
  let k = 0;
  do { store<u8>(tmp + k, <u8>(48 + <u32>(u % 10))); k++; u /= 10; } while (u != 0);
  for (let j = k - 1; j >= 0; j--) sbByte(load<u8>(tmp + j));
}

/** %.Ne */
function fmtE(f: f64, prec: i32): void {
  if (!isFinite(f)) { fmtG(f); return; }
  if (f < 0) sbByte(45);
  const a = Math.abs(f);
  let exp: i32 = 0;
  let m = a;
  if (m != 0) { exp = <i32>Math.floor(Math.log10(m)); m = m / Math.pow(10, exp); if (m >= 10) { m /= 10; exp++; } }
  let scale: f64 = 1;
  for (let i = 0; i < prec; i++) scale *= 10;
  let r = Math.round(m * scale);
  if (r >= 10 * scale) { r /= 10; exp++; }
  putScaled(r, scale, prec);
  putExp(exp);
}

/** Integer digits (in DIG, argDigits long) in another base; only for values that fit u64. */
function intToU64(): u64 {
  let u: u64 = 0;
  for (let i: u32 = 0; i < argDigits; i++) u = u * 10 + <u64>(load<u8>(DIG + i) - 48);
  return u;
}
function putBase(u: u64, base: u32, upper: bool): void {
  const tmp = DIG + 330;
  let k = 0;
  do {
    const d = <u32>(u % <u64>base);
    store<u8>(tmp + k, <u8>(d < 10 ? 48 + d : (upper ? 55 : 87) + d));
    k++;
    u /= <u64>base;
  } while (u != 0);
  for (let j = k - 1; j >= 0; j--) sbByte(load<u8>(tmp + j));
}

function badVerb(verb: u32, typeName: string): void {
  sbLit("%!");
  sbRune(verb);
  sbByte(40);
  sbLit(typeName);
  sbByte(61);
  writeArgPlain();
  sbByte(41);
}
function argTypeName(): string {
  return argKind == A_INT ? "int" : argKind == A_FLOAT ? "float64" : "string";
}
function writeArgPlain(): void {
  if (argKind == A_INT) { if (argNeg) sbByte(45); sbBytes(DIG, argDigits); }
  else if (argKind == A_FLOAT) fmtG(argF);
  else sbBytes(strPtr(argStr), strLen(argStr));
}

function quoteString(p: usize, n: u32): void {
  sbByte(34);
  const end = p + n;
  let q = p;
  while (q < end) {
    const c = utf8Decode(q, end, RL);
    const l = load<u32>(RL);
    if (c == 34) sbLit("\\\"");
    else if (c == 92) sbLit("\\\\");
    else if (c == 10) sbLit("\\n");
    else if (c == 9) sbLit("\\t");
    else if (c == 13) sbLit("\\r");
    else if (c < 0x20 || c == 0x7f) { sbLit("\\x"); sbByte(<u8>"0123456789abcdef".charCodeAt(c >> 4)); sbByte(<u8>"0123456789abcdef".charCodeAt(c & 15)); }
    else sbBytes(q, l);
    q += l;
  }
  sbByte(34);
}

/** Formats one verb for the loaded argument into the buffer (without width handling). */
function formatVerb(verb: u32, prec: i32, plus: bool, sharp: bool): void {
  if (argKind == A_INT) {
    if (verb == 100 || verb == 118 || verb == 115) { // d v s
      if (argNeg) sbByte(45); else if (plus) sbByte(43);
      sbBytes(DIG, argDigits);
      return;
    }
    if (verb == 120 || verb == 88 || verb == 111 || verb == 98 || verb == 79) { // x X o b O
      if (argDigits > 19) { badVerb(verb, "int"); return; }
      if (argNeg) sbByte(45); else if (plus) sbByte(43);
      const base: u32 = verb == 98 ? 2 : (verb == 111 || verb == 79) ? 8 : 16;
      if (sharp || verb == 79) { if (base == 16) sbLit(verb == 88 ? "0X" : "0x"); else if (base == 8) sbLit(verb == 79 ? "0o" : "0"); else sbLit("0b"); }
      putBase(intToU64(), base, verb == 88);
      return;
    }
    if (verb == 99) { sbRune(<u32>intToU64()); return; } // c
    if (verb == 102 || verb == 70 || verb == 101 || verb == 69 || verb == 103 || verb == 71) {
      // Go would print %!f(int=…); OPA users expect the number, so format it as a float.
      argF = <f64>intToU64() * (argNeg ? -1 : 1);
      argKind = A_FLOAT;
      badVerb(verb, "int");
      return;
    }
    badVerb(verb, "int");
    return;
  }
  if (argKind == A_FLOAT) {
    if (verb == 118 || verb == 103 || verb == 71) { if (plus && argF >= 0) sbByte(43); if (prec >= 0 && verb != 118) fmtGPrec(argF, prec); else fmtG(argF); return; }
    if (verb == 102 || verb == 70) { if (plus && argF >= 0) sbByte(43); fmtF(argF, prec < 0 ? 6 : prec); return; }
    if (verb == 101 || verb == 69) { if (plus && argF >= 0) sbByte(43); fmtE(argF, prec < 0 ? 6 : prec); return; }
    badVerb(verb, "float64");
    return;
  }
  const p = strPtr(argStr), n = strLen(argStr);
  if (verb == 115 || verb == 118) {
    if (prec >= 0) {
      // precision truncates to runes
      let q = p; const end = p + n; let k = 0;
      while (q < end && k < prec) { utf8Decode(q, end, RL); q += load<u32>(RL); k++; }
      sbBytes(p, <u32>(q - p));
    } else sbBytes(p, n);
    return;
  }
  if (verb == 113) { quoteString(p, n); return; }
  if (verb == 120 || verb == 88) {
    for (let i: u32 = 0; i < n; i++) { const c = load<u8>(p + i); const h = verb == 88 ? "0123456789ABCDEF" : "0123456789abcdef"; sbByte(<u8>h.charCodeAt(c >> 4)); sbByte(<u8>h.charCodeAt(c & 15)); }
    return;
  }
  badVerb(verb, "string");
}

function fmtGPrec(f: f64, prec: i32): void {
  // %.Ng: N significant digits.
  if (prec == 0) prec = 1;
  if (f == 0) { sbByte(48); return; }
  const a = Math.abs(f);
  const exp = <i32>Math.floor(Math.log10(a));
  if (exp < -4 || exp >= prec) { fmtE(f, prec - 1); return; }
  const start = sbLength();
  fmtF(f, prec - 1 - exp);
  // %g drops trailing zeros.
  let end = sbLength();
  const d = sbData();
  let hasDot = false;
  for (let i = start; i < end; i++) if (load<u8>(d + i) == 46) hasDot = true;
  if (hasDot) {
    while (end > start && load<u8>(d + end - 1) == 48) end--;
    if (end > start && load<u8>(d + end - 1) == 46) end--;
    truncTo(end);
  }
}
function truncTo(n: usize): void {
  // sbTruncate via saved state
  sbSave(SAVE);
  store<u32>(SAVE, <u32>n, 4);
  sbRestore(SAVE);
}

export function b_sprintf(fmt: usize, args: usize): usize {
  if (vtype(fmt) != T_STRING) return berr("sprintf: operand 1 must be string");
  if (vtype(args) != T_ARRAY) return berr("sprintf: operand 2 must be array");
  const p = strPtr(fmt), n = strLen(fmt);
  const nargs = arrLen(args);
  sbStart(n + 32);
  let ai: u32 = 0;
  let i: u32 = 0;
  while (i < n) {
    const c = load<u8>(p + i);
    if (c != 37) { sbByte(c); i++; continue; }
    i++;
    if (i >= n) { sbLit("%!(NOVERB)"); break; }
    let left = false, plus = false, zero = false, sharp = false, space = false;
    while (i < n) {
      const f = load<u8>(p + i);
      if (f == 45) left = true; else if (f == 43) plus = true; else if (f == 48) zero = true; else if (f == 35) sharp = true; else if (f == 32) space = true; else break;
      i++;
    }
    let width: i32 = -1;
    while (i < n && load<u8>(p + i) >= 48 && load<u8>(p + i) <= 57) { width = (width < 0 ? 0 : width) * 10 + <i32>(load<u8>(p + i) - 48); i++; }
    let prec: i32 = -1;
    if (i < n && load<u8>(p + i) == 46) {
      i++;
      prec = 0;
      while (i < n && load<u8>(p + i) >= 48 && load<u8>(p + i) <= 57) { prec = prec * 10 + <i32>(load<u8>(p + i) - 48); i++; }
    }
    if (i >= n) { sbLit("%!(NOVERB)"); break; }
    const vstart = p + i;
    const verb = utf8Decode(vstart, p + n, RL);
    i += load<u32>(RL);
    if (verb == 37) { sbByte(37); continue; }
    if (ai >= nargs) { sbLit("%!"); sbRune(verb); sbLit("(MISSING)"); continue; }
    // Render the argument into a scratch area at the end of the buffer, then pad it.
    const a = arrGet(args, ai++);
    sbSave(SAVE);
    const saved0 = load<u32>(SAVE), saved1 = load<u32>(SAVE, 4), saved2 = load<u32>(SAVE, 8);
    loadArg(a); // may render Rego text with its own buffer
    store<u32>(SAVE, saved0); store<u32>(SAVE, saved1, 4); store<u32>(SAVE, saved2, 8);
    sbRestore(SAVE);
    const mark = sbLength();
    formatVerb(verb, prec, plus || space, sharp);
    if (width > 0) {
      const len = <u32>(sbLength() - mark);
      if (<i32>len < width) {
        // Move the rendered text aside and re-emit it padded.
        const copy = heapCopy(sbData() + mark, len);
        truncTo(mark);
        emitPadded(copy, len, width, left, zero && argKind != A_STR);
      }
    }
  }
  if (ai < nargs) {
    sbLit("%!(EXTRA ");
    for (let k = ai; k < nargs; k++) {
      if (k > ai) sbLit(", ");
      sbSave(SAVE);
      const s0 = load<u32>(SAVE), s1 = load<u32>(SAVE, 4), s2 = load<u32>(SAVE, 8);
      loadArg(arrGet(args, k));
      store<u32>(SAVE, s0); store<u32>(SAVE, s1, 4); store<u32>(SAVE, s2, 8);
      sbRestore(SAVE);
      sbLit(argTypeName());
      sbByte(61);
      writeArgPlain();
    }
    sbByte(41);
  }
  return opa_string(sbData(), <u32>sbLength());
}

function heapCopy(p: usize, n: u32): usize {
  const q = malloc(n);
  memory.copy(q, p, n);
  return q;
}

/** internal.template_string: string parts verbatim, each interpolation is the set of its values. */
export function b_internal_template_string(parts: usize): usize {
  if (vtype(parts) != T_ARRAY) return berr("internal.template_string: operand 1 must be array");
  const n = arrLen(parts);
  // Render every part first: rego_text uses its own buffer.
  const texts = malloc(<usize>n << 2);
  for (let i: u32 = 0; i < n; i++) {
    const x = arrGet(parts, i);
    let t: usize = 0;
    if (vtype(x) == T_STRING) t = x;
    else if (vtype(x) == T_SET) {
      const c = hLen(x);
      if (c == 0) t = 0;
      else if (c > 1) return berr("template-strings must not produce multiple outputs");
      else { const v = eKey(hHead(x)); t = vtype(v) == T_STRING ? v : rego_text(v); }
    } else t = rego_text(x);
    store<u32>(texts + (<usize>i << 2), <u32>t);
  }
  sbStart(64);
  for (let i: u32 = 0; i < n; i++) {
    const t = <usize>load<u32>(texts + (<usize>i << 2));
    if (t == 0) sbLit("<undefined>"); else sbBytes(strPtr(t), strLen(t));
  }
  return opa_string(sbData(), <u32>sbLength());
}
