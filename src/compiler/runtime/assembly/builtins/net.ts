// net.cidr_contains / net.cidr_intersects / net.cidr_overlap (Go net package semantics).
import {
  T_STRING, T_ARRAY, T_SET, T_OBJECT, vtype, strLen, strPtr, opa_boolean, opa_number_int, arrLen, arrGet, hHead, eKey, eVal, eNext,
  opa_set, opa_set_add, opa_array_with_cap, opa_array_append,
} from "../value";
import { malloc } from "../mem";
import { berr } from "./common";

// An address: @0 family (4 or 6), @1 prefix length, @4..@20 bytes.
const A: usize = memory.data(24);
const B: usize = memory.data(24);

function hexv(c: u8): i32 { if (c >= 48 && c <= 57) return c - 48; if (c >= 97 && c <= 102) return c - 87; if (c >= 65 && c <= 70) return c - 55; return -1; }

function parseV4(p: usize, n: u32, out: usize): bool {
  let part: u32 = 0, digits: u32 = 0, val: u32 = 0;
  for (let i: u32 = 0; i <= n; i++) {
    const c: u8 = i < n ? load<u8>(p + i) : 46;
    if (c == 46) {
      if (digits == 0 || part > 3) return false;
      store<u8>(out + part, <u8>val);
      part++; digits = 0; val = 0;
      continue;
    }
    if (c < 48 || c > 57) return false;
    if (digits > 0 && val == 0) return false; // no leading zeros
    val = val * 10 + (c - 48);
    digits++;
    if (val > 255 || digits > 3) return false;
  }
  return part == 4;
}

function parseV6(p: usize, n: u32, out: usize): bool {
  memory.fill(out, 0, 16);
  let i: u32 = 0;
  let k: i32 = 0; // byte index
  let ellipsis: i32 = -1;
  if (n >= 2 && load<u8>(p) == 58 && load<u8>(p + 1) == 58) { ellipsis = 0; i = 2; if (n == 2) return true; }
  while (i < n && k < 16) {
    // Try an embedded IPv4 tail.
    let j = i; let dots = 0;
    while (j < n && load<u8>(j + p) != 58) { if (load<u8>(p + j) == 46) dots++; j++; }
    if (dots > 0) {
      if (j != n || k > 12 || !parseV4(p + i, n - i, out + k)) return false;
      k += 4; i = n;
      break;
    }
    let v: u32 = 0, d = 0;
    while (i < n && hexv(load<u8>(p + i)) >= 0) { v = v * 16 + <u32>hexv(load<u8>(p + i)); i++; d++; if (d > 4) return false; }
    if (d == 0) return false;
    store<u8>(out + k, <u8>(v >> 8)); store<u8>(out + k + 1, <u8>v); k += 2;
    if (i == n) break;
    if (load<u8>(p + i) != 58) return false;
    i++;
    if (i < n && load<u8>(p + i) == 58) { if (ellipsis >= 0) return false; ellipsis = k; i++; if (i == n) break; }
    else if (i == n) return false;
  }
  if (i != n) return false;
  if (ellipsis >= 0) {
    if (k == 16) return false;
    const tail = k - ellipsis;
    for (let t = tail - 1; t >= 0; t--) store<u8>(out + 16 - tail + t, load<u8>(out + ellipsis + t));
    for (let t = ellipsis; t < 16 - tail; t++) store<u8>(out + t, 0);
  } else if (k != 16) return false;
  return true;
}

/** Parses an IP (prefix = full length) or a CIDR into `out`; masks the network for CIDRs. */
function parse(v: usize, out: usize, wantCidr: bool): bool {
  const p = strPtr(v), n = strLen(v);
  let slash: i32 = -1;
  let colon = false;
  for (let i: u32 = 0; i < n; i++) { const c = load<u8>(p + i); if (c == 47) { slash = <i32>i; break; } if (c == 58) colon = true; }
  if (wantCidr && slash < 0) return false;
  const an = slash < 0 ? n : <u32>slash;
  let fam: u8 = 4;
  if (colon) { fam = 6; if (!parseV6(p, an, out + 4)) return false; }
  else { memory.fill(out + 4, 0, 16); if (!parseV4(p, an, out + 4)) return false; }
  // v4-mapped IPv6 plain addresses behave as IPv4 (Go's To4)
  if (fam == 6 && slash < 0 && isV4Mapped(out + 4)) { memory.copy(out + 4, out + 16, 4); memory.fill(out + 8, 0, 12); fam = 4; }
  const bits: u32 = fam == 4 ? 32 : 128;
  let prefix = bits;
  if (slash >= 0) {
    prefix = 0;
    const s = <u32>slash + 1;
    if (s >= n || n - s > 3) return false;
    for (let i = s; i < n; i++) { const c = load<u8>(p + i); if (c < 48 || c > 57) return false; prefix = prefix * 10 + (c - 48); }
    if (n - s > 1 && load<u8>(p + s) == 48) return false;
    if (prefix > bits) return false;
    maskTo(out + 4, prefix);
  }
  store<u8>(out, fam);
  store<u8>(out, <u8>prefix, 1);
  return true;
}
function isV4Mapped(b: usize): bool {
  for (let i = 0; i < 10; i++) if (load<u8>(b + i) != 0) return false;
  return load<u8>(b + 10) == 0xff && load<u8>(b + 11) == 0xff;
}
function maskTo(b: usize, prefix: u32): void {
  for (let i: u32 = 0; i < 16; i++) {
    const keep = prefix >= (i + 1) * 8 ? 8 : prefix > i * 8 ? prefix - i * 8 : 0;
    const m: u32 = keep == 0 ? 0 : (0xff << (8 - keep)) & 0xff;
    store<u8>(b + i, <u8>(load<u8>(b + i) & m));
  }
}
/** Whether the first `prefix` bits of a and b agree. */
function samePrefix(a: usize, b: usize, prefix: u32): bool {
  for (let i: u32 = 0; i < 16 && i * 8 < prefix; i++) {
    const keep = prefix >= (i + 1) * 8 ? 8 : prefix - i * 8;
    const m: u32 = (0xff << (8 - keep)) & 0xff;
    if ((load<u8>(a + i) & m) != (load<u8>(b + i) & m)) return false;
  }
  return true;
}

