// RE2 syntax: the parser from pattern text to a tree of nodes, and character
// classes as range lists. The program compiler and matcher live in regex.ts.
import { malloc, calloc } from "./mem";
import { utf8Decode } from "./builtins/common";

export const A_BOL: i32 = 1, A_EOL: i32 = 2, A_BOT: i32 = 3, A_EOT: i32 = 4, A_WORD: i32 = 5, A_NWORD: i32 = 6;

// ---- tree nodes (28 bytes) --------------------------------------------------
export const N_LIT: u8 = 1, N_ANY: u8 = 2, N_CLASS: u8 = 3, N_CAT: u8 = 4, N_ALT: u8 = 5, N_REP: u8 = 6, N_CAP: u8 = 7, N_EMPTY: u8 = 8, N_ASSERT: u8 = 9;
// @0 kind u8, @1 fold/greedy u8, @4 a, @8 b, @12 min i32, @16 max i32, @20 rune/idx

function node(kind: u8, a: usize, b: usize): usize {
  const n = calloc(24);
  store<u8>(n, kind);
  store<u32>(n, <u32>a, 4);
  store<u32>(n, <u32>b, 8);
  return n;
}

// Class: @0 count (ranges), @4 negated, @8 ranges (lo, hi) u32 pairs; built with a growable array.
function newClass(): usize { const c = calloc(16); store<u32>(c, 0); store<u32>(c, 0, 4); store<u32>(c, <u32>malloc(64), 8); store<u32>(c, 8, 12); return c; }
function classAdd(c: usize, lo: u32, hi: u32): void {
  const n = load<u32>(c);
  let cap = load<u32>(c, 12);
  if (n == cap) {
    const nr = malloc(<usize>cap * 16);
    memory.copy(nr, load<u32>(c, 8), <usize>n * 8);
    store<u32>(c, <u32>nr, 8);
    store<u32>(c, cap * 2, 12);
  }
  const r = <usize>load<u32>(c, 8) + <usize>n * 8;
  store<u32>(r, lo);
  store<u32>(r, hi, 4);
  store<u32>(c, n + 1);
}
export function classHas(c: usize, r: u32, fold: bool): bool {
  const n = load<u32>(c);
  const rs = <usize>load<u32>(c, 8);
  let found = false;
  for (let i: u32 = 0; i < n && !found; i++) {
    const lo = load<u32>(rs + <usize>i * 8), hi = load<u32>(rs + <usize>i * 8, 4);
    if (r >= lo && r <= hi) found = true;
    else if (fold) {
      const o = otherCase(r);
      if (o != r && o >= lo && o <= hi) found = true;
    }
  }
  return load<u32>(c, 4) != 0 ? !found : found;
}
export function otherCase(r: u32): u32 {
  if (r >= 65 && r <= 90) return r + 32;
  if (r >= 97 && r <= 122) return r - 32;
  return r;
}
function addPerl(c: usize, k: u32): bool {
  // d, w, s (lower case); returns false for unknown
  if (k == 100) { classAdd(c, 48, 57); return true; }
  if (k == 119) { classAdd(c, 48, 57); classAdd(c, 65, 90); classAdd(c, 95, 95); classAdd(c, 97, 122); return true; }
  if (k == 115) { classAdd(c, 9, 10); classAdd(c, 12, 13); classAdd(c, 32, 32); return true; }
  return false;
}
function negateInto(dst: usize, src: usize): void {
  // dst gets the complement of src's ranges (src assumed non-negated, possibly unsorted)
  const n = load<u32>(src);
  const rs = <usize>load<u32>(src, 8);
  // simple: sort ranges by lo (n is small)
  for (let i: u32 = 1; i < n; i++) {
    const lo = load<u32>(rs + <usize>i * 8), hi = load<u32>(rs + <usize>i * 8, 4);
    let j = i;
    while (j > 0 && load<u32>(rs + <usize>(j - 1) * 8) > lo) {
      store<u32>(rs + <usize>j * 8, load<u32>(rs + <usize>(j - 1) * 8));
      store<u32>(rs + <usize>j * 8, load<u32>(rs + <usize>(j - 1) * 8, 4), 4);
      j--;
    }
    store<u32>(rs + <usize>j * 8, lo);
    store<u32>(rs + <usize>j * 8, hi, 4);
  }
  let next: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const lo = load<u32>(rs + <usize>i * 8), hi = load<u32>(rs + <usize>i * 8, 4);
    if (lo > next) classAdd(dst, next, lo - 1);
    if (hi + 1 > next) next = hi + 1;
  }
  if (next <= 0x10ffff) classAdd(dst, next, 0x10ffff);
}

