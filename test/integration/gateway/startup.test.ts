/** warden starts with every stage or not at all; with port 0 every part knows the real URL. */
import { execFile } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WardenError } from '../../../src/errors.ts';
import { startWarden } from '../../../src/gateway/start.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { connect, gatewayConfig, startRecordingUpstream, startTestWarden, tempDir, textOf, writeAgents, type RecordingUpstream } from './helpers.ts';

let upstream: RecordingUpstream;
beforeAll(async () => {
  upstream = await startRecordingUpstream();
});
afterAll(() => upstream.close());

async function startFailure(config: Parameters<typeof startWarden>[0]): Promise<WardenError> {
  const err = await startWarden(config, { logger: silentLogger }).then(
    async (w) => {
      await w.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WardenError);
  return err as WardenError;
}

describe('fail closed at start-up', () => {
  it('refuses to start when the policy does not compile, naming the stage', async () => {
    const dir = tempDir();
    const rego = join(dir, 'rego');
    mkdirSync(rego);
    writeFileSync(join(rego, 'broken.rego'), 'package warden\n\ndecision := {"allow": true if {\n');
    const err = await startFailure(gatewayConfig(dir, [{ name: 'up', url: upstream.url }], { policy: { dir: rego, hotReload: false } }));
    expect(err.code).toBe('WARDEN_CONFIG_INVALID');
    expect(err.message).toMatch(/policy stage/);
  });

  it('refuses to start when the audit signing key is unusable', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.pem'), 'not a key\n');
    const err = await startFailure(gatewayConfig(dir, [{ name: 'up', url: upstream.url }], { audit: { signingKeyFile: join(dir, 'bad.pem') } }));
    expect(err.code).toBe('WARDEN_CONFIG_INVALID');
    expect(err.message).toMatch(/audit stage/);
  });

  it('refuses to start when an agent manifest is invalid', async () => {
    const dir = tempDir();
    const config = gatewayConfig(dir, [{ name: 'up', url: upstream.url }]);
    writeFileSync(join(config.agentsDir, 'bad.yaml'), 'name: bad\nowner: x\ncolour: blue\n');
    const err = await startFailure(config);
    expect(err.code).toBe('WARDEN_CONFIG_INVALID');
    expect(err.message).toMatch(/identity stage/);
  });
});

describe('warden serve', () => {
  it('exits non-zero with a coded message naming the stage that cannot start', async () => {
    const dir = tempDir();
    const rego = join(dir, 'rego');
    mkdirSync(rego);
    writeFileSync(join(rego, 'broken.rego'), 'package warden\n\ndecision := {"allow": true if {\n');
    const file = join(dir, 'warden.yaml');
    writeFileSync(file, `server: {port: 0}\nupstreams: [{name: up, url: '${upstream.url}'}]\nagentsDir: '${writeAgents(dir)}'\npolicy: {dir: '${rego}'}\naudit: {dir: '${join(dir, 'audit')}'}\n`);
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const run = await promisify(execFile)(process.execPath, [join(root, 'bin/warden.mjs'), 'serve', '--config', file], { cwd: dir, timeout: 60_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error WARDEN_CONFIG_INVALID: cannot start the policy stage: /m);
  });
});

describe('port 0', () => {
  it('runs every stage and audiences tokens and metadata to the real port', async () => {
    const w = await startTestWarden(gatewayConfig(tempDir(), [{ name: 'up', url: upstream.url }]));
    try {
      expect(w.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      expect(w.url).not.toMatch(/:0\/mcp$/);
      expect(w.gateway.resource()).toBe(w.url);
      expect(w.standard.stages.map((s) => s.name).sort()).toEqual(['audit', 'identity', 'pii', 'policy', 'rate-limit', 'task-scope']);
      const meta = (await (await fetch(new URL('/.well-known/oauth-protected-resource/mcp', w.url))).json()) as { resource: string };
      expect(meta.resource).toBe(w.url);
      // A token audienced to the real URL is accepted by the identity stage.
      const client = await connect(w.url, { authorization: `Bearer ${await w.token('writer')}` });
      expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'hi' } }))).toBe('hi');
      await client.close();
      // A task token from warden's token endpoint is issued for, and accepted at, the real URL.
      const exchanged = await fetch(new URL('/oauth/token', w.url), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          subject_token: await w.token('writer'),
          subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
          authorization_details: JSON.stringify([{ type: 'agent_task', tools: [{ name: 'echo' }] }]),
        }),
      });
      const task = ((await exchanged.json()) as { access_token: string }).access_token;
      const tasked = await connect(w.url, { authorization: `Bearer ${await w.token('writer')}`, 'x-warden-task': task });
      expect(textOf(await tasked.callTool({ name: 'echo', arguments: { text: 'in task' } }))).toBe('in task');
      await expect(tasked.callTool({ name: 'contact', arguments: {} })).rejects.toThrow(/WARDEN_TASK_SCOPE/);
      await tasked.close();
      // One audienced to the configured :0 URL is not.
      const wrong = await fetch(w.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${await tokenFor(w.config.identity.devIssuerKeyFile, w.url.replace(/:\d+\//, ':0/'))}` },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
      });
      expect(wrong.status).toBe(401);
    } finally {
      await w.close();
    }
  });
});

async function tokenFor(keyFile: string, audience: string): Promise<string> {
  const { mintDevToken } = await import('../../../src/identity/dev-issuer.ts');
  return mintDevToken({ keyFile, agent: 'writer', ttlS: 60, audience });
}
