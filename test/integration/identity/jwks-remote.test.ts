import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentManifestSchema, createAgentRegistry } from '../../../src/identity/agents.ts';
import { identityStage } from '../../../src/stages/identity/index.ts';
import type { Stage } from '../../../src/pipeline/types.ts';
import { callContext, identityConfig, newKey, outcome, signToken, tempDir, type TestKey } from '../../unit/identity/helpers.ts';

// A JWKS endpoint whose key list the test changes (key rotation), counting fetches.
let server: Server;
let base: string;
let served: TestKey[] = [];
let fetches = 0;
const agents = createAgentRegistry([agentManifestSchema.parse({ name: 'bot', identity: { clientId: 'bot' }, owner: 'o@x' })]);

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/redirect') {
      res.writeHead(302, { location: 'http://127.0.0.2:1/jwks' }).end();
      return;
    }
    fetches++;
    void Promise.all(served.map(async (k) => ({ ...(await exportJWK(k.publicKey)), kid: k.kid, alg: 'ES256' }))).then((keys) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const call = (token: string) => callContext({ headers: { authorization: `Bearer ${token}` } });
async function tryKey(stage: Stage, key: TestKey): Promise<string> {
  const token = await signToken(key, { iss: base, client_id: 'bot' });
  return outcome(() => stage.onRequest!(call(token)));
}

describe('JWKS by URL', () => {
  it('refetches on an unknown kid (key rotation) and still rejects kids the issuer never published', async () => {
    const a = newKey('a');
    const b = newKey('b');
    served = [a];
    const stage = identityStage({ config: identityConfig(tempDir(), { issuers: [{ issuer: base, jwksUrl: `${base}/jwks` }], jwksCooldownS: 0 }), agents });
    expect(await tryKey(stage, a)).toBe('ok');
    const before = fetches;
    served = [a, b];
    expect(await tryKey(stage, b)).toBe('ok');
    expect(fetches).toBeGreaterThan(before);
    expect(await tryKey(stage, newKey('c'))).toBe('WARDEN_TOKEN_INVALID');
  });

  it('does not refetch within the cooldown, so unknown kids cannot hammer the issuer', async () => {
    const a = newKey('a2');
    served = [a];
    const stage = identityStage({ config: identityConfig(tempDir(), { issuers: [{ issuer: base, jwksUrl: `${base}/jwks` }], jwksCooldownS: 300 }), agents });
    expect(await tryKey(stage, a)).toBe('ok');
    const after = fetches;
    for (let i = 0; i < 5; i++) {
      expect(await tryKey(stage, newKey(`x${i}`))).toBe('WARDEN_TOKEN_INVALID');
    }
    expect(fetches).toBe(after);
  });

  it('refuses JWKS URLs on hosts that are not allowed, at startup', async () => {
    const code = await outcome(() => identityStage({ config: identityConfig(tempDir(), { issuers: [{ issuer: 'https://idp.test', jwksUrl: 'https://attacker.test/jwks' }] }), agents }));
    expect(code).toBe('WARDEN_CONFIG_INVALID');
  });

  it('fails closed when the JWKS endpoint redirects', async () => {
    const stage = identityStage({ config: identityConfig(tempDir(), { issuers: [{ issuer: base, jwksUrl: `${base}/redirect` }] }), agents });
    expect(await tryKey(stage, newKey('r'))).toBe('WARDEN_TOKEN_INVALID');
  });
});
