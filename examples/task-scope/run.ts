/**
 * Task scope, end to end, checking its own output:
 *
 *   1. a real OAuth authorization server (oidc-provider) on 127.0.0.1
 *   2. warden (createGateway) in front of the demo MCP server, trusting that AS
 *   3. the agent `report-writer` gets a client-credentials token, then a token acting for alice
 *   4. it exchanges that token at warden's /oauth/token for a task token allowing two tools
 *   5. with the real MCP SDK client it calls one allowed and one forbidden tool through warden
 *   6. the audit log shows agent, user, task id and both decisions
 *
 * Run from the repository root:  npx tsx examples/task-scope/run.ts
 * Exits non-zero when any check fails.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SignJWT } from 'jose';
import { parseConfig } from '../../src/config/load.ts';
import { startDemoServer } from '../../src/demo/server.ts';
import { createGateway } from '../../src/gateway/gateway.ts';
import { buildStandardStages } from '../../src/gateway/stages.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { clientCredentialsToken, delegatedToken, startProvider } from './provider.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const work = mkdtempSync(join(tmpdir(), 'warden-task-scope-'));
const agent = { clientId: 'report-writer', clientSecret: 'example-secret' };

let failures = 0;
function check(ok: boolean, what: string, detail?: unknown): void {
  if (!ok) failures++;
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'}  ${what}${!ok && detail !== undefined ? `\n      got: ${JSON.stringify(detail)}` : ''}\n`);
}

// The resource URL goes into tokens before warden listens, so pick the port first.
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const demo = await startDemoServer('127.0.0.1', 0);
const port = await freePort();
const resource = `http://127.0.0.1:${port}/mcp`;
const provider = await startProvider(resource, [agent]);

const config = parseConfig(
  {
    server: { host: '127.0.0.1', port },
    upstreams: [{ name: 'demo', url: demo.url }],
    agentsDir: join(here, 'agents'),
    identity: {
      issuers: [{ issuer: provider.issuer, jwksUrl: provider.jwksUrl }],
      devIssuerKeyFile: join(work, 'dev-issuer.jwk'),
      task: { required: true, issuerKeyFile: join(work, 'task-issuer.jwk') },
    },
    policy: { dir: join(root, 'rego'), hotReload: false },
    audit: { dir: join(work, 'audit'), flushIntervalMs: 10 },
    log: { level: 'warn' },
  },
  'examples/task-scope',
);
const logger = createLogger({ level: 'warn', pretty: false });
const standard = await buildStandardStages(config, { logger, resource });
for (const m of standard.missing) process.stdout.write(`note  stage ${m.area} not loaded: ${m.reason}\n`);
const gateway = createGateway({ config, stages: standard.stages, routes: standard.routes, ...(standard.toolVisibility ? { toolVisibility: standard.toolVisibility } : {}), logger });
const { url } = await gateway.listen();

async function connect(headers: Record<string, string>): Promise<Client> {
  const client = new Client({ name: 'task-scope-example', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

try {
  // 3. Tokens from the authorization server.
  const cc = await clientCredentialsToken(provider, agent, resource);
  const meta = (await (await fetch(`http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp`)).json()) as { authorization_servers?: string[] };
  check(meta.authorization_servers?.includes(provider.issuer) === true, 'protected resource metadata names the authorization server');
  const alice = await new SignJWT({ sub: 'alice@example.com' }).setProtectedHeader({ alg: 'ES256' }).setAudience(provider.issuer).setIssuedAt().setExpirationTime('5m').sign(provider.userAssertionKey);
  const onBehalf = await delegatedToken(provider, agent, alice, resource);
  check(typeof cc === 'string' && typeof onBehalf === 'string', 'agent got a client-credentials token and a token acting for alice');

  // The plain client-credentials token identifies the agent, with no user.
  const ccClient = await connect({ authorization: `Bearer ${cc}` });
  check((await ccClient.listTools()).tools.length > 0, 'client-credentials token accepted by warden');
  await ccClient.close();

  // Without a task token the agent can connect and list tools, not call them.
  const plain = await connect({ authorization: `Bearer ${onBehalf}` });
  const names = (await plain.listTools()).tools.map((t) => t.name);
  const echo = names.find((n) => n.endsWith('echo'));
  const getCustomer = names.find((n) => n.endsWith('get_customer'));
  // The default policy may hide destructive tools from the list; the agent calls it anyway.
  const deleteRecords = names.find((n) => n.endsWith('delete_records')) ?? echo!.replace(/echo$/, 'delete_records');
  check(Boolean(echo && getCustomer), 'demo tools are listed through warden', names);
  const noTask = await plain.callTool({ name: echo!, arguments: { text: 'hi' } }).catch((e: unknown) => e);
  check(String((noTask as Error).message).includes('WARDEN_TASK_REQUIRED'), 'a call without a task token is denied (WARDEN_TASK_REQUIRED)', String(noTask));
  await plain.close();

  // 4. Exchange for a task token limited to two tools.
  const res = await fetch(`http://127.0.0.1:${port}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: onBehalf,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      authorization_details: JSON.stringify([
        { type: 'agent_task', task_id: 't-123', purpose: 'Q3 report for customer 42', kind: 'report', tools: [{ name: echo }, { name: getCustomer, constraints: { id: { enum: ['42'] } } }], budget: 10, expires_in: 600 },
      ]),
    }),
  });
  const exchanged = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
  check(res.status === 200 && typeof exchanged.access_token === 'string', 'warden issued a task token for task t-123', exchanged);
  const task = exchanged.access_token!;

  // 5. Allowed and forbidden calls through warden with the MCP SDK client.
  const client = await connect({ authorization: `Bearer ${onBehalf}`, 'x-warden-task': task });
  const allowed = (await client.callTool({ name: echo!, arguments: { text: 'hello from task t-123' } })) as { content?: Array<{ text?: string }>; isError?: boolean };
  check(allowed.content?.[0]?.text === 'hello from task t-123', 'allowed tool answered through warden', allowed);
  const forbidden = await client.callTool({ name: deleteRecords!, arguments: { table: 'customers' } }).catch((e: unknown) => e);
  check(
    String((forbidden as Error).message).includes('WARDEN_TASK_SCOPE') && String((forbidden as Error).message).includes(`task t-123 does not allow tool ${deleteRecords}`),
    'forbidden tool denied with WARDEN_TASK_SCOPE naming the task and the tool',
    String(forbidden),
  );
  const wrongCustomer = await client.callTool({ name: getCustomer!, arguments: { id: '7' } }).catch((e: unknown) => e);
  check(String((wrongCustomer as Error).message).includes('argument id violates constraint enum'), 'argument outside the task constraint denied', String(wrongCustomer));
  await client.close();

  // A sub-agent asking for more than the task grants is refused.
  const widen = await fetch(`http://127.0.0.1:${port}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: task,
      authorization_details: JSON.stringify([{ type: 'agent_task', tools: [{ name: echo }, { name: deleteRecords }] }]),
    }),
  });
  const widenBody = (await widen.json()) as { error?: string; warden_code?: string };
  check(widen.status === 400 && widenBody.error === 'invalid_target' && widenBody.warden_code === 'WARDEN_TASK_WIDENING', 'widening the task is refused (invalid_target, WARDEN_TASK_WIDENING)', widenBody);
} finally {
  await gateway.close();
  await demo.close();
  await provider.close();
}

// 6. The audit log, written by the audit stage.
const auditDir = join(work, 'audit');
const lines = readdirSync(auditDir, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.jsonl'))
  .flatMap((f) => readFileSync(join(auditDir, f), 'utf8').split('\n').filter(Boolean))
  .map((l) => JSON.parse(l) as Record<string, unknown>)
  .filter((r) => r.task === 't-123');
const allow = lines.find((r) => r.decision === 'allow');
const deny = lines.find((r) => r.decision === 'deny' && r.code === 'WARDEN_TASK_SCOPE');
check(allow?.agent === 'report-writer' && allow?.user === 'alice@example.com', 'audit: allowed call recorded with agent, user and task id', allow);
check(deny?.agent === 'report-writer' && deny?.user === 'alice@example.com', 'audit: denied call recorded with agent, user, task id and code', deny);
for (const r of [allow, deny]) if (r) process.stdout.write(`      audit ${JSON.stringify({ agent: r.agent, user: r.user, task: r.task, decision: r.decision, code: r.code })}\n`);

rmSync(work, { recursive: true, force: true });
process.stdout.write(failures ? `\n${failures} check(s) failed\n` : '\nall checks passed\n');
process.exit(failures ? 1 : 0);
