/**
 * Record an agent's session through warden, then replay it with the real upstream gone,
 * checking its own output:
 *
 *   1. the built-in demo MCP server, a recording proxy in front of it (`withCassette`, record
 *      mode) and warden in front of that (the standard stages, dev tokens)
 *   2. an agent (the real MCP SDK client, with a bearer token) lists tools, echoes, looks up a
 *      customer (PII scrubbed by warden) and tries `delete_records` (denied by the policy)
 *   3. the demo server is stopped; warden now sits in front of the cassette (replay mode)
 *   4. the same agent session gives identical results
 *   5. the cassette holds no token and no Authorization header, and the denied call is not in it
 *      (it never reached the upstream); `checkCassette` finds every exchange matching
 *
 * Run from the repository root:  npx tsx examples/replay/run.ts   (exits non-zero on a failed check)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { parseConfig } from '../../src/config/load.ts';
import { startDemoServer } from '../../src/demo/server.ts';
import { createGateway, type Gateway } from '../../src/gateway/gateway.ts';
import { buildStandardStages } from '../../src/gateway/stages.ts';
import { mintDevToken } from '../../src/identity/dev-issuer.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { Cassette } from '../../src/replay/cassette.ts';
import { checkCassette } from '../../src/replay/check.ts';
import { withCassette } from '../../src/replay/testing.ts';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const work = mkdtempSync(join(tmpdir(), 'warden-replay-example-'));
const cassetteFile = join(work, 'cassettes', 'demo-session.jsonl');
const keyFile = join(work, 'dev.jwk');
const logger = createLogger({ level: 'warn', pretty: false });

let failures = 0;
function check(ok: boolean, what: string, detail = ''): void {
  if (!ok) failures++;
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? `: ${detail}` : ''}\n`);
}

/** warden in front of one upstream URL, as in examples/quick-start. */
async function startGateway(upstreamUrl: string): Promise<{ gateway: Gateway; url: string }> {
  const config = parseConfig({
    server: { port: 0 },
    upstreams: [{ name: 'demo', url: upstreamUrl }],
    agentsDir: join(root, 'agents'),
    policy: { dir: join(root, 'rego'), hotReload: false },
    identity: { devIssuer: true, devIssuerKeyFile: keyFile },
    audit: { dir: join(work, 'audit') },
    log: { level: 'warn' },
  });
  let gateway: Gateway | undefined;
  const standard = await buildStandardStages(config, { logger, resource: () => gateway?.resource() ?? 'http://127.0.0.1:0/mcp' });
  gateway = createGateway({ config, stages: standard.stages, routes: standard.routes, toolVisibility: standard.toolVisibility, logger });
  const { url } = await gateway.listen();
  return { gateway, url };
}

/** One agent session through warden; every answer as a line of JSON (errors without their per-call decision id). */
async function agentSession(url: string, token: string): Promise<string[]> {
  const client = new Client({ name: 'replay-example-agent', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  const transcript: string[] = [];
  const step = async (name: string, call: () => Promise<unknown>): Promise<void> => {
    try {
      transcript.push(`${name} → ${JSON.stringify(await call())}`);
    } catch (err) {
      const data = err instanceof McpError ? (err.data as { code?: string; reason?: string } | undefined) : undefined;
      transcript.push(`${name} → error ${JSON.stringify({ code: data?.code, message: (err as Error).message })}`);
    }
  };
  await step('tools/list', async () => (await client.listTools()).tools.map((t) => t.name));
  await step('echo', () => client.callTool({ name: 'echo', arguments: { text: 'hello from the agent' } }));
  await step('get_customer 42', () => client.callTool({ name: 'get_customer', arguments: { id: '42' } }));
  await step('get_customer 42 again', () => client.callTool({ name: 'get_customer', arguments: { id: '42' } }));
  await step('delete_records', () => client.callTool({ name: 'delete_records', arguments: { table: 'customers' } }));
  await client.close();
  return transcript;
}

const cleanup: (() => Promise<unknown>)[] = [];
try {
  // --- 1-2: record -------------------------------------------------------------------------
  const demo = await startDemoServer();
  cleanup.push(() => demo.close());
  const recorder = await withCassette(cassetteFile, { mode: 'record', upstream: demo.url });
  cleanup.push(() => recorder.close());
  const live = await startGateway(recorder.url);
  cleanup.push(() => live.gateway.close());
  const liveToken = await mintDevToken({ keyFile, agent: 'demo', ttlS: 300, audience: live.gateway.resource() });
  process.stdout.write(`recording: agent → warden ${live.url} → recorder ${recorder.url} → demo ${demo.url}\n`);
  const recorded = await agentSession(live.url, liveToken);
  for (const line of recorded) process.stdout.write(`  ${line.slice(0, 150)}\n`);
  await live.gateway.close();
  await recorder.close();
  await demo.close();
  check(recorder.recorded > 0, 'the session was recorded', `${recorder.recorded} exchanges in ${cassetteFile}`);
  check(recorded.some((l) => l.startsWith('delete_records → error') && l.includes('WARDEN_')), 'delete_records was denied by warden while recording');

  // --- 3-4: replay with the demo server stopped -----------------------------------------------
  const demoGone = await fetch(demo.url, { method: 'POST' }).then(() => false, () => true);
  check(demoGone, 'the demo server is stopped', demo.url);
  const replayer = await withCassette(cassetteFile);
  cleanup.push(() => replayer.close());
  check(replayer.mode === 'replay', 'withCassette chose replay because the cassette exists', replayer.mode);
  const offline = await startGateway(replayer.url);
  cleanup.push(() => offline.gateway.close());
  const offlineToken = await mintDevToken({ keyFile, agent: 'demo', ttlS: 300, audience: offline.gateway.resource() });
  process.stdout.write(`replaying: agent → warden ${offline.url} → cassette ${replayer.url}\n`);
  const replayed = await agentSession(offline.url, offlineToken);
  await offline.gateway.close();
  const same = replayed.length === recorded.length && replayed.every((line, i) => line === recorded[i]);
  check(same, 'the replayed session gives identical results', same ? `${replayed.length} steps` : JSON.stringify({ recorded, replayed }));

  // --- 5: what the cassette holds -------------------------------------------------------------
  const written = readFileSync(cassetteFile, 'utf8');
  check(!written.includes(liveToken) && !written.includes(liveToken.split('.')[1]!), 'the cassette contains no token');
  check(!/authorization|cookie|x-warden-task|mcp-session-id/i.test(written), 'the cassette contains no Authorization, cookie, task or session header');
  const cassette = await Cassette.load(cassetteFile);
  check(!cassette.entries.some((e) => (e.params as { name?: string } | undefined)?.name === 'delete_records'), 'the denied call is not in the cassette (it never reached the upstream)');
  const rows = await checkCassette(cassette.entries, replayer.url);
  check(rows.length > 0 && rows.every((r) => r.status === 'match'), 'checkCassette: every recorded exchange matches the replay server', `${rows.length} exchanges`);
} catch (err) {
  failures++;
  process.stdout.write(`FAIL the example stopped: ${(err as Error).stack ?? String(err)}\n`);
} finally {
  while (cleanup.length) await cleanup.pop()!().catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
}
process.stdout.write(failures ? `${failures} check(s) failed\n` : 'all checks passed\n');
process.exit(failures ? 1 : 0);
