// base64 / base64url builtins.
import { malloc } from "../mem";
import { T_STRING, vtype, opa_string, strLen, strPtr, opa_boolean } from "../value";
import { berr } from "./common";

// ---- base64 -----------------------------------------------------------------
const B64: string = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64URL: string = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function b64enc(s: usize, url: bool, pad: bool): usize {
  const p = strPtr(s), n = strLen(s);
  const tbl = url ? B64URL : B64;
  const out = malloc(((n + 2) / 3) * 4);
  let o: u32 = 0;
  let i: u32 = 0;
  for (; i + 2 < n; i += 3) {
    const x = (<u32>load<u8>(p + i) << 16) | (<u32>load<u8>(p + i + 1) << 8) | load<u8>(p + i + 2);
    store<u8>(out + o, <u8>tbl.charCodeAt(x >> 18)); store<u8>(out + o + 1, <u8>tbl.charCodeAt((x >> 12) & 63));
    store<u8>(out + o + 2, <u8>tbl.charCodeAt((x >> 6) & 63)); store<u8>(out + o + 3, <u8>tbl.charCodeAt(x & 63));
    o += 4;
  }
  const rem = n - i;
  if (rem > 0) {
    const x = (<u32>load<u8>(p + i) << 16) | (rem > 1 ? <u32>load<u8>(p + i + 1) << 8 : 0);
    store<u8>(out + o, <u8>tbl.charCodeAt(x >> 18)); store<u8>(out + o + 1, <u8>tbl.charCodeAt((x >> 12) & 63)); o += 2;
    if (rem > 1) { store<u8>(out + o, <u8>tbl.charCodeAt((x >> 6) & 63)); o++; } else if (pad) { store<u8>(out + o, 61); o++; }
    if (pad) { store<u8>(out + o, 61); o++; }
  }
  return opa_string(out, o);
}
function b64val(c: u32, url: bool): i32 {
  if (c >= 65 && c <= 90) return <i32>c - 65;
  if (c >= 97 && c <= 122) return <i32>c - 71;
  if (c >= 48 && c <= 57) return <i32>c + 4;
  if (!url && c == 43) return 62;
  if (!url && c == 47) return 63;
  if (url && c == 45) return 62;
  if (url && c == 95) return 63;
  return -1;
}
/** Decodes; strict padding unless `loosePad` (base64url accepts missing padding). Returns 0 on bad input. */
function b64dec(s: usize, url: bool, loosePad: bool): usize {
  const p = strPtr(s);
  let n = strLen(s);
  let padCount: u32 = 0;
  while (n > 0 && load<u8>(p + n - 1) == 61) { n--; padCount++; }
  if (padCount > 2) return 0;
  if (!loosePad && ((n + padCount) & 3) != 0) return 0;
  if (padCount > 0 && ((n + padCount) & 3) != 0) return 0;
  if ((n & 3) == 1) return 0;
  const out = malloc((n * 3) / 4 + 3);
  let o: u32 = 0;
  let acc: u32 = 0;
  let bits: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const v = b64val(load<u8>(p + i), url);
    if (v < 0) return 0;
    acc = (acc << 6) | <u32>v;
    bits += 6;
    if (bits >= 8) { bits -= 8; store<u8>(out + o, <u8>(acc >> bits)); o++; acc &= (1 << bits) - 1; }
  }
  return opa_string(out, o);
}
export function b_base64_encode(s: usize): usize { if (vtype(s) != T_STRING) return berr("base64.encode: operand 1 must be string"); return b64enc(s, false, true); }
export function b_base64url_encode(s: usize): usize { if (vtype(s) != T_STRING) return berr("base64url.encode: operand 1 must be string"); return b64enc(s, true, true); }
export function b_base64url_encode_no_pad(s: usize): usize { if (vtype(s) != T_STRING) return berr("base64url.encode_no_pad: operand 1 must be string"); return b64enc(s, true, false); }
export function b_base64_decode(s: usize): usize {
  if (vtype(s) != T_STRING) return berr("base64.decode: operand 1 must be string");
  const r = b64dec(s, false, false);
  return r != 0 ? r : berr("base64.decode: illegal base64 data");
}
export function b_base64url_decode(s: usize): usize {
  if (vtype(s) != T_STRING) return berr("base64url.decode: operand 1 must be string");
  const r = b64dec(s, true, true);
  return r != 0 ? r : berr("base64url.decode: illegal base64 data");
}
export function b_base64_is_valid(s: usize): usize {
  if (vtype(s) != T_STRING) return opa_boolean(0);
  return opa_boolean(<i32>(b64dec(s, false, false) != 0));
}
