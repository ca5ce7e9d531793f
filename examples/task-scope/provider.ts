/**
 * A real oidc-provider on 127.0.0.1 (used by the example and the identity integration tests): a client-credentials
 * client, resource indicators issuing JWT access tokens for the gateway's resource,
 * and an RFC 8693 token-exchange grant (registered with registerGrantType) that turns
 * a user's assertion into a token where `sub` is the user and `act.sub` the agent.
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import Provider from 'oidc-provider';

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

export interface TestProvider {
  issuer: string;
  jwksUrl: string;
  tokenUrl: string;
  /** Key that signs user assertions accepted as subject tokens in the token exchange. */
  userAssertionKey: KeyObject;
  close(): Promise<void>;
}

export interface ProviderClient {
  clientId: string;
  clientSecret: string;
}

export async function startProvider(resource: string, clients: ProviderClient[], scopes = 'tools.read tools.write'): Promise<TestProvider> {
  const server: Server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const signing = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const userKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  const resourceServer = {
    scope: scopes,
    audience: resource,
    accessTokenTTL: 300,
    accessTokenFormat: 'jwt' as const,
    jwt: { sign: { alg: 'ES256' as const } },
  };

  const provider = new Provider(issuer, {
    clients: clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      grant_types: ['client_credentials', TOKEN_EXCHANGE],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
      scope: scopes,
    })),
    scopes: ['openid', ...scopes.split(' ')],
    ttl: { AccessToken: 300, ClientCredentials: 300 },
    jwks: { keys: [{ ...signing, kid: 'provider-1', alg: 'ES256', use: 'sig' }] as never },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => ({ ...resourceServer, audience: indicator }),
      },
    },
    // Delegated tokens say who acts (RFC 8693 act): the client, for the user in sub.
    extraTokenClaims: (_ctx, token) => ((token as { gty?: string }).gty === 'token-exchange' ? { act: { sub: (token as { clientId?: string }).clientId } } : undefined),
  });

  provider.registerGrantType(
    TOKEN_EXCHANGE,
    async (ctx) => {
      const params = ctx.oidc.params as Record<string, string | undefined>;
      const client = ctx.oidc.client!;
      let user: string;
      try {
        const { payload } = await jwtVerify(params.subject_token ?? '', userKeys.publicKey, { audience: issuer, algorithms: ['ES256'] });
        user = String(payload.sub);
      } catch {
        ctx.status = 400;
        ctx.body = { error: 'invalid_grant', error_description: 'subject_token is not a valid user assertion' };
        return;
      }
      const token = new provider.AccessToken({ accountId: user, client, grantId: randomUUID(), gty: 'token-exchange', scope: params.scope ?? 'tools.read' });
      token.resourceServer = new provider.ResourceServer(resource, resourceServer);
      const value = await token.save();
      ctx.body = { access_token: value, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', expires_in: token.expiration };
    },
    ['subject_token', 'subject_token_type', 'actor_token', 'actor_token_type', 'audience', 'resource', 'scope', 'requested_token_type'],
  );

  server.on('request', provider.callback());
  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    tokenUrl: `${issuer}/token`,
    userAssertionKey: userKeys.privateKey,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** Client credentials grant → the JWT access token. */
export async function clientCredentialsToken(p: TestProvider, c: ProviderClient, resource: string, scope = 'tools.read'): Promise<string> {
  return tokenRequest(p, c, { grant_type: 'client_credentials', resource, scope });
}

/** Token exchange: a user's assertion → a token for the agent acting for that user. */
export async function delegatedToken(p: TestProvider, c: ProviderClient, userAssertion: string, resource: string): Promise<string> {
  return tokenRequest(p, c, {
    grant_type: TOKEN_EXCHANGE,
    subject_token: userAssertion,
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    resource,
  });
}

async function tokenRequest(p: TestProvider, c: ProviderClient, form: Record<string, string>): Promise<string> {
  const res = await fetch(p.tokenUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams(form),
  });
  const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
  if (!res.ok || !body.access_token) throw new Error(`token request failed: ${res.status} ${body.error} ${body.error_description}`);
  return body.access_token;
}
