import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decodeJwt, importJWK, jwtVerify } from 'jose';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadAgents, matchesAnyGlob } from '../../../src/identity/agents.ts';
import { DEV_ISSUER } from '../../../src/identity/dev-issuer.ts';
import { tempDir } from './helpers.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');

function agentsDir(files: Record<string, string>): string {
  const dir = join(tempDir('warden-agents-'), 'agents');
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function loadError(dir: string): string {
  try {
    loadAgents(dir);
    return 'loaded';
  } catch (err) {
    return `${(err as { code?: string }).code}: ${(err as Error).message}`;
  }
}

describe('agent manifests', () => {
  it('loads the shipped manifests and matches identities to them', () => {
    const registry = loadAgents(join(repoRoot, 'agents'));
    expect(registry.agents.map((a) => a.name)).toEqual(expect.arrayContaining(['demo', 'anonymous', 'research-bot', 'billing-worker']));
    expect(registry.match({ clientId: 'research-bot' })?.name).toBe('research-bot');
    expect(registry.match({ spiffeId: 'spiffe://prod.example.com/ns/billing/sa/worker' })?.name).toBe('billing-worker');
    expect(registry.match({ devName: 'demo' })?.name).toBe('demo');
    expect(registry.match({ clientId: 'nobody' })).toBeUndefined();
  });

  it('names the file and the path of a bad field', () => {
    const dir = agentsDir({ 'bad.yaml': 'name: bad\nowner: x\nidentity:\n  spiffeId: not-a-spiffe-id\n' });
    const message = loadError(dir);
    expect(message).toMatch(/^WARDEN_CONFIG_INVALID: agent manifest .*bad\.yaml is invalid/);
    expect(message).toContain('identity.spiffeId');
  });

  it('rejects unknown fields, bad rates and broken YAML, naming the file', () => {
    expect(loadError(agentsDir({ 'typo.yaml': 'name: t\nowner: x\ntoolz: ["*"]\n' }))).toMatch(/typo\.yaml is invalid/);
    expect(loadError(agentsDir({ 'rate.yaml': 'name: r\nowner: x\nlimits:\n  rate: fast\n' }))).toContain('limits.rate');
    expect(loadError(agentsDir({ 'broken.yaml': 'name: [\n' }))).toMatch(/broken\.yaml is not valid YAML/);
  });

  it('refuses two manifests claiming the same identity', () => {
    const dir = agentsDir({
      'a.yaml': 'name: a\nowner: x\nidentity:\n  clientId: shared\n',
      'b.yaml': 'name: b\nowner: x\nidentity:\n  clientId: shared\n',
    });
    expect(loadError(dir)).toContain('agents a and b both claim clientId shared');
  });

  it('matches tool globs', () => {
    expect(matchesAnyGlob(['files__read_*'], 'files__read_text')).toBe(true);
    expect(matchesAnyGlob(['files__read_*'], 'files__write_text')).toBe(false);
    expect(matchesAnyGlob(['*echo'], 'demo__echo')).toBe(true);
    expect(matchesAnyGlob([], 'echo')).toBe(false);
  });
});

describe('warden token', () => {
  it('prints a dev token for a known agent, signed with the key file the gateway reads', async () => {
    const dir = tempDir('warden-token-');
    const keyFile = join(dir, 'dev-issuer.jwk');
    const config = join(dir, 'warden.yaml');
    writeFileSync(
      config,
      `upstreams: [{name: demo, url: "http://127.0.0.1:9/mcp"}]\nagentsDir: ${JSON.stringify(join(repoRoot, 'agents'))}\nserver: {port: 8123}\nidentity: {devIssuerKeyFile: ${JSON.stringify(keyFile)}}\n`,
    );
    const out = execFileSync(process.execPath, [join(repoRoot, 'bin/warden.mjs'), 'token', '--agent', 'demo', '--user', 'alice', '--ttl', '10m', '-c', config], { encoding: 'utf8' }).trim();
    const claims = decodeJwt(out);
    expect(claims).toMatchObject({ iss: DEV_ISSUER, sub: 'alice', client_id: 'demo', aud: 'http://127.0.0.1:8123', act: { sub: 'demo' } });
    expect(claims.exp! - claims.iat!).toBe(600);
    const jwk = JSON.parse(readFileSync(keyFile, 'utf8')) as Record<string, string>;
    const { d: _private, ...publicJwk } = jwk;
    await expect(jwtVerify(out, await importJWK(publicJwk, 'ES256'))).resolves.toBeTruthy();
  });

  it('refuses an agent with no manifest', () => {
    const run = () => execFileSync(process.execPath, [join(repoRoot, 'bin/warden.mjs'), 'token', '--agent', 'ghost', '--audience', 'http://x'], { encoding: 'utf8', cwd: repoRoot, stdio: 'pipe' });
    expect(run).toThrow(/WARDEN_UNKNOWN_AGENT/);
  });
});
