// Shared helpers for native builtins: strict-mode errors and UTF-8 utilities.
import { abortStr2, malloc, realloc } from "../mem";

/** When set, a failing builtin aborts evaluation (Go's WithStrictBuiltinErrors). */
export let strict_errors: i32 = 0;
export function opa_set_strict(s: i32): void { strict_errors = s; }

/** A builtin failed on its arguments: undefined, or an error in strict mode. */
export function berr(msg: string): usize {
  if (strict_errors != 0) abortStr2(isTypeError(msg) ? "eval_type_error: " : "eval_builtin_error: ", msg);
  return 0;
}
/** Operand type mismatches are type errors in OPA; everything else is a builtin error. */
function isTypeError(msg: string): bool {
  const n = msg.length;
  for (let i = 0; i + 7 <= n; i++) {
    if (msg.charCodeAt(i) == 109 && msg.charCodeAt(i + 1) == 117 && msg.charCodeAt(i + 2) == 115 && msg.charCodeAt(i + 3) == 116 &&
      msg.charCodeAt(i + 4) == 32 && msg.charCodeAt(i + 5) == 98 && msg.charCodeAt(i + 6) == 101) return true; // "must be"
  }
  return false;
}

const RLEN: usize = memory.data(4);

/** Number of runes in UTF-8 text, counting each invalid byte as one rune (Go's utf8.RuneCount). */
export function utf8Count(p: usize, n: u32): u32 {
  let c: u32 = 0;
  let i: u32 = 0;
  while (i < n) {
    if (load<u8>(p + i) < 0x80) { i++; c++; continue; }
    utf8Decode(p + i, p + n, RLEN);
    i += load<u32>(RLEN);
    c++;
  }
  return c;
}

/** Byte offset of the rune with index `k` (or n if past the end). */
export function utf8Offset(p: usize, n: u32, k: u32): u32 {
  let c: u32 = 0;
  let i: u32 = 0;
  while (i < n) {
    if (c == k) return i;
    if (load<u8>(p + i) < 0x80) i++;
    else { utf8Decode(p + i, p + n, RLEN); i += load<u32>(RLEN); }
    c++;
  }
  return n;
}

// @ts-ignore: decorator
@inline function cont(p: usize, end: usize): bool { return p < end && (load<u8>(p) & 0xc0) == 0x80; }

/** Decodes the rune at `p` like Go: invalid or overlong sequences yield U+FFFD with width 1. */
export function utf8Decode(p: usize, end: usize, lenOut: usize): u32 {
  const b0 = <u32>load<u8>(p);
  if (b0 < 0x80) { store<u32>(lenOut, 1); return b0; }
  if (b0 >= 0xc2 && b0 <= 0xdf && cont(p + 1, end)) { store<u32>(lenOut, 2); return ((b0 & 0x1f) << 6) | (load<u8>(p + 1) & 0x3f); }
  if (b0 >= 0xe0 && b0 <= 0xef && cont(p + 1, end) && cont(p + 2, end)) {
    const cp = ((b0 & 0x0f) << 12) | ((<u32>load<u8>(p + 1) & 0x3f) << 6) | (load<u8>(p + 2) & 0x3f);
    if (cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff)) { store<u32>(lenOut, 3); return cp; }
  }
  if (b0 >= 0xf0 && b0 <= 0xf4 && cont(p + 1, end) && cont(p + 2, end) && cont(p + 3, end)) {
    const cp = ((b0 & 0x07) << 18) | ((<u32>load<u8>(p + 1) & 0x3f) << 12) | ((<u32>load<u8>(p + 2) & 0x3f) << 6) | (load<u8>(p + 3) & 0x3f);
    if (cp >= 0x10000 && cp <= 0x10ffff) { store<u32>(lenOut, 4); return cp; }
  }
  store<u32>(lenOut, 1);
  return 0xfffd;
}

export function utf8Encode(o: usize, cp: u32): u32 {
  if (cp < 0x80) { store<u8>(o, <u8>cp); return 1; }
  if (cp < 0x800) { store<u8>(o, <u8>(0xc0 | (cp >> 6))); store<u8>(o, <u8>(0x80 | (cp & 0x3f)), 1); return 2; }
  if (cp < 0x10000) {
    store<u8>(o, <u8>(0xe0 | (cp >> 12))); store<u8>(o, <u8>(0x80 | ((cp >> 6) & 0x3f)), 1); store<u8>(o, <u8>(0x80 | (cp & 0x3f)), 2);
    return 3;
  }
  store<u8>(o, <u8>(0xf0 | (cp >> 18))); store<u8>(o, <u8>(0x80 | ((cp >> 12) & 0x3f)), 1);
  store<u8>(o, <u8>(0x80 | ((cp >> 6) & 0x3f)), 2); store<u8>(o, <u8>(0x80 | (cp & 0x3f)), 3);
  return 4;
}

/** Byte-wise search of needle in haystack from `from`; returns offset or -1. */
export function memFind(h: usize, hn: u32, n: usize, nn: u32, from: u32): i32 {
  if (nn == 0) return <i32>from;
  if (nn > hn) return -1;
  const first = load<u8>(n);
  for (let i = from; i + nn <= hn; i++) {
    if (load<u8>(h + i) == first && memory.compare(h + i, n, nn) == 0) return <i32>i;
  }
  return -1;
}

// ---- a growable output buffer (one at a time; builtins nest only through sb_save/sb_restore) ----
let sbPtr: usize = 0;
let sbLen: usize = 0;
let sbCap: usize = 0;

export function sbStart(cap: usize): void {
  sbCap = cap < 16 ? 16 : cap;
  sbPtr = malloc(sbCap);
  sbLen = 0;
}
export function sbLength(): usize { return sbLen; }
export function sbData(): usize { return sbPtr; }
export function sbTruncate(n: usize): void { sbLen = n; }
function sbReserve(n: usize): void {
  if (sbLen + n <= sbCap) return;
  let nc = sbCap * 2;
  if (nc < sbLen + n) nc = sbLen + n + 16;
  sbPtr = realloc(sbPtr, sbCap, nc);
  sbCap = nc;
}
export function sbByte(b: u8): void { sbReserve(1); store<u8>(sbPtr + sbLen, b); sbLen++; }
export function sbBytes(p: usize, n: usize): void { if (n == 0) return; sbReserve(n); memory.copy(sbPtr + sbLen, p, n); sbLen += n; }
export function sbLit(s: string): void { const n = s.length; sbReserve(n); for (let i = 0; i < n; i++) store<u8>(sbPtr + sbLen + i, <u8>s.charCodeAt(i)); sbLen += n; }
export function sbRune(cp: u32): void { sbReserve(4); sbLen += utf8Encode(sbPtr + sbLen, cp); }
/** Saves the current buffer so a nested user can start its own. */
export function sbSave(out: usize): void { store<u32>(out, <u32>sbPtr); store<u32>(out, <u32>sbLen, 4); store<u32>(out, <u32>sbCap, 8); }
export function sbRestore(from: usize): void { sbPtr = load<u32>(from); sbLen = load<u32>(from, 4); sbCap = load<u32>(from, 8); }
