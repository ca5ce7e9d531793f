/**
 * Local signing keys (dev issuer, task issuer): a private JWK in a file,
 * created on first use so `npm start` and `npx warden token` agree.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, type webcrypto } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { JWK } from 'jose';
import { WardenError } from '../errors.ts';

export interface SigningKey {
  readonly alg: 'ES256';
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The public key as a JWK, ready for a JWKS document. */
  readonly publicJwk: JWK & { kid: string; alg: string; use: string };
}

const cache = new Map<string, SigningKey>();

/** Loads the ES256 key in `file`, creating it (mode 0600) when it does not exist. */
export function loadOrCreateSigningKey(file: string): SigningKey {
  const cached = cache.get(file);
  if (cached) return cached;
  let jwk: JWK;
  try {
    jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new WardenError('WARDEN_CONFIG_INVALID', `cannot read signing key ${file}: ${(err as Error).message}`);
    }
    jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) as JWK;
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    try {
      writeFileSync(file, JSON.stringify(jwk) + '\n', { mode: 0o600, flag: 'wx' });
    } catch (writeErr) {
      // Another process created it first: use theirs so both sign with the same key.
      if ((writeErr as NodeJS.ErrnoException).code !== 'EEXIST') throw writeErr;
      jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
    }
  }
  const key = signingKeyFromJwk(jwk, file);
  cache.set(file, key);
  return key;
}

function signingKeyFromJwk(jwk: JWK, file: string): SigningKey {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.d) {
    throw new WardenError('WARDEN_CONFIG_INVALID', `signing key ${file} must be a private EC P-256 JWK`);
  }
  const privateKey = createPrivateKey({ key: jwk as webcrypto.JsonWebKey, format: 'jwk' });
  const publicKey = createPublicKey(privateKey);
  const pub = publicKey.export({ format: 'jwk' });
  // RFC 7638 thumbprint as kid: stable across restarts, changes when the key does.
  const thumb = createHash('sha256').update(JSON.stringify({ crv: pub.crv, kty: pub.kty, x: pub.x, y: pub.y })).digest('base64url');
  return { alg: 'ES256', kid: thumb, privateKey, publicKey, publicJwk: { ...pub, kid: thumb, alg: 'ES256', use: 'sig' } };
}
