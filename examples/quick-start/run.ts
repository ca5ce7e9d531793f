/**
 * Quick start, checking its own output: what `npm start` does, driven by the real MCP SDK client.
 *
 *   1. the built-in demo MCP server and warden in front of it (the standard stages, loopback
 *      callers accepted as the agent `demo`, audit into a temporary directory)
 *   2. tools/list through warden: the destructive `delete_records` is hidden by the policy
 *   3. get_customer: the answer comes back with its PII redacted
 *   4. delete_records: denied by the policy with a WARDEN_* code and a decision id
 *   5. the audit log holds both decisions
 *
 * Run from the repository root:  npx tsx examples/quick-start/run.ts   (exits non-zero on a failed check)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { parseConfig } from '../../src/config/load.ts';
import { startDemoServer } from '../../src/demo/server.ts';
import { createGateway } from '../../src/gateway/gateway.ts';
import { buildStandardStages } from '../../src/gateway/stages.ts';
import { createLogger } from '../../src/observability/logger.ts';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const work = mkdtempSync(join(tmpdir(), 'warden-quick-start-'));
let failures = 0;
function check(ok: boolean, what: string, detail = ''): void {
  if (!ok) failures++;
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? `: ${detail}` : ''}\n`);
}

const demo = await startDemoServer();
const config = parseConfig({
  server: { port: 0 },
  upstreams: [{ name: 'demo', url: demo.url }],
  agentsDir: join(root, 'agents'),
  policy: { dir: join(root, 'rego'), hotReload: false },
  identity: { loopbackAgent: 'demo', devIssuer: true, devIssuerKeyFile: join(work, 'dev.jwk') },
  audit: { dir: join(work, 'audit') },
});
const logger = createLogger({ level: 'warn', pretty: false });
const standard = await buildStandardStages(config, { logger, resource: 'http://127.0.0.1:0/mcp' });
const gateway = createGateway({
  config,
  stages: standard.stages,
  routes: standard.routes,
  logger,
  ...(standard.toolVisibility ? { toolVisibility: standard.toolVisibility } : {}),
});
const { url } = await gateway.listen();
process.stdout.write(`warden at ${url} with stages: ${standard.stages.map((s) => s.name).join(', ')}\n`);

try {
  const client = new Client({ name: 'quick-start', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));

  const names = (await client.listTools()).tools.map((t) => t.name);
  check(names.includes('echo') && names.includes('get_customer'), 'the demo tools are listed', names.join(', '));
  check(!names.includes('delete_records'), 'the destructive tool is hidden from tools/list');

  const customer = await client.callTool({ name: 'get_customer', arguments: { id: '42' } });
  const text = JSON.stringify(customer);
  check(!text.includes('ada@example.com') && !text.includes('078-05-1120'), 'PII is scrubbed from the answer', text.slice(0, 160));

  const denied = await client.callTool({ name: 'delete_records', arguments: { table: 'customers' } }).catch((e: unknown) => e);
  const data = denied instanceof McpError ? (denied.data as { code?: string; decisionId?: string }) : undefined;
  check(typeof data?.code === 'string' && data.code.startsWith('WARDEN_') && typeof data.decisionId === 'string', 'delete_records is denied with a code and decision id', JSON.stringify(data));
  await client.close();

  await gateway.close();
  const auditDir = join(work, 'audit');
  const files = readdirSync(auditDir).filter((f) => f.endsWith('.jsonl'));
  const lines = files.flatMap((f) => readFileSync(join(auditDir, f), 'utf8').split('\n').filter(Boolean));
  check(lines.length >= 2, 'the audit log holds the decisions', `${lines.length} records in ${files.join(', ')}`);
} finally {
  await gateway.close();
  await demo.close();
  rmSync(work, { recursive: true, force: true });
}
process.stdout.write(failures ? `${failures} check(s) failed\n` : 'all checks passed\n');
process.exit(failures ? 1 : 0);
