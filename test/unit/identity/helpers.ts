/** Test helpers: key pairs, token signing (including deliberately broken tokens), call contexts. */
import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, type JWTPayload } from 'jose';
import { identityConfigSchema, type IdentityConfig, type IdentityConfigInput } from '../../../src/identity/config.ts';
import { newDecisionRecord } from '../../../src/pipeline/decision.ts';
import type { CallContext, RequestFacts } from '../../../src/pipeline/types.ts';

export const RESOURCE = 'https://gateway.test/mcp';
export const ISSUER = 'https://idp.test';

export interface TestKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function newKey(kid: string): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid, privateKey, publicKey };
}

export function tempDir(prefix = 'warden-identity-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes a JWKS file holding the public halves of `keys`; `use` sets each key's use member. */
export async function writeJwks(dir: string, name: string, keys: TestKey[], use?: string): Promise<string> {
  const file = join(dir, name);
  const jwks = { keys: await Promise.all(keys.map(async (k) => ({ ...(await exportJWK(k.publicKey)), kid: k.kid, alg: 'ES256', ...(use ? { use } : {}) }))) };
  writeFileSync(file, JSON.stringify(jwks));
  return file;
}

/** Signs an ES256 token with sensible defaults (iat now, exp in 5 min, aud RESOURCE). */
export async function signToken(key: TestKey, claims: JWTPayload, opts: { iat?: number; exp?: number; typ?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ aud: RESOURCE, ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, ...(opts.typ ? { typ: opts.typ } : {}) })
    .setIssuedAt(opts.iat ?? now)
    .setExpirationTime(opts.exp ?? now + 300)
    .sign(key.privateKey);
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** A token with `alg: none` and no signature. */
export function unsignedToken(claims: JWTPayload): string {
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
}

/** The classic key-confusion attack: HS256 with the issuer's public key (PEM) as the HMAC secret. */
export function hs256WithPublicKey(key: TestKey, claims: JWTPayload): string {
  const head = `${b64({ alg: 'HS256', kid: key.kid })}.${b64(claims)}`;
  const secret = key.publicKey.export({ type: 'spki', format: 'pem' });
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

export function identityConfig(dir: string, input: IdentityConfigInput = {}): IdentityConfig {
  return identityConfigSchema.parse({
    devIssuerKeyFile: join(dir, 'dev-issuer.jwk'),
    ...input,
    task: { issuerKeyFile: join(dir, 'task-issuer.jwk'), ...(input.task ?? {}) },
  });
}

export function callContext(request: Partial<RequestFacts> = {}, extra: Partial<CallContext> = {}): CallContext {
  return {
    decision: newDecisionRecord(),
    request: {
      protocol: 'mcp',
      method: 'tools/call',
      transport: 'streamable-http',
      ip: '10.1.2.3',
      time: Date.now(),
      headers: {},
      resource: RESOURCE,
      ...request,
    },
    facts: {},
    ...extra,
  };
}

/** Runs a stage's onRequest and returns the thrown error's code (or 'ok'). */
export async function outcome(run: () => unknown): Promise<string> {
  try {
    await run();
    return 'ok';
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}
