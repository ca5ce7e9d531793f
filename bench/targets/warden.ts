/**
 * warden with its full pipeline for the benchmark: JWT identity (through the
 * verified-token cache), the default Rego policy in Wasm, limits, PII scrubbing
 * both ways, and the audit log written to files.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { stringify } from 'yaml';
import { target, waitForMcp, type RunningTarget } from './spawn.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts warden; `nodeArgs` go to its node process (e.g. --cpu-prof). */
export async function startWarden(upstreamUrl: string, nodeArgs: string[] = [], without: readonly string[] = []): Promise<RunningTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-bench-'));
  const port = await freePort();
  const issuer = 'https://bench-idp.local';
  const audience = `http://127.0.0.1:${port}`;
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench-1', alg: 'ES256', use: 'sig' };
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [jwk] }));
  const token = await new SignJWT({ client_id: 'bench-agent', scope: 'tools:call' })
    .setProtectedHeader({ alg: 'ES256', kid: 'bench-1', typ: 'at+jwt' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject('bench-agent')
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(privateKey);

  const agentsDir = join(dir, 'agents');
  mkdirSync(agentsDir);
  writeFileSync(
    join(agentsDir, 'bench-agent.yaml'),
    stringify({ name: 'bench-agent', identity: { clientId: 'bench-agent' }, owner: 'bench', upstreams: ['*'], tools: ['*'] }),
  );
  const config = {
    server: { host: '127.0.0.1', port, publicUrl: audience },
    upstreams: [{ name: 'bench', url: upstreamUrl }],
    identity: { issuers: [{ issuer, jwksFile: join(dir, 'jwks.json'), audience }], maxTokenAgeS: 7200 },
    agentsDir,
    policy: { dir: 'rego', hotReload: false },
    limits: { perAgent: { limit: 1_000_000, per: '1s' } },
    pii: { enabled: !without.includes('pii') },
    audit: { dir: join(dir, 'audit'), enabled: !without.includes('audit') },
    log: { level: 'warn', pretty: false },
  };
  const configFile = join(dir, 'warden.yaml');
  writeFileSync(configFile, stringify(config));
  const proc = spawn(process.execPath, [...nodeArgs, 'bin/warden.mjs', 'serve', '--config', configFile], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const url = `http://127.0.0.1:${port}/mcp`;
  const headers = { authorization: `Bearer ${token}` };
  await waitForMcp(url, headers);
  return target('warden', url, proc, headers);
}
