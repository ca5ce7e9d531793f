/** The Streamable HTTP edges of /mcp: auth, sessions, versions, batches, limits, DNS-rebinding checks, denials. */
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer, type RunningDemo } from '../../../src/demo/server.ts';
import { WardenError } from '../../../src/errors.ts';
import type { Stage } from '../../../src/pipeline/types.ts';
import { bearerIdentityStage, connectClient, fixtureUpstream, startGateway, textOf, type Running } from './harness.ts';

const ACCEPT = 'application/json, text/event-stream';

interface RpcBody {
  jsonrpc?: string;
  id?: unknown;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: { code?: string; decisionId?: string } };
}

function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: ACCEPT, authorization: 'Bearer agent-a', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function initialize(version = '2025-11-25', id: number | string = 1) {
  return { jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };
}

async function openSession(url: string, version = '2025-11-25', agent = 'agent-a'): Promise<string> {
  const res = await post(url, initialize(version), { authorization: `Bearer ${agent}` });
  expect(res.status).toBe(200);
  const sid = res.headers.get('mcp-session-id');
  expect(sid).toBeTruthy();
  await res.text();
  await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, { 'mcp-session-id': sid!, authorization: `Bearer ${agent}` });
  return sid!;
}

/** Stand-in for the policy stage (another engineer's): denies tools annotated destructive. */
function denyDestructiveStage(): Stage {
  return {
    name: 'policy',
    onRequest(ctx) {
      if (ctx.tool?.annotations?.destructiveHint === true) throw new WardenError('WARDEN_POLICY_DENIED', `destructive tool ${ctx.tool.name} is not allowed`);
    },
  };
}

