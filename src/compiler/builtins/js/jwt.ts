/**
 * `io.jwt.*`: decode, verify (HS/RS/PS/ES/EdDSA), decode_verify with OPA's
 * constraint rules (RFC 7519 §7.2 order), and signing. All synchronous
 * node:crypto, since opa-wasm calls builtins synchronously.
 */
import { type KeyObject, constants, createHmac, sign, timingSafeEqual, verify } from 'node:crypto';
import { goMarshal } from './json.ts';
import { type VerifyKey, signingKey, verifyKeys } from './keys.ts';
import { type BuiltinContext, type BuiltinFn, type JsonObject, BuiltinError, builtinError, isObject, obj, str, typeError } from './values.ts';

const HASH: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

interface Parts {
  header: string;
  payload: string;
  signature: string;
}

function split(token: string): Parts {
  const parts = token.split('.');
  if (parts.length !== 3) throw builtinError(`encoded JWT must have 3 sections, found ${parts.length}`);
  return { header: parts[0]!, payload: parts[1]!, signature: parts[2]! };
}

/** Go's base64 RawURLEncoding (padding tolerated), with its error position. */
function b64url(s: string, what: string): Buffer {
  const bad = /[^A-Za-z0-9_\-=]/.exec(s);
  if (bad) throw builtinError(`JWT ${what} had invalid encoding: illegal base64 data at input byte ${bad.index}`);
  return Buffer.from(s, 'base64url');
}

function jsonObject(buf: Buffer, what: string): JsonObject {
  let v: unknown;
  try {
    v = JSON.parse(buf.toString('utf8'));
  } catch {
    throw builtinError(`JWT ${what} had invalid encoding: not valid JSON`);
  }
  if (!isObject(v)) throw builtinError(`JWT ${what} must be a JSON object`);
  return v;
}

/** Inner token of a nested JWT: the payload is the token text, possibly JSON-quoted. */
function innerToken(payload: Buffer): string {
  const text = payload.toString('utf8');
  if (text.startsWith('"')) {
    try {
      const s = JSON.parse(text) as unknown;
      if (typeof s === 'string') return s;
    } catch {
      // fall through: not a quoted string
    }
  }
  return text;
}

/** Verifies a JWS signature over `signingInput` with algorithm `alg`. */
function verifySignature(alg: string, key: KeyObject | string, signingInput: string, sig: Buffer): boolean {
  const data = Buffer.from(signingInput);
  try {
    const bits = alg.slice(2);
    switch (alg.slice(0, 2)) {
      case 'HS': {
        if ((typeof key !== 'string' && key.type !== 'secret') || !HASH[bits]) return false;
        const mac = createHmac(HASH[bits], key).update(data).digest();
        return mac.length === sig.length && timingSafeEqual(mac, sig);
      }
      case 'RS':
        if (typeof key === 'string') return false;
        return !!HASH[bits] && key.asymmetricKeyType === 'rsa' && verify(HASH[bits], data, key, sig);
      case 'PS':
        if (typeof key === 'string') return false;
        return !!HASH[bits] && verify(HASH[bits], data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, sig);
      case 'ES':
        if (typeof key === 'string') return false;
        return !!HASH[bits] && key.asymmetricKeyType === 'ec' && verify(HASH[bits], data, { key, dsaEncoding: 'ieee-p1363' }, sig);
      case 'Ed':
        if (typeof key === 'string') return false;
        return alg === 'EdDSA' && verify(null, data, key, sig);
      default:
        return false;
    }
  } catch {
    return false;
  }
}