export function b_net_cidr_contains(c: usize, x: usize): usize {
  if (vtype(c) != T_STRING) return berr("net.cidr_contains: operand 1 must be string");
  if (vtype(x) != T_STRING) return berr("net.cidr_contains: operand 2 must be string");
  if (!parse(c, A, true)) return berr("net.cidr_contains: invalid CIDR");
  if (!parse(x, B, false)) return berr("net.cidr_contains: invalid IP or CIDR");
  if (load<u8>(A) != load<u8>(B)) return opa_boolean(0);
  const pa = load<u8>(A, 1), pb = load<u8>(B, 1);
  return opa_boolean(<i32>(pb >= pa && samePrefix(A + 4, B + 4, pa)));
}
export function b_net_cidr_overlap(c: usize, x: usize): usize { return b_net_cidr_contains(c, x); }
export function b_net_cidr_intersects(a: usize, b: usize): usize {
  if (vtype(a) != T_STRING || vtype(b) != T_STRING) return berr("net.cidr_intersects: operands must be strings");
  if (!parse(a, A, true) || !parse(b, B, true)) return berr("net.cidr_intersects: invalid CIDR");
  if (load<u8>(A) != load<u8>(B)) return opa_boolean(0);
  const pa = load<u8>(A, 1), pb = load<u8>(B, 1);
  return opa_boolean(<i32>samePrefix(A + 4, B + 4, pa < pb ? pa : pb));
}

// ---- net.cidr_contains_matches ------------------------------------------------
// Items: u32 pairs (key value, cidr string value).
let itemsN: u32 = 0;
let badElement = false;
function itemCidr(x: usize): usize {
  if (vtype(x) == T_STRING) return x;
  if (vtype(x) == T_ARRAY && arrLen(x) > 0 && vtype(arrGet(x, 0)) == T_STRING) return arrGet(x, 0);
  return 0;
}
/** Collects (key, cidr) pairs; returns 0 on a bad operand. */
function matchItems(v: usize): usize {
  const t = vtype(v);
  let n: u32 = 1;
  if (t == T_ARRAY) n = arrLen(v);
  else if (t == T_SET || t == T_OBJECT) { n = 0; let e = hHead(v); while (e != 0) { n++; e = eNext(e); } }
  else if (t != T_STRING) { badElement = false; return 0; }
  const out = malloc(<usize>n * 8 + 8);
  itemsN = 0;
  badElement = true; // any early return below is an element problem
  if (t == T_STRING) { store<u32>(out, <u32>v); store<u32>(out, <u32>v, 4); itemsN = 1; return out; }
  if (t == T_ARRAY) {
    for (let i: u32 = 0; i < n; i++) {
      const c = itemCidr(arrGet(v, i));
      if (c == 0) return 0;
      store<u32>(out + <usize>i * 8, <u32>opa_number_int(i)); store<u32>(out + <usize>i * 8, <u32>c, 4);
    }
    itemsN = n;
    return out;
  }
  let e = hHead(v);
  let i: u32 = 0;
  while (e != 0) {
    const c = itemCidr(t == T_SET ? eKey(e) : eVal(e));
    if (c == 0) return 0;
    store<u32>(out + <usize>i * 8, <u32>eKey(e)); store<u32>(out + <usize>i * 8, <u32>c, 4);
    i++;
    e = eNext(e);
  }
  itemsN = i;
  return out;
}

export function b_net_cidr_contains_matches(a: usize, b: usize): usize {
  const outer = matchItems(a);
  if (outer == 0) return badElement ? berr("net.cidr_contains_matches: operand 1: element is not a string or non-empty array") : berr("net.cidr_contains_matches: operand 1 must be string, array, set or object");
  const no = itemsN;
  const inner = matchItems(b);
  if (inner == 0) return badElement ? berr("net.cidr_contains_matches: operand 2: element is not a string or non-empty array") : berr("net.cidr_contains_matches: operand 2 must be string, array, set or object");
  const ni = itemsN;
  const r = opa_set();
  for (let i: u32 = 0; i < no; i++) {
    if (!parse(load<u32>(outer + <usize>i * 8, 4), A, true)) return berr("net.cidr_contains_matches: invalid CIDR address");
    const pa = load<u8>(A, 1);
    for (let j: u32 = 0; j < ni; j++) {
      if (!parse(load<u32>(inner + <usize>j * 8, 4), B, false)) return berr("net.cidr_contains_matches: invalid CIDR or IP address");
      if (load<u8>(A) == load<u8>(B) && load<u8>(B, 1) >= pa && samePrefix(A + 4, B + 4, pa)) {
        const pair = opa_array_with_cap(2);
        opa_array_append(pair, load<u32>(outer + <usize>i * 8));
        opa_array_append(pair, load<u32>(inner + <usize>j * 8));
        opa_set_add(r, pair);
      }
    }
  }
  return r;
}