describe('the /mcp endpoint at the HTTP level', () => {
  let demo: RunningDemo;
  let gw: Running;
  beforeAll(async () => {
    demo = await startDemoServer();
    gw = await startGateway(
      { upstreams: [{ name: 'demo', url: demo.url }], server: { bodyLimitBytes: 4096 } },
      { stages: [bearerIdentityStage(), denyDestructiveStage()], toolVisibility: (_ctx, tool) => tool.annotations?.destructiveHint !== true },
    );
  });
  afterAll(async () => {
    await gw?.close();
    await demo?.close();
  });

  it('refuses a caller without credentials with 401, WWW-Authenticate and a coded JSON-RPC error', async () => {
    const res = await post(gw.url, initialize(), { authorization: '' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="warden"');
    const body = (await res.json()) as RpcBody;
    expect(body.error?.data?.code).toBe('WARDEN_UNAUTHENTICATED');
    expect(body.error?.code).toBe(-32001);
  });

  it('negotiates the protocol version: the client’s when supported, else the latest', async () => {
    for (const [asked, answered] of [
      ['2025-03-26', '2025-03-26'],
      ['2025-06-18', '2025-06-18'],
      ['2025-11-25', '2025-11-25'],
      ['2024-01-01', '2025-11-25'],
    ] as const) {
      const res = await post(gw.url, initialize(asked));
      const body = (await res.json()) as RpcBody;
      expect(body.result?.protocolVersion).toBe(answered);
    }
  });

  it('binds a session to the agent that created it', async () => {
    const sid = await openSession(gw.url);
    const mine = await post(gw.url, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': sid });
    expect(mine.status).toBe(200);
    await mine.text();
    const theirs = await post(gw.url, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': sid, authorization: 'Bearer agent-b' });
    expect(theirs.status).toBe(403);
    expect(((await theirs.json()) as RpcBody).error?.data?.code).toBe('WARDEN_SESSION_FORBIDDEN');
  });

  it('requires a known session id after initialize', async () => {
    const none = await post(gw.url, { jsonrpc: '2.0', id: 2, method: 'tools/list' });
    expect(none.status).toBe(400);
    expect(((await none.json()) as RpcBody).error?.data?.code).toBe('WARDEN_SESSION_REQUIRED');
    const unknown = await post(gw.url, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': 'nope' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as RpcBody).error?.data?.code).toBe('WARDEN_SESSION_NOT_FOUND');
  });

  it('rejects batches from 2025-06-18 on and answers them in 2025-03-26', async () => {
    const batch = [
      { jsonrpc: '2.0', id: 'a', method: 'ping' },
      { jsonrpc: '2.0', id: 'b', method: 'tools/list' },
    ];
    const modern = await openSession(gw.url, '2025-06-18');
    const rejected = await post(gw.url, batch, { 'mcp-session-id': modern, 'mcp-protocol-version': '2025-06-18' });
    expect(rejected.status).toBe(400);
    expect(((await rejected.json()) as RpcBody).error?.data?.code).toBe('WARDEN_BATCH_REJECTED');

    const old = await openSession(gw.url, '2025-03-26');
    const answered = await post(gw.url, batch, { 'mcp-session-id': old });
    expect(answered.status).toBe(200);
    const text = await answered.text();
    // The upstream may stream; either way both answers arrive.
    expect(text).toContain('"id":"a"');
    expect(text).toContain('"id":"b"');
  });

  it('checks the MCP-Protocol-Version header', async () => {
    const sid = await openSession(gw.url);
    const res = await post(gw.url, { jsonrpc: '2.0', id: 3, method: 'tools/list' }, { 'mcp-session-id': sid, 'mcp-protocol-version': '1999-01-01' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as RpcBody).error?.data?.code).toBe('WARDEN_UNSUPPORTED_PROTOCOL_VERSION');
  });

  it('rejects foreign Origin and Host headers (DNS rebinding)', async () => {
    const origin = await post(gw.url, initialize(), { origin: 'http://evil.example.com' });
    expect(origin.status).toBe(403);
    expect(((await origin.json()) as RpcBody).error?.data?.code).toBe('WARDEN_ORIGIN_REJECTED');
    const loopbackOrigin = await post(gw.url, initialize(), { origin: 'http://localhost:3000' });
    expect(loopbackOrigin.status).toBe(200);
    await loopbackOrigin.text();
  });

  it('answers malformed requests with coded errors', async () => {
    const parse = await post(gw.url, '{"jsonrpc": "2.0", ');
    expect(parse.status).toBe(400);
    expect(((await parse.json()) as RpcBody).error).toMatchObject({ code: -32700, data: { code: 'WARDEN_PARSE_ERROR' } });
    const big = await post(gw.url, { jsonrpc: '2.0', id: 1, method: 'initialize', params: { pad: 'x'.repeat(10_000) } });
    expect(big.status).toBe(413);
    expect(((await big.json()) as RpcBody).error?.data?.code).toBe('WARDEN_BODY_TOO_LARGE');
    const notAcceptable = await post(gw.url, initialize(), { accept: 'application/json' });
    expect(notAcceptable.status).toBe(406);
    await notAcceptable.text();
    const put = await fetch(gw.url, { method: 'PUT', headers: { authorization: 'Bearer agent-a' } });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST, DELETE');
    await put.text();
    const unknownUpstream = await post(`${gw.url}/nope`, initialize());
    expect(unknownUpstream.status).toBe(404);
    expect(((await unknownUpstream.json()) as RpcBody).error?.data?.code).toBe('WARDEN_UNKNOWN_UPSTREAM');
  });

  it('returns pipeline denials as JSON-RPC errors with a decision id, and hides tools the policy would refuse', async () => {
    const { client } = await connectClient(gw.url);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('get_customer');
    expect(names).not.toContain('delete_records');
    const err = await client.callTool({ name: 'delete_records', arguments: { table: 'users' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(McpError);
    expect((err as McpError).data).toMatchObject({ code: 'WARDEN_POLICY_DENIED' });
    expect((err as McpError).data).toHaveProperty('decisionId');
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'still fine' } }))).toBe('still fine');
    await client.close();
  });

  it('passes upstream JSON-RPC errors back unchanged', async () => {
    const sid = await openSession(gw.url);
    const res = await post(gw.url, { jsonrpc: '2.0', id: 9, method: 'prompts/get', params: { name: 'no_such_prompt' } }, { 'mcp-session-id': sid });
    const text = await res.text();
    const json = text.startsWith('{') ? text : text.split('\n').find((l) => l.startsWith('data: '))!.slice(6);
    const body = JSON.parse(json) as RpcBody;
    expect(body.id).toBe(9);
    expect(body.error?.code).toBe(-32602);
    expect(body.error?.data?.code).toBeUndefined();
  });
});

describe('upstream failures', () => {
  it('answers WARDEN_UPSTREAM_TIMEOUT within the upstream timeout and keeps the session usable', async () => {
    const gw = await startGateway({ upstreams: [fixtureUpstream('fx', 'fx', { timeoutMs: 1500 })] });
    try {
      const { client } = await connectClient(gw.url);
      const err = await client.callTool({ name: 'slow', arguments: { steps: 1, delayMs: 5000 } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(McpError);
      expect((err as McpError).data).toMatchObject({ code: 'WARDEN_UPSTREAM_TIMEOUT' });
      expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'ok' } }))).toBe('fx:ok');
      await client.close();
    } finally {
      await gw.close();
    }
  });

  it('answers WARDEN_UPSTREAM_UNAVAILABLE when the upstream cannot be reached', async () => {
    const gw = await startGateway({ upstreams: [{ name: 'gone', url: 'http://127.0.0.1:9/mcp' }] });
    try {
      const res = await post(gw.url, initialize());
      expect(res.status).toBe(502);
      expect(((await res.json()) as RpcBody).error?.data?.code).toBe('WARDEN_UPSTREAM_UNAVAILABLE');
    } finally {
      await gw.close();
    }
  });
});
