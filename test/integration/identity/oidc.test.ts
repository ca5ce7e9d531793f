import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentManifestSchema, createAgentRegistry } from '../../../src/identity/agents.ts';
import { identityStage } from '../../../src/stages/identity/index.ts';
import type { Stage } from '../../../src/pipeline/types.ts';
import { callContext, identityConfig, outcome, tempDir } from '../../unit/identity/helpers.ts';
import { clientCredentialsToken, delegatedToken, startProvider, type TestProvider } from '../../../examples/task-scope/provider.ts';

const RESOURCE = 'http://127.0.0.1:9/mcp';
const bot = { clientId: 'research-bot', clientSecret: 'bot-secret' };
const stranger = { clientId: 'stranger', clientSecret: 'stranger-secret' };
let provider: TestProvider;
let stage: Stage;

beforeAll(async () => {
  provider = await startProvider(RESOURCE, [bot, stranger]);
  const agents = createAgentRegistry([agentManifestSchema.parse({ name: 'research-bot', identity: { clientId: 'research-bot' }, owner: 'r@x', tools: ['*'] })]);
  const config = identityConfig(tempDir(), { issuers: [{ issuer: provider.issuer, jwksUrl: provider.jwksUrl }] });
  stage = identityStage({ config, agents, resource: RESOURCE });
});
afterAll(() => provider.close());

const bearer = (t: string) => callContext({ headers: { authorization: `Bearer ${t}` }, resource: RESOURCE });

describe('identity against a real oidc-provider (JWKS by URL)', () => {
  it('accepts a client-credentials JWT access token audienced to the gateway; the agent has no user', async () => {
    const token = await clientCredentialsToken(provider, bot, RESOURCE);
    const ctx = bearer(token);
    await stage.onRequest!(ctx);
    expect(ctx.agent).toMatchObject({ id: 'research-bot', kind: 'oidc', clientId: 'research-bot' });
    expect(ctx.user).toBeUndefined();
    expect(ctx.token?.scopes).toEqual(['tools.read']);
    expect(ctx.token?.issuer).toBe(provider.issuer);
  });

  it('binds agent and user from a token-exchange token (act = agent, sub = user)', async () => {
    const assertion = await new SignJWT({ sub: 'alice@example.com' })
      .setProtectedHeader({ alg: 'ES256' })
      .setAudience(provider.issuer)
      .setIssuedAt()
      .setExpirationTime('2m')
      .sign(provider.userAssertionKey);
    const ctx = bearer(await delegatedToken(provider, bot, assertion, RESOURCE));
    await stage.onRequest!(ctx);
    expect(ctx.agent?.id).toBe('research-bot');
    expect(ctx.user).toEqual({ sub: 'alice@example.com', issuer: provider.issuer });
  });

  it('denies a token the provider issued for another resource', async () => {
    const token = await clientCredentialsToken(provider, bot, 'http://127.0.0.1:9/other');
    expect(await outcome(() => stage.onRequest!(bearer(token)))).toBe('WARDEN_TOKEN_AUDIENCE');
  });

  it('denies a valid token whose client has no agent manifest', async () => {
    const token = await clientCredentialsToken(provider, stranger, RESOURCE);
    expect(await outcome(() => stage.onRequest!(bearer(token)))).toBe('WARDEN_UNKNOWN_AGENT');
  });
});
