import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { WardenError } from '../../../src/errors.ts';
import { createAgentRegistry, agentManifestSchema } from '../../../src/identity/agents.ts';
import { mintDevToken } from '../../../src/identity/dev-issuer.ts';
import { callerTokenOf, identityStage } from '../../../src/stages/identity/index.ts';
import type { Stage } from '../../../src/pipeline/types.ts';
import { callContext, hs256WithPublicKey, identityConfig, ISSUER, newKey, outcome, RESOURCE, signToken, tempDir, unsignedToken, writeJwks, type TestKey } from './helpers.ts';

const agents = createAgentRegistry(
  [
    { name: 'research-bot', identity: { clientId: 'research-bot' }, owner: 'r@x', tools: ['*'], requiredScopes: { 'docs__write*': ['docs.write'] } },
    { name: 'billing-worker', identity: { spiffeId: 'spiffe://prod.test/ns/billing/sa/worker' }, owner: 'b@x' },
    { name: 'demo', owner: 'p@x', tools: ['*'] },
    { name: 'anonymous', owner: 'p@x' },
  ].map((m) => agentManifestSchema.parse(m)),
);

let key: TestKey;
let svidKey: TestKey;
let dir: string;
let stage: Stage;

beforeAll(async () => {
  dir = tempDir();
  key = newKey('idp-1');
  svidKey = newKey('td-1');
  const jwksFile = await writeJwks(dir, 'idp.json', [key]);
  // SPIFFE bundles mark keys "use": "jwt-svid"; jose would skip them without normalising.
  const bundleFile = await writeJwks(dir, 'bundle.json', [svidKey], 'jwt-svid');
  const config = identityConfig(dir, {
    issuers: [{ issuer: ISSUER, jwksFile }],
    spiffe: { trustDomains: [{ name: 'prod.test', jwksFile: bundleFile }] },
    maxTokenAgeS: 600,
    clockToleranceS: 0,
    devIssuer: true,
    requiredScopes: { 'docs__delete': ['docs.admin'] },
  });
  stage = identityStage({ config, agents, resource: RESOURCE });
});

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
const now = () => Math.floor(Date.now() / 1000);

describe('identity stage: accepted credentials', () => {
  it('binds a client-credentials token to its agent, with no user', async () => {
    const ctx = callContext(bearer(await signToken(key, { iss: ISSUER, sub: 'research-bot', client_id: 'research-bot', scope: 'tools.read docs.read' })));
    await stage.onRequest!(ctx);
    expect(ctx.agent).toMatchObject({ id: 'research-bot', kind: 'oidc', clientId: 'research-bot' });
    expect(ctx.user).toBeUndefined();
    expect(ctx.token).toMatchObject({ issuer: ISSUER, scopes: ['tools.read', 'docs.read'] });
  });

  it('takes the agent from act and the user from sub (RFC 8693 delegation)', async () => {
    const ctx = callContext(bearer(await signToken(key, { iss: ISSUER, sub: 'alice@example.com', act: { sub: 'research-bot' } })));
    await stage.onRequest!(ctx);
    expect(ctx.agent?.id).toBe('research-bot');
    expect(ctx.user).toEqual({ sub: 'alice@example.com', issuer: ISSUER });
  });

  it('verifies a JWT-SVID against a bundle whose keys say use: jwt-svid', async () => {
    const ctx = callContext(bearer(await signToken(svidKey, { sub: 'spiffe://prod.test/ns/billing/sa/worker' })));
    await stage.onRequest!(ctx);
    expect(ctx.agent).toMatchObject({ id: 'billing-worker', kind: 'spiffe-jwt', trustDomain: 'prod.test' });
  });

  it('accepts a dev token from `warden token` and answers from the cache synchronously the second time', async () => {
    const token = await mintDevToken({ keyFile: `${dir}/dev-issuer.jwk`, agent: 'demo', user: 'bob', ttlS: 300, audience: 'https://gateway.test' });
    const first = callContext(bearer(token));
    await stage.onRequest!(first);
    expect(first.agent).toMatchObject({ id: 'demo', kind: 'dev' });
    expect(first.user?.sub).toBe('bob');
    const second = callContext(bearer(token));
    const result = stage.onRequest!(second);
    expect(result).toBeUndefined(); // no promise: the fast path stayed synchronous
    expect(second.agent?.id).toBe('demo');
  });

  it('keeps the raw caller token out of the context, available only through callerTokenOf when asked', async () => {
    const token = await signToken(key, { iss: ISSUER, client_id: 'research-bot' });
    const ctx = callContext(bearer(token));
    await stage.onRequest!(ctx);
    expect(JSON.stringify({ ...ctx, request: undefined })).not.toContain(token.split('.')[2]);
    expect(callerTokenOf(ctx)).toBeUndefined();
    const keeping = identityStage({ config: identityConfig(tempDir(), { issuers: [{ issuer: ISSUER, jwksFile: `${dir}/idp.json` }] }), agents, resource: RESOURCE, keepCallerToken: true });
    const kept = callContext(bearer(token));
    await keeping.onRequest!(kept);
    expect(callerTokenOf(kept)).toBe(token);
  });

  it('returns at once when the agent is already set (the per-call pass)', async () => {
    const ctx = callContext({ headers: { authorization: 'Bearer garbage' } }, { agent: { id: 'demo', kind: 'dev' } });
    expect(stage.onRequest!(ctx)).toBeUndefined();
    expect(ctx.agent?.id).toBe('demo');
  });
});

