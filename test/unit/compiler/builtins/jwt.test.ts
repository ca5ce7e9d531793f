import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, exportJWK, importJWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { call } from './helpers.ts';

const HS_KEY = { kty: 'oct', k: 'AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow' };

describe('io.jwt builtins', () => {
  it('signs the RFC 7515 A.1 example exactly (sorted claims, HS256)', () => {
    const token = call(
      'io.jwt.encode_sign',
      { alg: 'HS256', typ: 'JWT' },
      { aud: ['bob', 'saul'], exp: 1300819380, 'http://example.com/is_root': true, iss: 'joe', privateParams: { private_one: 'one', private_two: 'two' } },
      HS_KEY,
    );
    expect(token).toBe(
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOlsiYm9iIiwic2F1bCJdLCJleHAiOjEzMDA4MTkzODAsImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlLCJpc3MiOiJqb2UiLCJwcml2YXRlUGFyYW1zIjp7InByaXZhdGVfb25lIjoib25lIiwicHJpdmF0ZV90d28iOiJ0d28ifX0.-Or2eol8bzly-Ztb0v7_7UkcKBkN_aNNpK33HK0MeOY',
    );
  });

  it('signs raw EdDSA input deterministically', () => {
    const token = call(
      'io.jwt.encode_sign_raw',
      '{"alg":"EdDSA","typ":"JWT"}',
      '{"iss":"joe","exp":1300819380,"http://example.com/is_root":true}',
      '{"kty":"OKP","alg":"EdDSA","crv":"Ed25519","x":"wEZFfoAj1rFKTLOOmjJjVZlCHwksuvMb2I5y_hg70E8","d":"9XI34uQzYUJfWhDZf_0nYsLMBRVu8a6dFsy60P8uugk"}',
    );
    expect(token).toBe(
      'eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJqb2UiLCJleHAiOjEzMDA4MTkzODAsImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.jS1so-rsTaC8DdA8_ZnFXYbi9xOrMVXOviMFrahQ7ez0UKKzjU-2vxrM0ON-Vu3GXKhtBkkO3SUtNMoeYw3zDQ',
    );
    expect(() => call('io.jwt.encode_sign_raw', '{"alg":"dummy"}', '{}', JSON.stringify(HS_KEY))).toThrow(/unknown JWS algorithm: dummy/);
    expect(() => call('io.jwt.encode_sign_raw', '{"typ":"JWT","alg":"HS256"}', 'e', JSON.stringify(HS_KEY))).toThrow(/payload is not JSON/);
  });

  it('decodes, reporting the signature as hex, and follows nested tokens', () => {
    expect(call('io.jwt.decode', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJuZXciOiJJIGFtIGEgdXNlciBjcmVhdGVkIGZpZWxkIiwiaXNzIjoib3BhIn0.6UmjsclVDGD9jcmX_F8RJzVgHtUZuLu2pxkF_UEQCrE')).toEqual([
      { alg: 'HS256', typ: 'JWT' },
      { iss: 'opa', new: 'I am a user created field' },
      'e949a3b1c9550c60fd8dc997fc5f112735601ed519b8bbb6a71905fd41100ab1',
    ]);
    expect(() => call('io.jwt.decode', 'a.b')).toThrow(/encoded JWT must have 3 sections, found 2/);
  });

  it('verifies tokens signed by an independent implementation (jose), per algorithm family', async () => {
    for (const [alg, kind, opts] of [
      ['RS256', 'rsa', { modulusLength: 2048 }],
      ['PS384', 'rsa', { modulusLength: 2048 }],
      ['ES256', 'ec', { namedCurve: 'P-256' }],
      ['ES512', 'ec', { namedCurve: 'P-521' }],
      ['EdDSA', 'ed25519', {}],
    ] as const) {
      const { publicKey, privateKey } = generateKeyPairSync(kind as 'rsa', opts as { modulusLength: number });
      const token = await new SignJWT({ iss: 'xxx', sub: 'alice' }).setProtectedHeader({ alg }).sign(privateKey);
      const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
      const fn = `io.jwt.verify_${alg.toLowerCase()}`;
      expect(call(fn, token, pem), alg).toBe(true);
      expect(call(fn, token, JSON.stringify(await exportJWK(publicKey))), `${alg} as JWK`).toBe(true);
      const other = generateKeyPairSync(kind as 'rsa', opts as { modulusLength: number }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
      expect(call(fn, token, other), `${alg} wrong key`).toBe(false);
      expect(call('io.jwt.decode_verify', token, { cert: pem, iss: 'xxx' })).toEqual([true, { alg }, { iss: 'xxx', sub: 'alice' }]);
    }
  });

  it('produces tokens an independent implementation (jose) accepts', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = await exportJWK(privateKey);
    const token = call('io.jwt.encode_sign', { alg: 'ES256' }, { iss: 'warden', exp: 4102444800 }, jwk) as string;
    const { payload } = await jwtVerify(token, publicKey);
    expect(payload).toEqual({ iss: 'warden', exp: 4102444800 });
    const hs = call('io.jwt.encode_sign', { alg: 'HS512' }, { a: 1 }, HS_KEY) as string;
    await expect(jwtVerify(hs, await importJWK({ ...HS_KEY, alg: 'HS512' }))).resolves.toBeDefined();
  });

  it('decode_verify applies the claims rules in OPA order', () => {
    const secret = { kty: 'oct', k: Buffer.from('42').toString('base64url') };
    const sign = (payload: object) => call('io.jwt.encode_sign', { alg: 'HS256' }, payload, secret) as string;
    const unverified = [false, {}, {}];
    // time is in nanoseconds; exp/nbf in seconds, floats allowed.
    expect(call('io.jwt.decode_verify', sign({ exp: 3000.2 }), { secret: '42', time: 2000000000000.1 })).toEqual([true, { alg: 'HS256' }, { exp: 3000.2 }]);
    expect(call('io.jwt.decode_verify', sign({ exp: 3000.2 }), { secret: '42', time: 4000000000000.1 })).toEqual(unverified);
    expect(call('io.jwt.decode_verify', sign({ nbf: 3000 }), { secret: '42', time: 2000000000000 })).toEqual(unverified);
    expect(call('io.jwt.decode_verify', sign({ aud: 'fred' }), { secret: '42' })).toEqual(unverified);
    expect((call('io.jwt.decode_verify', sign({ aud: ['fred', 'bob'] }), { secret: '42', aud: 'bob' }) as unknown[])[0]).toBe(true);
    expect(call('io.jwt.decode_verify', sign({}), { secret: '42', iss: 'xxx' })).toEqual(unverified);
    expect(call('io.jwt.decode_verify', sign({}), { secret: 'wrong' })).toEqual(unverified);
    expect(call('io.jwt.decode_verify', sign({}), { secret: '42', alg: 'RS256' })).toEqual(unverified);
    expect(() => call('io.jwt.decode_verify', sign({ exp: null }), { secret: '42' })).toThrow(/exp value must be a number/);
    expect(() => call('io.jwt.decode_verify', sign({}), { secret: '42', bogus: 1 })).toThrow(/unknown token validation constraint/);
  });
});
