// Numbers: int64 fast path, float64, and decimal text kept verbatim (big or
// precise literals), with exact parsing for the common cases.
import { malloc } from "./mem";
import { T_NUMBER, N_INT, N_FLOAT, N_REF } from "./tags";

// ---- numbers ----------------------------------------------------------------

export function opa_number_int(i: i64): usize {
  const v = malloc(16);
  store<u32>(v, T_NUMBER); // tag + repr 0
  store<i64>(v, i, 8);
  return v;
}

export function opa_number_float(f: f64): usize {
  // Integral floats in range become ints, so printing and hashing stay canonical.
  if (f == Math.floor(f) && f > -9.007199254740992e15 && f < 9.007199254740992e15) return opa_number_int(<i64>f);
  const v = malloc(16);
  store<u8>(v, T_NUMBER);
  store<u8>(v, N_FLOAT, 1);
  store<f64>(v, f, 8);
  return v;
}

export function number_ref(ptr: usize, len: u32): usize {
  const v = malloc(16);
  store<u8>(v, T_NUMBER);
  store<u8>(v, N_REF, 1);
  store<u32>(v, len, 4);
  store<u32>(v, <u32>ptr, 8);
  return v;
}

// @ts-ignore: decorator
@inline export function numRepr(v: usize): u8 { return load<u8>(v, 1); }
// @ts-ignore: decorator
@inline export function numInt(v: usize): i64 { return load<i64>(v, 8); }

/** Parses decimal text into an f64 (exact for the common cases). */
export function parseF64(p: usize, n: u32): f64 {
  let i: u32 = 0;
  let neg = false;
  if (i < n && load<u8>(p + i) == 45) { neg = true; i++; }
  let mant: u64 = 0;
  let digits = 0;
  let exp10: i32 = 0;
  while (i < n) {
    const c = load<u8>(p + i);
    if (c < 48 || c > 57) break;
    if (digits < 19) { mant = mant * 10 + (c - 48); if (mant != 0) digits++; } else exp10++;
    i++;
  }
  if (i < n && load<u8>(p + i) == 46) {
    i++;
    while (i < n) {
      const c = load<u8>(p + i);
      if (c < 48 || c > 57) break;
      if (digits < 19) { mant = mant * 10 + (c - 48); if (mant != 0) digits++; exp10--; }
      i++;
    }
  }
  if (i < n && (load<u8>(p + i) | 32) == 101) {
    i++;
    let eneg = false;
    if (i < n && (load<u8>(p + i) == 45 || load<u8>(p + i) == 43)) { eneg = load<u8>(p + i) == 45; i++; }
    let e: i32 = 0;
    while (i < n) {
      const c = load<u8>(p + i);
      if (c < 48 || c > 57) break;
      if (e < 100000) e = e * 10 + (c - 48);
      i++;
    }
    exp10 += eneg ? -e : e;
  }
  let f = <f64>mant;
  if (mant == 0) return neg ? -0.0 : 0.0;
  if (exp10 >= 0) {
    if (exp10 <= 22 && mant < (<u64>1 << 53)) f = f * pow10(exp10);
    else f = f * Math.pow(10, <f64>exp10);
  } else {
    if (exp10 >= -22 && mant < (<u64>1 << 53)) f = f / pow10(-exp10);
    else if (exp10 < -300) f = (f / 1e300) / Math.pow(10, <f64>(-exp10 - 300));
    else f = f / Math.pow(10, <f64>(-exp10));
  }
  return neg ? -f : f;
}

function pow10(e: i32): f64 {
  let r: f64 = 1;
  let b: f64 = 10;
  while (e > 0) { if (e & 1) r *= b; b *= b; e >>= 1; }
  return r;
}

/** Tries to read decimal integer text as i64; returns false if it has a fraction/exponent or overflows. */
export function parseI64(p: usize, n: u32, out: usize): bool {
  let i: u32 = 0;
  let neg = false;
  if (n == 0) return false;
  if (load<u8>(p) == 45) { neg = true; i = 1; if (n == 1) return false; }
  if (n - i > 18) {
    // May still be an integer that fits; fall back to checking exactness via f64 range.
    return false;
  }
  let r: i64 = 0;
  for (; i < n; i++) {
    const c = load<u8>(p + i);
    if (c < 48 || c > 57) return false;
    r = r * 10 + (c - 48);
  }
  store<i64>(out, neg ? -r : r);
  return true;
}

export function numF64(v: usize): f64 {
  const r = numRepr(v);
  if (r == N_INT) return <f64>numInt(v);
  if (r == N_FLOAT) return load<f64>(v, 8);
  return parseF64(load<u32>(v, 8), load<u32>(v, 4));
}

/** True when the number is an integer that fits i64 (writes it to `out`). */
export function numAsI64(v: usize, out: usize): bool {
  const r = numRepr(v);
  if (r == N_INT) { store<i64>(out, numInt(v)); return true; }
  if (r == N_FLOAT) {
    const f = load<f64>(v, 8);
    if (f == Math.floor(f) && f > -9.2e18 && f < 9.2e18) { store<i64>(out, <i64>f); return true; }
    return false;
  }
  const p = load<u32>(v, 8);
  const n = load<u32>(v, 4);
  if (parseI64(p, n, out)) return true;
  const f = parseF64(p, n);
  if (f == Math.floor(f) && f > -9.2e18 && f < 9.2e18) {
    // Only exact when the text has no significant fraction digits; good enough for big-int text.
    store<i64>(out, <i64>f);
    return true;
  }
  return false;
}

/** OPA's `opa_number_ref(const char *)`: NUL-terminated decimal text. */
export function opa_number_ref(s: usize): usize {
  let n: u32 = 0;
  while (load<u8>(s + n) != 0) n++;
  return number_from_text(s, n);
}

export function number_from_text(p: usize, n: u32): usize {
  const tmp = memory.data(8);
  if (parseI64(p, n, tmp)) return opa_number_int(load<i64>(tmp));
  return number_ref(p, n);
}

export function number_set_int(v: usize, i: i64): void {
  store<u8>(v, N_INT, 1);
  store<i64>(v, i, 8);
}