// ---- parser -----------------------------------------------------------------
let pp: usize = 0;
let pe: usize = 0;
let perr = false;
let pfold = false;
let pdotnl = false;
let pmulti = false;
let pungreedy = false;
let ncap: i32 = 0;
const RL: usize = memory.data(4);

function peek(): u32 { if (pp >= pe) return 0xffffffff; return utf8Decode(pp, pe, RL); }
function next(): u32 { const r = utf8Decode(pp, pe, RL); pp += load<u32>(RL); return r; }

function parseAlt(depth: i32): usize {
  let left = parseConcat(depth);
  while (!perr && pp < pe && load<u8>(pp) == 124) {
    pp++;
    const right = parseConcat(depth);
    left = node(N_ALT, left, right);
  }
  return left;
}

function parseConcat(depth: i32): usize {
  let cur: usize = node(N_EMPTY, 0, 0);
  while (!perr && pp < pe) {
    const c = load<u8>(pp);
    if (c == 124 || c == 41) break;
    const a = parseRepeat(depth);
    if (perr) return 0;
    if (a == 0) continue;
    cur = load<u8>(cur) == N_EMPTY ? a : node(N_CAT, cur, a);
  }
  return cur;
}

function parseInt(): i32 {
  let v: i32 = -1;
  while (pp < pe && load<u8>(pp) >= 48 && load<u8>(pp) <= 57) { v = (v < 0 ? 0 : v) * 10 + <i32>(load<u8>(pp) - 48); if (v > 100000) v = 100000; pp++; }
  return v;
}

function parseRepeat(depth: i32): usize {
  let a = parseAtom(depth);
  if (perr || a == 0) return a;
  let quantified = false;
  while (pp < pe) {
    const c = load<u8>(pp);
    let min: i32 = 0, max: i32 = -1;
    if (c == 42) { pp++; }
    else if (c == 43) { pp++; min = 1; }
    else if (c == 63) { pp++; max = 1; }
    else if (c == 123) {
      const save = pp;
      pp++;
      const lo = parseInt();
      if (lo < 0) { pp = save; break; } // literal {
      let hi = lo;
      if (pp < pe && load<u8>(pp) == 44) { pp++; hi = parseInt(); if (hi < 0) hi = -1; }
      if (pp >= pe || load<u8>(pp) != 125) { pp = save; break; }
      pp++;
      if (lo > 1000 || hi > 1000 || (hi >= 0 && hi < lo)) { perr = true; return 0; }
      min = lo; max = hi;
    } else break;
    if (quantified) { perr = true; return 0; } // RE2: invalid nested repetition operator (e.g. a**)
    quantified = true;
    let greedy = !pungreedy;
    if (pp < pe && load<u8>(pp) == 63) { pp++; greedy = !greedy; }
    const k = load<u8>(a);
    if (k == N_EMPTY || k == N_ASSERT && false) { perr = true; return 0; }
    const r = node(N_REP, a, 0);
    store<u8>(r, greedy ? 1 : 0, 1);
    store<i32>(r, min, 12);
    store<i32>(r, max, 16);
    a = r;
  }
  return a;
}

function escapeRune(): u32 {
  // after '\'; returns rune or 0xffffffff for a class escape handled by the caller (never here)
  const c = next();
  switch (c) {
    case 110: return 10; case 116: return 9; case 114: return 13; case 102: return 12; case 118: return 11; case 97: return 7;
    case 120: { // \xHH or \x{H...}
      if (pp < pe && load<u8>(pp) == 123) {
        pp++;
        let v: u32 = 0; let any = false;
        while (pp < pe && load<u8>(pp) != 125) { const h = hexv(load<u8>(pp)); if (h < 0) { perr = true; return 0; } v = v * 16 + <u32>h; any = true; pp++; }
        if (pp >= pe || !any) { perr = true; return 0; }
        pp++;
        return v;
      }
      if (pp + 2 > pe) { perr = true; return 0; }
      const h1 = hexv(load<u8>(pp)), h2 = hexv(load<u8>(pp + 1));
      if (h1 < 0 || h2 < 0) { perr = true; return 0; }
      pp += 2;
      return <u32>(h1 * 16 + h2);
    }
  }
  if (c < 128 && !isAlnum(c)) return c; // escaped punctuation
  if (c >= 48 && c <= 55) {
    // octal \0 .. \7xx; backreferences \1-\9 are not RE2
    if (c == 48) { let v: u32 = 0; let k = 0; while (k < 2 && pp < pe && load<u8>(pp) >= 48 && load<u8>(pp) <= 55) { v = v * 8 + (load<u8>(pp) - 48); pp++; k++; } return v; }
  }
  perr = true;
  return 0;
}
function hexv(c: u8): i32 { if (c >= 48 && c <= 57) return c - 48; if (c >= 97 && c <= 102) return c - 87; if (c >= 65 && c <= 70) return c - 55; return -1; }
function isAlnum(c: u32): bool { return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122); }

