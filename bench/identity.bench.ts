/**
 * Micro-benchmark of the identity and task-scope stages: µs per call.
 * Budget: verified-token cache hit ≤ 3 µs. Run: npx tsx bench/identity.bench.ts
 * (also part of `npm run bench` through benchIdentity()).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { MicroResult } from './micro.ts';
import { exportJWK, SignJWT } from 'jose';
import { agentManifestSchema, createAgentRegistry } from '../src/identity/agents.ts';
import { Authenticator } from '../src/identity/authenticate.ts';
import { identityConfigSchema } from '../src/identity/config.ts';
import { TaskTokens } from '../src/identity/task-token.ts';
import type { CallContext } from '../src/pipeline/types.ts';
import { identityStage } from '../src/stages/identity/index.ts';
import { taskScopeStage } from '../src/stages/task-scope/index.ts';

/** Measures the identity budgets; the cache hit carries the 3 µs budget. */
export async function benchIdentity(): Promise<MicroResult[]> {
  const RESOURCE = 'http://127.0.0.1:8080/mcp';
  const ISSUER = 'https://idp.bench';
  const dir = mkdtempSync(join(tmpdir(), 'warden-identity-bench-'));
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] }));
  const config = identityConfigSchema.parse({
    issuers: [{ issuer: ISSUER, jwksFile: join(dir, 'jwks.json') }],
    devIssuerKeyFile: join(dir, 'dev.jwk'),
    task: { issuerKeyFile: join(dir, 'task.jwk') },
  });
  const agents = createAgentRegistry([agentManifestSchema.parse({ name: 'bench-agent', identity: { clientId: 'bench-agent' }, owner: 'b', tools: ['*'] })]);
  const authenticator = new Authenticator({ config, agents });
  const taskTokens = new TaskTokens(config);
  const identity = identityStage({ config, agents, authenticator });
  const taskScope = taskScopeStage({ config, taskTokens });

  const sign = (claims: Record<string, unknown>) =>
    new SignJWT({ client_id: 'bench-agent', scope: 'tools.read', ...claims }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer(ISSUER).setAudience(RESOURCE).setIssuedAt().setExpirationTime('2h').sign(privateKey);
  const token = await sign({});
  const task = await taskTokens.issue(
    { agentId: 'bench-agent', taskId: 't-bench', tools: [{ name: 'echo', constraints: { text: { maxLength: 100 } } }, { name: 'read_file', constraints: { path: { prefix: '/tmp/' } } }], expiresAt: Math.floor(Date.now() / 1000) + 3600 },
    RESOURCE,
  );
  const headers = { authorization: `Bearer ${token}`, 'x-warden-task': task };
  const tool = { name: 'echo', upstreamName: 'echo', upstream: 'demo' };
  const args = { text: 'hello' };

  // Each request brings its own header strings (as the HTTP parser makes them): no hash cached on them.
  const fresh = (s: string) => Buffer.from(s, 'latin1').toString('latin1');
  function ctx(): CallContext {
    return {
      decision: { id: 'x', stages: [], allow: false },
      request: { protocol: 'mcp', method: 'tools/call', transport: 'streamable-http', ip: '10.0.0.1', time: Date.now(), headers: { authorization: fresh(headers.authorization), 'x-warden-task': fresh(headers['x-warden-task']) }, resource: RESOURCE },
      tool,
      arguments: args,
      facts: {},
    };
  }

  function usPerCall(fn: () => unknown, iterations = 100_000): number {
    for (let i = 0; i < iterations; i++) fn();
    const samples: number[] = [];
    for (let b = 0; b < 7; b++) {
      const t0 = performance.now();
      for (let i = 0; i < iterations; i++) fn();
      samples.push(((performance.now() - t0) * 1000) / iterations);
    }
    samples.sort((a, b) => a - b);
    return samples[3]!;
  }

  await identity.onRequest!(ctx()); // fill the caches
  const warm = ctx();
  await identity.onRequest!(warm);
  await taskScope.onRequest!(warm);
  const contexts = Array.from({ length: 1024 }, ctx);
  let n = 0;
  const results: Array<[string, number, number | undefined]> = [];
  results.push(['identity: token cache hit (fresh context)', usPerCall(() => {
    const c = contexts[n++ & 1023]!;
    c.agent = undefined;
    if (identity.onRequest!(c) !== undefined) throw new Error('cache hit went async');
  }), 3]);
  results.push(['identity: per-call pass (agent already set)', usPerCall(() => identity.onRequest!(warm)), undefined]);
  results.push(['task-scope: task token cache hit + tool + constraints', usPerCall(() => {
    const c = contexts[n++ & 1023]!;
    c.agent = warm.agent;
    if (taskScope.onRequest!(c) !== undefined) throw new Error('task hit went async');
  }), undefined]);
  const unseen = await Promise.all(Array.from({ length: 300 }, (_, i) => sign({ jti: String(i) })));
  const t0 = performance.now();
  for (const t of unseen) await authenticator.verifyToken(t, RESOURCE, Math.floor(Date.now() / 1000));
  results.push(['identity: cache miss (ES256 verify with jose)', ((performance.now() - t0) * 1000) / unseen.length, undefined]);

  return results.map(([name, us, budget]) => ({ name, unit: 'µs', budget: budget ?? Number.POSITIVE_INFINITY, measured: us }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await benchIdentity();
  let failed = false;
  for (const { name, measured: us, budget } of rows) {
    const has = Number.isFinite(budget);
    const over = has && us > budget;
    failed ||= over;
    process.stdout.write(`${name.padEnd(56)} ${us.toFixed(3).padStart(9)} µs${has ? `   (budget ${budget} µs${over ? ', OVER' : ''})` : ''}\n`);
  }
  process.exit(failed ? 1 : 0);
}
