/**
 * Key material for the JWT and crypto builtins: PEM certificates and public
 * keys, JWKs and JWK sets, all turned into node:crypto KeyObjects synchronously.
 */
import { type KeyObject, X509Certificate, createPrivateKey, createPublicKey, createSecretKey } from 'node:crypto';
import { type JsonObject, builtinError, isObject } from './values.ts';

/** A verification key with the JWK `kid`/`alg` it came with, if any. */
export interface VerifyKey {
  key: KeyObject;
  kid?: string;
  alg?: string;
}

/** PEM blocks of a text: `[{type, der}]`. */
export function pemBlocks(text: string): { type: string; der: Buffer }[] {
  const out: { type: string; der: Buffer }[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ type: m[1]!, der: Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64') });
  }
  return out;
}

function jwkKey(jwk: JsonObject): VerifyKey {
  const key = jwk.kty === 'oct' ? createSecretKey(Buffer.from(String(jwk.k ?? ''), 'base64url')) : createPublicKey({ key: jwk as never, format: 'jwk' });
  return { key, ...(typeof jwk.kid === 'string' ? { kid: jwk.kid } : {}), ...(typeof jwk.alg === 'string' ? { alg: jwk.alg } : {}) };
}

/**
 * Keys from a `cert` argument: a PEM certificate, a PEM public key, a JWK or
 * a JWK set (JSON text). Errors use OPA's wording.
 */
export function verifyKeys(text: string): VerifyKey[] {
  // Policies verify against the same few keys on every call: parse each once.
  let keys = keyCache.get(text);
  if (!keys) {
    keys = parseVerifyKeys(text);
    if (keyCache.size >= 64) keyCache.clear();
    keyCache.set(text, keys);
  }
  return keys;
}

const keyCache = new Map<string, VerifyKey[]>();

function parseVerifyKeys(text: string): VerifyKey[] {
  if (text.trimStart().startsWith('-----BEGIN')) {
    const blocks = pemBlocks(text);
    if (blocks.length === 0) throw builtinError('failed to extract a Key from the PEM certificate');
    return blocks.map((b) => {
      try {
        if (b.type === 'CERTIFICATE') return { key: new X509Certificate(b.der).publicKey };
        return { key: createPublicKey({ key: b.der, format: 'der', type: b.type === 'RSA PUBLIC KEY' ? 'pkcs1' : 'spki' }) };
      } catch {
        throw builtinError(b.type === 'CERTIFICATE' ? 'failed to parse a PEM certificate' : 'failed to parse a PEM public key');
      }
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw builtinError('failed to parse a JWK key (set)');
  }
  try {
    if (isObject(parsed) && Array.isArray(parsed.keys)) return parsed.keys.filter(isObject).map(jwkKey);
    if (isObject(parsed)) return [jwkKey(parsed)];
  } catch {
    throw builtinError('failed to parse a JWK key (set)');
  }
  throw builtinError('failed to parse a JWK key (set)');
}

/** A signing key from a JWK object (`oct` keys become HMAC secrets). */
export function signingKey(jwk: JsonObject): KeyObject {
  try {
    if (jwk.kty === 'oct') return createSecretKey(Buffer.from(String(jwk.k ?? ''), 'base64url'));
    return createPrivateKey({ key: jwk as never, format: 'jwk' });
  } catch (e) {
    throw builtinError(`failed to parse signing key: ${(e as Error).message}`);
  }
}
