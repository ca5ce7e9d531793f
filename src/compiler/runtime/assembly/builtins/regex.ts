// regex.match / re_match / regex.is_valid / glob.match on the linear-time engine.
import { calloc, malloc, heap_base, arenaBegin, arenaEnd } from "../mem";
import { T_STRING, T_ARRAY, T_NULL, vtype, strLen, strPtr, opa_boolean, arrLen, arrGet } from "../value";
import { re_compile, re_match } from "../regex";
import { berr, sbStart, sbByte, sbBytes, sbLit, sbLength, sbData, utf8Decode, sbRune } from "./common";
import { globFast } from "./glob";

/** Incremented at the start of every evaluation; cached programs from older evaluations are gone with the heap. */
export let eval_gen: u32 = 1;
export function bump_eval_gen(): void { eval_gen++; }

// Cache: 32 entries of {gen u32, ptr u32, len u32, prog u32, kind u32}.
const CACHE_N: u32 = 32;
let cacheNext: u32 = 0;
const RL: usize = memory.data(4);

function cached(p: usize, n: u32, kind: u32): usize {
  for (let i: u32 = 0; i < CACHE_N; i++) {
    const e = CACHE + <usize>i * 20;
    if (load<u32>(e) == eval_gen && load<u32>(e, 8) == n && load<u32>(e, 16) == kind && memory.compare(load<u32>(e, 4), p, n) == 0) return load<u32>(e, 12);
  }
  return 0;
}
function remember(p: usize, n: u32, kind: u32, prog: usize): void {
  const e = CACHE + <usize>cacheNext * 20;
  store<u32>(e, eval_gen); store<u32>(e, <u32>p, 4); store<u32>(e, n, 8); store<u32>(e, <u32>prog, 12); store<u32>(e, kind, 16);
  cacheNext = (cacheNext + 1) % CACHE_N;
}
const CACHE: usize = memory.data(20 * 32);

// Programs of constant patterns (bytes below heap_base: the policy's own
// strings) are compiled once into the arena and kept for the instance's life.
// Permanent table: 32 entries of {ptr u32, len u32, prog u32, kind u32}.
const PERM_N: u32 = 32;
let permUsed: u32 = 0;
const PERM: usize = memory.data(16 * 32);

function permanent(p: usize, n: u32, kind: u32): usize {
  for (let i: u32 = 0; i < permUsed; i++) {
    const e = PERM + <usize>i * 16;
    if (load<u32>(e, 4) == n && load<u32>(e, 12) == kind && memory.compare(load<u32>(e), p, n) == 0) return load<u32>(e, 8);
  }
  return 0;
}
function keep(p: usize, n: u32, kind: u32, prog: usize): void {
  const e = PERM + <usize>permUsed * 16;
  store<u32>(e, <u32>p); store<u32>(e, n, 4); store<u32>(e, <u32>prog, 8); store<u32>(e, kind, 12);
  permUsed++;
}
// @ts-ignore: decorator
@inline function isConstant(p: usize, n: u32): bool { return p + n <= heap_base; }

/** The compiled program for a pattern string value (cached), or 0 if invalid. */
export function regexProgram(pat: usize): usize {
  const p = strPtr(pat), n = strLen(pat);
  const constant = isConstant(p, n);
  let prog = constant ? permanent(p, n, 0) : 0;
  if (prog != 0) return prog;
  prog = cached(p, n, 0);
  if (prog != 0) return prog;
  if (constant && permUsed < PERM_N && arenaBegin()) {
    prog = re_compile(p, n);
    if (arenaEnd(prog != 0) && prog != 0) { keep(p, n, 0, prog); return prog; }
  } else prog = re_compile(p, n);
  if (prog != 0) remember(p, n, 0, prog);
  return prog;
}

export function b_regex_match(pat: usize, s: usize): usize {
  if (vtype(pat) != T_STRING) return berr("regex.match: operand 1 must be string");
  if (vtype(s) != T_STRING) return berr("regex.match: operand 2 must be string");
  const prog = regexProgram(pat);
  if (prog == 0) return berr("regex.match: invalid regular expression");
  return opa_boolean(<i32>re_match(prog, strPtr(s), strLen(s)));
}
export function b_re_match(pat: usize, s: usize): usize { return b_regex_match(pat, s); }
export function b_regex_is_valid(pat: usize): usize {
  if (vtype(pat) != T_STRING) return opa_boolean(0);
  return opa_boolean(<i32>(regexProgram(pat) != 0));
}

function isMeta(c: u32): bool {
  return c == 92 || c == 46 || c == 43 || c == 42 || c == 63 || c == 40 || c == 41 || c == 124 || c == 91 || c == 93 || c == 123 || c == 125 || c == 94 || c == 36;
}

