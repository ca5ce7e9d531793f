import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, SignJWT } from 'jose';
import { upstreamConfigSchema } from '../../../src/config/server.ts';
import { clearUpstreamTokenCache, upstreamAuthHeaders } from '../../../src/identity/upstream-auth.ts';
import { outcome } from '../../unit/identity/helpers.ts';
import { startProvider, type TestProvider } from '../../../examples/task-scope/provider.ts';

const UPSTREAM_AUDIENCE = 'http://127.0.0.1:9/upstream';
const warden = { clientId: 'warden-gateway', clientSecret: 'gw-secret' };
let provider: TestProvider;

beforeAll(async () => {
  provider = await startProvider(UPSTREAM_AUDIENCE, [warden]);
});
afterAll(() => provider.close());

const upstream = (auth: Record<string, unknown>) => upstreamConfigSchema.parse({ name: 'files', url: 'http://127.0.0.1:9/mcp', auth });

describe('upstream credentials (no token passthrough)', () => {
  it('sends nothing for auth: none', async () => {
    expect(await upstreamAuthHeaders(upstream({ type: 'none' }))).toEqual({});
  });

  it("gets warden's own client-credentials token for the upstream's audience and reuses it", async () => {
    clearUpstreamTokenCache();
    const cfg = upstream({ type: 'client_credentials', tokenUrl: provider.tokenUrl, clientId: warden.clientId, clientSecret: warden.clientSecret, scope: 'tools.read', audience: UPSTREAM_AUDIENCE });
    const first = await upstreamAuthHeaders(cfg);
    const token = first.authorization!.replace(/^Bearer /, '');
    expect(decodeJwt(token)).toMatchObject({ client_id: 'warden-gateway', aud: UPSTREAM_AUDIENCE, scope: 'tools.read' });
    expect(await upstreamAuthHeaders(cfg)).toEqual(first); // cached: the same token, no second request
  });

  it('fails with WARDEN_UPSTREAM_UNAVAILABLE when the authorization server refuses', async () => {
    clearUpstreamTokenCache();
    const cfg = upstream({ type: 'client_credentials', tokenUrl: provider.tokenUrl, clientId: warden.clientId, clientSecret: 'wrong' });
    expect(await outcome(() => upstreamAuthHeaders(cfg))).toBe('WARDEN_UPSTREAM_UNAVAILABLE');
  });

  it("exchanges the caller's token for one audienced to the upstream, never passing it through", async () => {
    const cfg = upstream({ type: 'token_exchange', tokenUrl: provider.tokenUrl, clientId: warden.clientId, clientSecret: warden.clientSecret, audience: UPSTREAM_AUDIENCE });
    expect(await outcome(() => upstreamAuthHeaders(cfg))).toBe('WARDEN_UPSTREAM_UNAVAILABLE');
    const caller = await new SignJWT({ sub: 'alice@example.com' }).setProtectedHeader({ alg: 'ES256' }).setAudience(provider.issuer).setIssuedAt().setExpirationTime('2m').sign(provider.userAssertionKey);
    const headers = await upstreamAuthHeaders(cfg, { subjectToken: caller });
    const token = headers.authorization!.replace(/^Bearer /, '');
    expect(token).not.toBe(caller);
    expect(decodeJwt(token)).toMatchObject({ sub: 'alice@example.com', aud: UPSTREAM_AUDIENCE, act: { sub: 'warden-gateway' } });
  });
});
