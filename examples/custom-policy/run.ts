/**
 * A custom Rego policy from test to gateway, checking its own output:
 *
 *   1. `warden rego test` runs the policy's own tests (policy/acme_test.rego)
 *   2. `warden rego build … -o bundle.tar.gz` compiles policy + data.json into an OPA bundle
 *   3. warden starts in front of the demo MCP server with `policy.bundle` pointing at the bundle
 *      and `policy.entrypoint: acme/gateway/decision`
 *   4. alice (an admin) calls echo: allowed; bob (not an admin) calls delete_records: denied with
 *      the policy's reason; an over-long echo argument: denied by the per-tool argument limit
 *
 * Run from the repository root:  npx tsx examples/custom-policy/run.ts   (exits non-zero on a failed check)
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { parseConfig } from '../../src/config/load.ts';
import { startDemoServer } from '../../src/demo/server.ts';
import { createGateway, type Gateway } from '../../src/gateway/gateway.ts';
import { buildStandardStages } from '../../src/gateway/stages.ts';
import { mintDevToken } from '../../src/identity/dev-issuer.ts';
import { createLogger } from '../../src/observability/logger.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, '../..');
const policyDir = join(here, 'policy');
const work = mkdtempSync(join(tmpdir(), 'warden-custom-policy-'));
const bundle = join(work, 'bundle.tar.gz');
const keyFile = join(work, 'dev.jwk');

let failures = 0;
function check(ok: boolean, what: string, detail = ''): void {
  if (!ok) failures++;
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? `: ${detail}` : ''}\n`);
}

/** Runs `warden <args>` (bin/warden.mjs, as `npx warden` does) and returns its exit code and output. */
async function warden(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(root, 'bin/warden.mjs'), ...args], { cwd: root, timeout: 120_000 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string; message: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` || e.message };
  }
}

/** One tool call through warden as a dev-token agent acting for `user`: the result, or the denial's code and reason. */
async function callAs(url: string, token: string, name: string, args: Record<string, unknown>): Promise<{ allowed: boolean; text: string; code?: string }> {
  const client = new Client({ name: 'custom-policy-example', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  try {
    const result = (await client.callTool({ name, arguments: args })) as { content?: { text?: string }[] };
    return { allowed: true, text: result.content?.[0]?.text ?? '' };
  } catch (err) {
    const data = err instanceof McpError ? (err.data as { code?: string } | undefined) : undefined;
    return { allowed: false, text: (err as Error).message, ...(data?.code ? { code: data.code } : {}) };
  } finally {
    await client.close();
  }
}

const cleanup: (() => Promise<unknown>)[] = [];
try {
  // 1. the policy's own tests
  const tested = await warden(['rego', 'test', policyDir]);
  check(tested.code === 0 && /PASS: (\d+)\/\1/.test(tested.out), 'warden rego test: every policy test passes', tested.out.trim().split('\n').at(-1));

  // 2. the bundle
  const built = await warden(['rego', 'build', policyDir, '-e', 'acme/gateway/decision', '-o', bundle]);
  check(built.code === 0 && existsSync(bundle), 'warden rego build: bundle.tar.gz written', built.out.trim());

  // 3. warden with policy.bundle
  const demo = await startDemoServer();
  cleanup.push(() => demo.close());
  const config = parseConfig({
    server: { port: 0 },
    upstreams: [{ name: 'demo', url: demo.url }],
    agentsDir: join(root, 'agents'),
    policy: { bundle, entrypoint: 'acme/gateway/decision', hotReload: false },
    identity: { devIssuer: true, devIssuerKeyFile: keyFile },
    audit: { enabled: false },
    log: { level: 'warn' },
  });
  const logger = createLogger({ level: 'warn', pretty: false });
  let gateway: Gateway | undefined;
  const standard = await buildStandardStages(config, { logger, resource: () => gateway?.resource() ?? 'http://127.0.0.1:0/mcp' });
  gateway = createGateway({ config, stages: standard.stages, routes: standard.routes, toolVisibility: standard.toolVisibility, logger });
  const started = gateway;
  cleanup.push(() => started.close());
  const { url } = await gateway.listen();
  process.stdout.write(`warden at ${url} with policy bundle ${bundle} (entrypoint acme/gateway/decision)\n`);
  const tokenFor = (user: string): Promise<string> => mintDevToken({ keyFile, agent: 'demo', user, ttlS: 300, audience: started.resource() });

  // 4. one allowed call, two denied ones with the policy's reasons
  const alice = await tokenFor('alice@example.com');
  const bob = await tokenFor('bob@example.com');
  const echo = await callAs(url, alice, 'echo', { text: 'hello from alice' });
  check(echo.allowed && echo.text === 'hello from alice', 'alice calls echo: allowed', echo.text);
  const del = await callAs(url, bob, 'delete_records', { table: 'customers' });
  check(
    !del.allowed && del.code === 'WARDEN_POLICY_DENIED' && del.text.includes('delete_records is for admins only and bob@example.com is not in the admins list'),
    'bob calls delete_records: denied with the policy reason',
    del.text,
  );
  const long = await callAs(url, bob, 'echo', { text: 'x'.repeat(250) });
  check(
    !long.allowed && long.code === 'WARDEN_POLICY_DENIED' && long.text.includes('argument text of echo is 250 characters long, the limit is 200'),
    'an over-long echo argument: denied by the argument limit from data.json',
    long.text,
  );
} catch (err) {
  failures++;
  process.stdout.write(`FAIL the example stopped: ${(err as Error).stack ?? String(err)}\n`);
} finally {
  while (cleanup.length) await cleanup.pop()!().catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
}
process.stdout.write(failures ? `${failures} check(s) failed\n` : 'all checks passed\n');
process.exit(failures ? 1 : 0);