/** Translates a glob (gobwas/glob syntax) into an anchored RE2 pattern in the string buffer. */
function globToRegex(p: usize, n: u32, delims: usize): bool {
  sbStart(<usize>n * 4 + 32);
  sbLit("\\A(?:");
  // the class of non-delimiter runes
  const nd = delims == 0 ? 0 : arrLen(delims);
  let braces = 0;
  const end = p + n;
  let q = p;
  while (q < end) {
    const c = utf8Decode(q, end, RL);
    const w = load<u32>(RL);
    q += w;
    if (c == 42) {
      if (q < end && load<u8>(q) == 42) { q++; sbLit("(?s:.)*"); continue; }
      notDelim(delims, nd); sbByte(42);
      continue;
    }
    if (c == 63) { notDelim(delims, nd); continue; }
    if (c == 92) {
      if (q >= end) return false;
      const e = utf8Decode(q, end, RL);
      q += load<u32>(RL);
      if (isMeta(e)) sbByte(92);
      sbRune(e);
      continue;
    }
    if (c == 91) { // class
      sbByte(91);
      if (q < end && load<u8>(q) == 33) { sbByte(94); q++; }
      let closed = false;
      while (q < end) {
        const d = utf8Decode(q, end, RL);
        q += load<u32>(RL);
        if (d == 93) { closed = true; break; }
        if (d == 92) { if (q >= end) return false; const e = utf8Decode(q, end, RL); q += load<u32>(RL); sbByte(92); sbRune(e); continue; }
        if (d == 91 || d == 94) sbByte(92);
        sbRune(d);
      }
      if (!closed) return false;
      sbByte(93);
      continue;
    }
    if (c == 123) { braces++; sbLit("(?:"); continue; }
    if (c == 125 && braces > 0) { braces--; sbByte(41); continue; }
    if (c == 44 && braces > 0) { sbByte(124); continue; }
    if (isMeta(c)) sbByte(92);
    sbRune(c);
  }
  if (braces != 0) return false;
  sbLit(")\\z");
  return true;
}
function notDelim(delims: usize, nd: u32): void {
  if (nd == 0) { sbLit("(?s:.)"); return; }
  sbLit("[^");
  for (let i: u32 = 0; i < nd; i++) {
    const d = arrGet(delims, i);
    const dp = strPtr(d), dn = strLen(d);
    for (let j: u32 = 0; j < dn; j++) {
      const b = load<u8>(dp + j);
      if (b == 93 || b == 92 || b == 94 || b == 45 || b == 91) sbByte(92);
      sbByte(b);
    }
  }
  sbByte(93);
}

const DOT_DELIM: usize = memory.data<u8>([4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 46]);

export function b_glob_match(pat: usize, delims: usize, s: usize): usize {
  if (vtype(pat) != T_STRING) return berr("glob.match: operand 1 must be string");
  if (vtype(s) != T_STRING) return berr("glob.match: operand 3 must be string");
  let ds: usize = 0;
  const dt = vtype(delims);
  if (dt == T_ARRAY) {
    const n = arrLen(delims);
    for (let i: u32 = 0; i < n; i++) if (vtype(arrGet(delims, i)) != T_STRING) return berr("glob.match: operand 2 must be array of strings");
    ds = delims;
  } else if (dt != T_NULL) return berr("glob.match: operand 2 must be array or null");
  // Literals, `*` and `?` with one-byte delimiters: matched directly, no regex to build.
  const fast = globFast(pat, ds, s);
  if (fast >= 0) return opa_boolean(fast);
  if (ds != 0 && arrLen(ds) == 0) ds = defaultDelims();
  // Cache key: pattern bytes plus delimiters, concatenated.
  sbStart(64);
  sbBytes(strPtr(pat), strLen(pat));
  sbByte(0);
  if (ds != 0) { const n = arrLen(ds); for (let i: u32 = 0; i < n; i++) { const d = arrGet(ds, i); sbBytes(strPtr(d), strLen(d)); sbByte(1); } }
  const kp = sbData(), kn = <u32>sbLength();
  let constant = isConstant(strPtr(pat), strLen(pat));
  if (constant && ds != 0) { const n = arrLen(ds); for (let i: u32 = 0; i < n; i++) { const d = arrGet(ds, i); if (!isConstant(strPtr(d), strLen(d))) constant = false; } }
  let prog = constant ? permanent(kp, kn, 1) : 0;
  if (prog == 0) prog = cached(kp, kn, 1);
  if (prog == 0) {
    if (!globToRegex(strPtr(pat), strLen(pat), ds)) return berr("glob.match: invalid pattern");
    const arena = constant && permUsed < PERM_N && arenaBegin();
    let key = kp;
    if (arena) { key = malloc(kn); memory.copy(key, kp, kn); }
    prog = re_compile(sbData(), <u32>sbLength());
    if (arena && arenaEnd(prog != 0) && prog != 0) keep(key, kn, 1, prog);
    else if (prog != 0) remember(kp, kn, 1, prog);
    if (prog == 0) return berr("glob.match: invalid pattern");
  }
  return opa_boolean(<i32>re_match(prog, strPtr(s), strLen(s)));
}

function defaultDelims(): usize {
  // ["."] built once per call (cheap): an array holding the static string ".".
  const str = calloc(16);
  store<u32>(str, 4); store<u32>(str, 1, 4); store<u32>(str, <u32>(DOT_DELIM + 16), 8);
  const arr = calloc(16);
  const el = calloc(4);
  store<u32>(el, <u32>str);
  store<u32>(arr, 5); store<u32>(arr, 1, 4); store<u32>(arr, 1, 8); store<u32>(arr, <u32>el, 12);
  return arr;
}
