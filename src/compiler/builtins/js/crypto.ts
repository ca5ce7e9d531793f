/** Hash, HMAC and private-key builtins (node:crypto). */
import { createHash, createHmac, createPrivateKey, timingSafeEqual } from 'node:crypto';
import { pemBlocks } from './keys.ts';
import { type BuiltinFn, builtinError, str } from './values.ts';

function hash(alg: string): BuiltinFn {
  return (s) => createHash(alg).update(str(s, 1), 'utf8').digest('hex');
}

function hmac(alg: string): BuiltinFn {
  return (x, k) => createHmac(alg, Buffer.from(str(k, 2), 'utf8')).update(str(x, 1), 'utf8').digest('hex');
}

/** PEM text given directly or base64-encoded, as the crypto builtins accept it. */
export function pemOrBase64(s: string): string {
  if (s.includes('-----BEGIN')) return s;
  const compact = s.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) throw builtinError('illegal base64 data at input byte 0');
  return Buffer.from(s, 'base64').toString('utf8');
}

/** A private key as JWK members (what Go's key structs expose, in JWK spelling). */
function keyJwk(der: Buffer, type: string): Record<string, unknown> {
  const key = type === 'RSA PRIVATE KEY'
    ? createPrivateKey({ key: der, format: 'der', type: 'pkcs1' })
    : type === 'EC PRIVATE KEY'
      ? createPrivateKey({ key: der, format: 'der', type: 'sec1' })
      : createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  return key.export({ format: 'jwk' }) as Record<string, unknown>;
}

export function cryptoBuiltins(): Record<string, BuiltinFn> {
  return {
    'crypto.md5': hash('md5'),
    'crypto.sha1': hash('sha1'),
    'crypto.sha256': hash('sha256'),
    'crypto.hmac.md5': hmac('md5'),
    'crypto.hmac.sha1': hmac('sha1'),
    'crypto.hmac.sha256': hmac('sha256'),
    'crypto.hmac.sha512': hmac('sha512'),
    'crypto.hmac.equal': (a, b) => {
      const x = Buffer.from(str(a, 1));
      const y = Buffer.from(str(b, 2));
      return x.length === y.length && timingSafeEqual(x, y);
    },
    'crypto.parse_private_keys': (s) => {
      const text = str(s, 1);
      if (text === '') return null;
      let pem: string;
      try {
        pem = pemOrBase64(text);
      } catch {
        return [];
      }
      const out: unknown[] = [];
      for (const b of pemBlocks(pem)) {
        if (!b.type.includes('PRIVATE KEY')) continue;
        try {
          out.push(keyJwk(b.der, b.type));
        } catch {
          // Unparseable blocks are skipped, as OPA does.
        }
      }
      return out;
    },
    'crypto.x509.parse_rsa_private_key': (s) => {
      const blocks = pemBlocks(pemOrBase64(str(s, 1)));
      const b = blocks.find((x) => x.type.includes('PRIVATE KEY'));
      if (!b) throw builtinError('failed to parse PEM block containing the key');
      const jwk = keyJwk(b.der, b.type);
      if (jwk.kty !== 'RSA') throw builtinError('not an RSA private key');
      return jwk;
    },
  };
}