function parseClass(): usize {
  // after '['
  const c = newClass();
  let neg = false;
  if (pp < pe && load<u8>(pp) == 94) { neg = true; pp++; }
  const pos = newClass();
  let first = true;
  while (true) {
    if (pp >= pe) { perr = true; return 0; }
    let r = peek();
    if (r == 93 && !first) { pp++; break; }
    first = false;
    if (r == 91 && pp + 1 < pe && load<u8>(pp + 1) == 58) { // [:name:]
      const end = findPosixEnd();
      if (end == 0) { perr = true; return 0; }
      if (!addPosix(pos, pp + 2, end)) { perr = true; return 0; }
      pp = end + 2;
      continue;
    }
    next();
    let lo: u32 = r;
    if (r == 92) {
      const k = pp < pe ? load<u8>(pp) : 0;
      if (k == 100 || k == 119 || k == 115) { pp++; addPerl(pos, k); continue; }
      if (k == 68 || k == 87 || k == 83) { pp++; const t = newClass(); addPerl(t, k + 32); negateInto(pos, t); continue; }
      lo = escapeRune();
      if (perr) return 0;
    }
    let hi = lo;
    if (pp + 1 < pe && load<u8>(pp) == 45 && load<u8>(pp + 1) != 93) {
      pp++;
      hi = next();
      if (hi == 92) { hi = escapeRune(); if (perr) return 0; }
      if (hi < lo) { perr = true; return 0; }
    }
    classAdd(pos, lo, hi);
  }
  if (neg) { negateInto(c, pos); return c; }
  return pos;
}
function findPosixEnd(): usize {
  for (let q = pp + 2; q + 1 < pe; q++) if (load<u8>(q) == 58 && load<u8>(q + 1) == 93) return q;
  return 0;
}
function nameIs(p: usize, e: usize, s: string): bool {
  if (<i32>(e - p) != s.length) return false;
  for (let i = 0; i < s.length; i++) if (load<u8>(p + i) != <u8>s.charCodeAt(i)) return false;
  return true;
}
function addPosix(c: usize, p: usize, e: usize): bool {
  if (nameIs(p, e, "alpha")) { classAdd(c, 65, 90); classAdd(c, 97, 122); return true; }
  if (nameIs(p, e, "digit")) { classAdd(c, 48, 57); return true; }
  if (nameIs(p, e, "alnum")) { classAdd(c, 48, 57); classAdd(c, 65, 90); classAdd(c, 97, 122); return true; }
  if (nameIs(p, e, "upper")) { classAdd(c, 65, 90); return true; }
  if (nameIs(p, e, "lower")) { classAdd(c, 97, 122); return true; }
  if (nameIs(p, e, "space")) { classAdd(c, 9, 13); classAdd(c, 32, 32); return true; }
  if (nameIs(p, e, "xdigit")) { classAdd(c, 48, 57); classAdd(c, 65, 70); classAdd(c, 97, 102); return true; }
  if (nameIs(p, e, "word")) { classAdd(c, 48, 57); classAdd(c, 65, 90); classAdd(c, 95, 95); classAdd(c, 97, 122); return true; }
  if (nameIs(p, e, "punct")) { classAdd(c, 33, 47); classAdd(c, 58, 64); classAdd(c, 91, 96); classAdd(c, 123, 126); return true; }
  if (nameIs(p, e, "print")) { classAdd(c, 32, 126); return true; }
  if (nameIs(p, e, "graph")) { classAdd(c, 33, 126); return true; }
  if (nameIs(p, e, "cntrl")) { classAdd(c, 0, 31); classAdd(c, 127, 127); return true; }
  if (nameIs(p, e, "blank")) { classAdd(c, 9, 9); classAdd(c, 32, 32); return true; }
  if (nameIs(p, e, "ascii")) { classAdd(c, 0, 127); return true; }
  return false;
}

function parseFlags(): i32 {
  // after "(?": returns 1 for a group "(?flags:", 2 for "(?flags)", 0 on error
  let on = true;
  let f = pfold, s = pdotnl, m = pmulti, u = pungreedy;
  while (pp < pe) {
    const c = load<u8>(pp);
    pp++;
    if (c == 105) f = on; else if (c == 115) s = on; else if (c == 109) m = on; else if (c == 85) u = on;
    else if (c == 45) { if (!on) return 0; on = false; }
    else if (c == 58 || c == 41) { pfold = f; pdotnl = s; pmulti = m; pungreedy = u; return c == 58 ? 1 : 2; }
    else return 0;
  }
  return 0;
}

