// glob.match without a regex for simple patterns: ASCII literals, `*` and `?`,
// single-byte ASCII delimiters, at most 64 bytes. Policies pass such patterns
// from input (agent manifests), and the SDK resets the heap every evaluation,
// so the regex path would translate and compile them on every call.
//
// The matcher simulates the pattern's NFA with one u64 bitmask: bit i is set
// when the first i tokens have matched. `*` (any run of non-delimiter runes)
// loops on itself and has an epsilon edge to the next token; `?` consumes one
// non-delimiter rune; a literal consumes its byte. Linear in the subject, no
// backtracking. Every delimiter is ASCII, so ASCII bytes are always rune
// boundaries and a run of non-ASCII bytes never holds a delimiter: subjects
// are stepped byte by byte, except runes under `?`, which are decoded exactly
// as the regex engine decodes them (Go rules, invalid bytes are one rune).
import { strLen, strPtr, arrLen, arrGet } from "../value";
import { utf8Decode } from "./common";

const MAX_PATTERN: u32 = 64;
// Per ASCII byte, the positions of the pattern holding that literal. All zero between calls.
const LIT: usize = memory.data(128 * 8);
const RLEN: usize = memory.data(4);

/**
 * Matches a simple glob directly: 1 or 0, or -1 when the pattern or the
 * delimiters need the regex path. Operand types are already checked;
 * `delims` is an array of strings (empty: the default ".") or 0 for null (none).
 */
export function globFast(pat: usize, delims: usize, s: usize): i32 {
  const pp = strPtr(pat), pn = strLen(pat);
  if (pn > MAX_PATTERN) return -1;
  // Delimiters as a 128-bit set of ASCII bytes.
  let dlo: u64 = 0, dhi: u64 = 0;
  if (delims != 0) {
    const nd = arrLen(delims);
    if (nd == 0) dlo = <u64>1 << 46; // "."
    for (let i: u32 = 0; i < nd; i++) {
      const d = arrGet(delims, i);
      if (strLen(d) != 1) return -1;
      const b = <u32>load<u8>(strPtr(d));
      if (b >= 0x80) return -1;
      if (b < 64) dlo |= <u64>1 << b; else dhi |= <u64>1 << (b - 64);
    }
  }
  // First pass: only literals, single `*` and `?`.
  for (let i: u32 = 0; i < pn; i++) {
    const c = <u32>load<u8>(pp + i);
    if (c >= 0x80 || c == 91 || c == 123 || c == 92) return -1; // non-ASCII, '[', '{', '\'
    if (c == 42 && i + 1 < pn && load<u8>(pp + i + 1) == 42) return -1; // "**"
  }
  // Second pass: token masks; token k is the k-th pattern byte.
  let star: u64 = 0, any: u64 = 0;
  for (let i: u32 = 0; i < pn; i++) {
    const c = <u32>load<u8>(pp + i);
    const bit = <u64>1 << i;
    if (c == 42) star |= bit;
    else if (c == 63) any |= bit;
    else { const e = LIT + (<usize>c << 3); store<u64>(e, load<u64>(e) | bit); }
  }
  const r = run(strPtr(s), strLen(s), pn, star, any, dlo, dhi);
  for (let i: u32 = 0; i < pn; i++) store<u64>(LIT + (<usize>load<u8>(pp + i) << 3), 0);
  return r;
}

function run(sp: usize, sn: u32, m: u32, star: u64, any: u64, dlo: u64, dhi: u64): i32 {
  // No two `*` are adjacent, so one epsilon step closes a state set.
  let cur: u64 = 1;
  cur |= (cur & star) << 1;
  // With 64 tokens the accepting state (bit 64) falls off the word: keep the carry of the last step.
  let carry: u64 = (cur & star) >> 63;
  const end = sp + sn;
  let p = sp;
  while (p < end) {
    if (cur == 0) return 0;
    const b = <u32>load<u8>(p);
    let moves: u64, stays: u64;
    if (b < 0x80) {
      const delim = b < 64 ? (dlo >> b) & 1 : (dhi >> (b - 64)) & 1;
      moves = load<u64>(LIT + (<usize>b << 3));
      if (delim == 0) { moves |= any; stays = star; } else stays = 0;
      p++;
    } else {
      moves = any; stays = star;
      if (any != 0) { utf8Decode(p, end, RLEN); p += load<u32>(RLEN); } else p++;
    }
    const moved = cur & moves;
    let next = (moved << 1) | (cur & stays);
    carry = (moved >> 63) | ((next & star) >> 63);
    next |= (next & star) << 1;
    cur = next;
  }
  if (m < 64) return <i32>((cur >> m) & 1);
  return <i32>carry;
}