describe('identity stage: attacks, each denied with its code', () => {
  const cases: Array<[string, () => Promise<string>, string]> = [
    ['alg none', async () => unsignedToken({ iss: ISSUER, sub: 'research-bot', client_id: 'research-bot', aud: RESOURCE, iat: now(), exp: now() + 60 }), 'WARDEN_TOKEN_INVALID'],
    ['HS256 signed with the public key', async () => hs256WithPublicKey(key, { iss: ISSUER, client_id: 'research-bot', aud: RESOURCE, iat: now(), exp: now() + 60 }), 'WARDEN_TOKEN_INVALID'],
    ['wrong audience', () => signToken(key, { iss: ISSUER, client_id: 'research-bot', aud: 'https://other.test/mcp' }), 'WARDEN_TOKEN_AUDIENCE'],
    ['wrong issuer', () => signToken(key, { iss: 'https://evil.test', client_id: 'research-bot' }), 'WARDEN_TOKEN_ISSUER'],
    ['expired', () => signToken(key, { iss: ISSUER, client_id: 'research-bot' }, { iat: now() - 120, exp: now() - 60 }), 'WARDEN_TOKEN_EXPIRED'],
    ['not yet valid', () => signToken(key, { iss: ISSUER, client_id: 'research-bot', nbf: now() + 120 }), 'WARDEN_TOKEN_EXPIRED'],
    ['stale past max age', () => signToken(key, { iss: ISSUER, client_id: 'research-bot' }, { iat: now() - 3600, exp: now() + 60 }), 'WARDEN_TOKEN_STALE'],
    ['unknown kid', () => signToken(newKey('idp-unknown'), { iss: ISSUER, client_id: 'research-bot' }), 'WARDEN_TOKEN_INVALID'],
    ['signed by another key under a known kid', () => signToken({ ...newKey('idp-1') }, { iss: ISSUER, client_id: 'research-bot' }), 'WARDEN_TOKEN_INVALID'],
    ['oversized token', () => signToken(key, { iss: ISSUER, client_id: 'research-bot', pad: 'x'.repeat(9000) }), 'WARDEN_TOKEN_TOO_LARGE'],
    ['not a JWT', async () => 'not-a-jwt', 'WARDEN_TOKEN_INVALID'],
    ['JWT-SVID from an untrusted trust domain', () => signToken(svidKey, { sub: 'spiffe://evil.test/ns/billing/sa/worker' }), 'WARDEN_SPIFFE_UNTRUSTED'],
    ['JWT-SVID signed by a key outside the bundle', () => signToken(newKey('td-1'), { sub: 'spiffe://prod.test/ns/billing/sa/worker' }), 'WARDEN_TOKEN_INVALID'],
    ['signed token without exp', () => new SignJWT({ iss: ISSUER, client_id: 'research-bot', aud: RESOURCE }).setProtectedHeader({ alg: 'ES256', kid: 'idp-1' }).setIssuedAt().sign(key.privateKey), 'WARDEN_TOKEN_INVALID'],
    ['valid token for an unknown client', () => signToken(key, { iss: ISSUER, client_id: 'stranger' }), 'WARDEN_UNKNOWN_AGENT'],
  ];
  for (const [name, make, code] of cases) {
    it(`${name} → ${code}`, async () => {
      const ctx = callContext(bearer(await make()));
      expect(await outcome(() => stage.onRequest!(ctx))).toBe(code);
      expect(ctx.agent).toBeUndefined();
    });
  }

  it('puts an RFC 6750 challenge with the resource metadata URL on 401s', async () => {
    const ctx = callContext(bearer(await signToken(key, { iss: ISSUER, client_id: 'research-bot' }, { iat: now() - 120, exp: now() - 60 })));
    const err = await Promise.resolve()
      .then(() => stage.onRequest!(ctx))
      .catch((e: unknown) => e as WardenError);
    expect(err).toBeInstanceOf(WardenError);
    expect(String((err as WardenError).data?.wwwAuthenticate)).toMatch(
      /^Bearer resource_metadata="https:\/\/gateway\.test\/\.well-known\/oauth-protected-resource\/mcp", error="invalid_token"/,
    );
  });

  it('denies a caller with no credential, with a bare challenge', async () => {
    const ctx = callContext();
    const err = await Promise.resolve()
      .then(() => stage.onRequest!(ctx))
      .catch((e: unknown) => e as WardenError);
    expect((err as WardenError).code).toBe('WARDEN_UNAUTHENTICATED');
    expect((err as WardenError).data?.wwwAuthenticate).toBe('Bearer resource_metadata="https://gateway.test/.well-known/oauth-protected-resource/mcp"');
  });

  it('denies a tool whose required scope the token lacks, naming the scope', async () => {
    const token = await signToken(key, { iss: ISSUER, client_id: 'research-bot', scope: 'docs.read' });
    const ctx = callContext(bearer(token), { tool: { name: 'docs__delete', upstreamName: 'delete', upstream: 'docs' } });
    const err = await Promise.resolve()
      .then(() => stage.onRequest!(ctx))
      .catch((e: unknown) => e as WardenError);
    expect((err as WardenError).code).toBe('WARDEN_INSUFFICIENT_SCOPE');
    expect((err as WardenError).message).toContain('docs.admin');
    expect(String((err as WardenError).data?.wwwAuthenticate)).toContain('error="insufficient_scope", scope="docs.admin"');
    // The manifest adds its own requirement for docs__write*.
    const ctx2 = callContext(bearer(token), { tool: { name: 'docs__write_page', upstreamName: 'write_page', upstream: 'docs' } });
    expect(await outcome(() => stage.onRequest!(ctx2))).toBe('WARDEN_INSUFFICIENT_SCOPE');
    const ok = callContext(bearer(await signToken(key, { iss: ISSUER, client_id: 'research-bot', scope: 'docs.write' })), {
      tool: { name: 'docs__write_page', upstreamName: 'write_page', upstream: 'docs' },
    });
    expect(await outcome(() => stage.onRequest!(ok))).toBe('ok');
  });

  it('a payload forged onto a cached token\'s signature never gains the forged claims', async () => {
    const genuine = await signToken(key, { iss: ISSUER, client_id: 'research-bot', scope: 'docs.read' });
    await stage.onRequest!(callContext(bearer(genuine)));
    const [h, p, sig] = genuine.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    // A different length is verified in full (and fails); the same length hits the cache and gets the genuine claims.
    for (const scope of ['docs.admin', 'docs.xxxx']) {
      const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, scope })).toString('base64url')}.${sig}`;
      const ctx = callContext(bearer(forged), { tool: { name: 'docs__delete', upstreamName: 'delete', upstream: 'docs' } });
      expect(await outcome(() => stage.onRequest!(ctx))).not.toBe('ok');
      expect(ctx.token?.scopes ?? []).not.toContain(scope);
    }
  });

  it('rejects a cached token once it passes the maximum age (re-checked per call)', async () => {
    const token = await signToken(key, { iss: ISSUER, client_id: 'research-bot' }, { iat: now() - 590, exp: now() + 3600 });
    expect(await outcome(() => stage.onRequest!(callContext(bearer(token))))).toBe('ok');
    const later = callContext({ ...bearer(token), time: Date.now() + 20_000 });
    expect(await outcome(() => stage.onRequest!(later))).toBe('WARDEN_TOKEN_STALE');
  });
});

describe('identity stage: callers without a token', () => {
  it('maps a loopback caller to the loopback agent only when configured, and never a remote one', async () => {
    const d = tempDir();
    const loop = identityStage({ config: identityConfig(d, { loopbackAgent: 'demo' }), agents, resource: RESOURCE });
    const local = callContext({ ip: '127.0.0.1' });
    await loop.onRequest!(local);
    expect(local.agent).toMatchObject({ id: 'demo', kind: 'dev' });
    expect(await outcome(() => loop.onRequest!(callContext({ ip: '10.0.0.9' })))).toBe('WARDEN_UNAUTHENTICATED');
  });

  it('maps to the anonymous agent only when allowAnonymous is on', async () => {
    const anon = identityStage({ config: identityConfig(tempDir(), { allowAnonymous: true }), agents, resource: RESOURCE });
    const ctx = callContext();
    await anon.onRequest!(ctx);
    expect(ctx.agent).toMatchObject({ id: 'anonymous', kind: 'anonymous' });
  });

  it('refuses dev tokens when the dev issuer is off', async () => {
    const d = tempDir();
    const off = identityStage({ config: identityConfig(d), agents, resource: RESOURCE });
    const token = await mintDevToken({ keyFile: `${d}/dev-issuer.jwk`, agent: 'demo', ttlS: 60, audience: RESOURCE });
    expect(await outcome(() => off.onRequest!(callContext(bearer(token))))).toBe('WARDEN_TOKEN_ISSUER');
  });
});