function parseAtom(depth: i32): usize {
  if (depth > 500) { perr = true; return 0; }
  const c = next();
  if (c == 40) { // (
    let capIdx: i32 = -1;
    const sf = pfold, sd = pdotnl, sm = pmulti, su = pungreedy;
    if (pp < pe && load<u8>(pp) == 63) {
      pp++;
      if (pp < pe && (load<u8>(pp) == 80 || load<u8>(pp) == 60)) { // (?P<name> or (?<name>
        if (load<u8>(pp) == 80) pp++;
        if (pp >= pe || load<u8>(pp) != 60) { perr = true; return 0; }
        while (pp < pe && load<u8>(pp) != 62) pp++;
        if (pp >= pe) { perr = true; return 0; }
        pp++;
        capIdx = ++ncap;
      } else {
        const k = parseFlags();
        if (k == 0) { perr = true; return 0; }
        if (k == 2) return node(N_EMPTY, 0, 0); // flags apply to the rest of the group
      }
    } else capIdx = ++ncap;
    const sub = parseAlt(depth + 1);
    if (perr) return 0;
    if (pp >= pe || load<u8>(pp) != 41) { perr = true; return 0; }
    pp++;
    pfold = sf; pdotnl = sd; pmulti = sm; pungreedy = su;
    if (capIdx < 0) return sub;
    const n = node(N_CAP, sub, 0);
    store<i32>(n, capIdx, 20);
    return n;
  }
  if (c == 41) { perr = true; return 0; }
  if (c == 42 || c == 43 || c == 63) { perr = true; return 0; } // missing argument to repetition operator
  if (c == 91) { const cl = parseClass(); if (perr) return 0; const n = node(N_CLASS, cl, 0); store<u8>(n, pfold ? 1 : 0, 1); return n; }
  if (c == 46) { const n = node(N_ANY, 0, 0); store<u8>(n, pdotnl ? 1 : 0, 1); return n; }
  if (c == 94) { const n = node(N_ASSERT, 0, 0); store<i32>(n, pmulti ? A_BOL : A_BOT, 20); return n; }
  if (c == 36) { const n = node(N_ASSERT, 0, 0); store<i32>(n, pmulti ? A_EOL : A_EOT, 20); return n; }
  if (c == 92) {
    if (pp >= pe) { perr = true; return 0; }
    const k = load<u8>(pp);
    if (k == 100 || k == 119 || k == 115 || k == 68 || k == 87 || k == 83) {
      pp++;
      const cl = newClass();
      if (k >= 97) addPerl(cl, k); else { const t = newClass(); addPerl(t, k + 32); negateInto(cl, t); }
      return node(N_CLASS, cl, 0);
    }
    if (k == 98 || k == 66 || k == 65 || k == 122) {
      pp++;
      const n = node(N_ASSERT, 0, 0);
      store<i32>(n, k == 98 ? A_WORD : k == 66 ? A_NWORD : k == 65 ? A_BOT : A_EOT, 20);
      return n;
    }
    if (k == 81) { // \Q...\E literal text
      pp++;
      let cur: usize = node(N_EMPTY, 0, 0);
      while (pp < pe) {
        if (load<u8>(pp) == 92 && pp + 1 < pe && load<u8>(pp + 1) == 69) { pp += 2; break; }
        const r = next();
        const l = node(N_LIT, 0, 0);
        store<u32>(l, r, 20);
        store<u8>(l, pfold ? 1 : 0, 1);
        cur = load<u8>(cur) == N_EMPTY ? l : node(N_CAT, cur, l);
      }
      return cur;
    }
    if (k == 112 || k == 80) { perr = true; return 0; } // Unicode classes: not supported
    const r = escapeRune();
    if (perr) return 0;
    const n = node(N_LIT, 0, 0);
    store<u32>(n, r, 20);
    store<u8>(n, pfold ? 1 : 0, 1);
    return n;
  }
  const n = node(N_LIT, 0, 0);
  store<u32>(n, c, 20);
  store<u8>(n, pfold ? 1 : 0, 1);
  return n;
}


/** Parses a whole pattern; returns the tree, or 0 if it is not valid RE2 syntax. */
export function re_parse(p: usize, n: u32): usize {
  pp = p; pe = p + n; perr = false; pfold = false; pdotnl = false; pmulti = false; pungreedy = false; ncap = 0;
  const tree = parseAlt(0);
  if (perr || pp != pe) return 0;
  return tree;
}

/** Number of capture groups in the pattern last parsed. */
export function re_group_count(): i32 { return ncap; }