function signWith(alg: string, key: KeyObject, signingInput: string): Buffer {
  const data = Buffer.from(signingInput);
  const bits = alg.slice(2);
  const hash = HASH[bits];
  if (alg.startsWith('HS') && hash) return createHmac(hash, key).update(data).digest();
  if (alg.startsWith('RS') && hash) return sign(hash, data, key);
  if (alg.startsWith('PS') && hash) return sign(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
  if (alg.startsWith('ES') && hash) return sign(hash, data, { key, dsaEncoding: 'ieee-p1363' });
  if (alg === 'EdDSA') return sign(null, data, key);
  throw builtinError(`unknown JWS algorithm: ${alg}`);
}

function verifyWith(alg: string): BuiltinFn {
  return (t, k) => {
    const p = split(str(t, 1));
    const sig = b64url(p.signature, 'signature');
    const input = `${p.header}.${p.payload}`;
    const keyText = str(k, 2);
    // An HMAC secret is used as given (its UTF-8 bytes), as OPA does.
    if (alg.startsWith('HS')) return verifySignature(alg, keyText, input, sig);
    return verifyKeys(keyText).some((vk) => verifySignature(alg, vk.key, input, sig));
  };
}

interface Constraints {
  keys?: VerifyKey[];
  secret?: string;
  alg?: string;
  iss?: string;
  aud?: string;
  time: number;
}

function parseConstraints(v: unknown, nowNs: () => number): Constraints {
  const o = obj(v, 2);
  const c: Constraints = { time: 0 };
  let time: number | undefined;
  for (const [k, x] of Object.entries(o)) {
    switch (k) {
      case 'cert':
        c.keys = verifyKeys(str(x, 2));
        break;
      case 'secret':
        c.secret = str(x, 2);
        break;
      case 'alg':
        c.alg = str(x, 2);
        break;
      case 'iss':
        c.iss = str(x, 2);
        break;
      case 'aud':
        c.aud = str(x, 2);
        break;
      case 'time':
        if (typeof x !== 'number') throw typeError(2, 'number', x);
        time = x;
        break;
      default:
        throw builtinError(`unknown token validation constraint: ${k}`);
    }
  }
  if (c.keys && c.secret !== undefined) throw builtinError('duplicate key constraints');
  if (!c.keys && c.secret === undefined) throw builtinError('no key constraints');
  c.time = time ?? nowNs();
  return c;
}

const UNVERIFIED = (): unknown[] => [false, {}, {}];

function decodeVerify(token: string, c: Constraints): unknown[] {
  let current = token;
  let header: JsonObject;
  let payloadBuf: Buffer;
  for (;;) {
    const p = split(current);
    header = jsonObject(b64url(p.header, 'header'), 'header');
    if (Array.isArray(header.crit) && header.crit.length > 0) return UNVERIFIED();
    const alg = typeof header.alg === 'string' ? header.alg : '';
    if (alg === '' || (c.alg !== undefined && c.alg !== alg)) return UNVERIFIED();
    const sig = b64url(p.signature, 'signature');
    const input = `${p.header}.${p.payload}`;
    let ok = false;
    if (c.secret !== undefined) ok = alg.startsWith('HS') && verifySignature(alg, c.secret, input, sig);
    else {
      const kid = typeof header.kid === 'string' ? header.kid : undefined;
      ok = (c.keys ?? []).some((k) => (kid === undefined || k.kid === undefined || k.kid === kid) && (k.alg === undefined || k.alg === alg) && verifySignature(alg, k.key, input, sig));
    }
    if (!ok) return UNVERIFIED();
    payloadBuf = b64url(p.payload, 'payload');
    if (typeof header.cty === 'string' && header.cty !== '') {
      if (header.cty !== 'JWT') return UNVERIFIED();
      current = innerToken(payloadBuf);
      continue;
    }
    break;
  }
  let payload: unknown;
  try {
    payload = JSON.parse(payloadBuf.toString('utf8'));
  } catch {
    return UNVERIFIED();
  }
  if (!isObject(payload)) return UNVERIFIED();
  if (c.iss !== undefined && payload.iss !== c.iss) return UNVERIFIED();
  if (Object.hasOwn(payload, 'aud')) {
    const aud = payload.aud;
    if (c.aud === undefined) return UNVERIFIED();
    const ok = typeof aud === 'string' ? aud === c.aud : Array.isArray(aud) && aud.includes(c.aud);
    if (!ok) return UNVERIFIED();
  } else if (c.aud !== undefined) return UNVERIFIED();
  const nowSec = c.time / 1e9;
  if (Object.hasOwn(payload, 'exp')) {
    if (typeof payload.exp !== 'number') throw builtinError('exp value must be a number');
    if (nowSec >= payload.exp) return UNVERIFIED();
  }
  if (Object.hasOwn(payload, 'nbf')) {
    if (typeof payload.nbf !== 'number') throw builtinError('nbf value must be a number');
    if (nowSec < payload.nbf) return UNVERIFIED();
  }
  return [true, header, payload];
}

function encode(headerText: string, payloadText: string, key: JsonObject): string {
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch {
    throw builtinError(`missing or invalid 'alg' header: ${headerText === '' ? 'cannot parse JSON: cannot parse empty string' : 'jwsbb: header "alg" not found'}`);
  }
  if (!isObject(header) || typeof header.alg !== 'string') throw builtinError(`missing or invalid 'alg' header: jwsbb: header "alg" not found`);
  const alg = header.alg;
  if (!/^(HS|RS|PS|ES)(256|384|512)$|^EdDSA$/.test(alg)) throw builtinError(`unknown JWS algorithm: ${alg}`);
  if (header.typ === 'JWT') {
    let ok = false;
    try {
      ok = isObject(JSON.parse(payloadText));
    } catch {
      ok = false;
    }
    if (!ok) throw builtinError('type is JWT but payload is not JSON');
  }
  const input = `${Buffer.from(headerText).toString('base64url')}.${Buffer.from(payloadText).toString('base64url')}`;
  return `${input}.${signWith(alg, signingKey(key), input).toString('base64url')}`;
}

export function jwtBuiltins(ctx: BuiltinContext): Record<string, BuiltinFn> {
  const nowNs = (): number => {
    const memo = ctx.cache().memo;
    let v = memo.get('time.now_ns') as bigint | undefined;
    if (v === undefined) {
      v = ctx.now();
      memo.set('time.now_ns', v);
    }
    return Number(v);
  };
  const table: Record<string, BuiltinFn> = {
    'io.jwt.decode': (t) => {
      let p = split(str(t, 1));
      for (;;) {
        const header = jsonObject(b64url(p.header, 'header'), 'header');
        const payloadBuf = b64url(p.payload, 'payload');
        const sig = b64url(p.signature, 'signature');
        if (header.cty === 'JWT') {
          p = split(innerToken(payloadBuf));
          continue;
        }
        return [header, jsonObject(payloadBuf, 'payload'), sig.toString('hex')];
      }
    },
    'io.jwt.decode_verify': (t, c) => decodeVerify(str(t, 1), parseConstraints(c, nowNs)),
    'io.jwt.encode_sign': (h, p, k) => encode(goMarshal(obj(h, 1)), goMarshal(obj(p, 2)), obj(k, 3)),
    'io.jwt.encode_sign_raw': (h, p, k) => {
      let key: unknown;
      try {
        key = JSON.parse(str(k, 3));
      } catch {
        throw builtinError('failed to parse JWK');
      }
      if (!isObject(key)) throw new BuiltinError('eval_builtin_error', 'failed to parse JWK');
      return encode(str(h, 1), str(p, 2), key);
    },
  };
  for (const fam of ['hs', 'rs', 'ps', 'es']) for (const bits of ['256', '384', '512']) table[`io.jwt.verify_${fam}${bits}`] = verifyWith(`${fam.toUpperCase()}${bits}`);
  table['io.jwt.verify_eddsa'] = verifyWith('EdDSA');
  return table;
}
