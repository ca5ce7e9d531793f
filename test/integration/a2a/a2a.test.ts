/**
 * A2A through warden, all real parts: the @a2a-js/sdk client → warden (createGateway with the
 * standard stages: real identity with dev tokens, real Rego policy, pii, audit) → @a2a-js/sdk servers.
 */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message } from '@a2a-js/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.ts';
import type { WardenConfig } from '../../../src/config/schema.ts';
import { createGateway, type Gateway } from '../../../src/gateway/gateway.ts';
import { buildStandardStages } from '../../../src/gateway/stages.ts';
import { mintDevToken } from '../../../src/identity/index.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { createPipeline } from '../../../src/pipeline/pipeline.ts';
import { mountA2a, type A2aMount } from '../../../src/protocol/a2a/index.ts';
import { forwardStage } from '../../../src/stages/forward/index.ts';
import { readRecords } from '../../unit/audit/helpers.ts';
import { clientFor, dataPart, startPeer, textOf, textPart, userMessage, type Peer } from './peers.ts';

let root: string;
let config: Readonly<WardenConfig>;
let echo: Peer;
let streamer: Peer;
let gateway: Gateway;
let mount: A2aMount;
let base: string;
let resource = '';

const token = (agent: string): Promise<string> => mintDevToken({ keyFile: join(root, 'dev.jwk'), agent, ttlS: 600, audience: resource });

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'warden-a2a-'));
  await mkdir(join(root, 'agents'));
  await writeFile(join(root, 'agents', 'caller.yaml'), "name: caller\nowner: qa@example.com\nidentity:\n  devName: caller\nupstreams: ['*']\ntools: ['*']\n");
  await writeFile(join(root, 'agents', 'outsider.yaml'), "name: outsider\nowner: qa@example.com\nidentity:\n  devName: outsider\nupstreams: ['*']\ntools: ['other:*']\n");
  echo = await startPeer('echo', { name: 'Echo Agent' });
  streamer = await startPeer('stream', { chunks: 4, name: 'Streaming Agent' });
  config = parseConfig({
    server: { port: 0 },
    // An MCP upstream is required by the config; these tests never open it.
    upstreams: [{ name: 'unused', url: 'http://127.0.0.1:9/mcp' }],
    agentsDir: join(root, 'agents'),
    identity: { devIssuer: true, devIssuerKeyFile: join(root, 'dev.jwk') },
    policy: { dir: 'rego', hotReload: false },
    audit: { dir: join(root, 'audit'), flushIntervalMs: 5 },
    a2a: { agents: [{ name: 'echo', url: echo.rpcUrl }, { name: 'streamer', url: streamer.rpcUrl }] },
  });
  const standard = await buildStandardStages(config, { logger: silentLogger, resource: 'http://127.0.0.1/mcp' });
  mount = mountA2a({ config, pipeline: createPipeline([...standard.stages, forwardStage()]), resource: () => resource, logger: silentLogger });
  gateway = createGateway({ config, stages: standard.stages, routes: [...standard.routes, ...mount.routes], logger: silentLogger });
  const { url } = await gateway.listen();
  resource = url;
  base = url.replace(/\/mcp$/, '');
});

afterAll(async () => {
  await mount?.close();
  await gateway?.close();
  await echo?.close();
  await streamer?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

/** A raw JSON-RPC POST to warden's A2A endpoint. */
async function rpc(agent: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: { result?: any; error?: any } }> {
  const res = await fetch(`${base}/a2a/${agent}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as { result?: any; error?: any } };
}

function send(text: string) {
  return { tenant: '', message: userMessage([textPart(text)]), configuration: undefined, metadata: undefined };
}

describe('A2A agent cards through warden', () => {
  it('serves the upstream card with every endpoint pointing at warden and every other field kept', async () => {
    const res = await fetch(`${base}/a2a/echo/.well-known/agent-card.json`, { headers: { 'a2a-version': '1.0' } });
    expect(res.status).toBe(200);
    const card = (await res.json()) as Record<string, any>;
    expect(card.supportedInterfaces).toEqual([
      { url: `${base}/a2a/echo`, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: '1.0' },
      { url: `${base}/a2a/echo`, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: '0.3' },
    ]);
    const { supportedInterfaces: _a, ...rest } = card;
    const { supportedInterfaces: _b, ...upstreamRest } = echo.card as unknown as Record<string, unknown>;
    expect(rest).toMatchObject(JSON.parse(JSON.stringify(upstreamRest)) as Record<string, unknown>);
    expect(JSON.stringify(card)).not.toContain(echo.url);
  });

  it('rewrites the v0.3 card (url) on the older agent.json path too', async () => {
    const res = await fetch(`${base}/a2a/echo/.well-known/agent.json`);
    const card = (await res.json()) as Record<string, any>;
    expect(card.url).toBe(`${base}/a2a/echo`);
    expect(card.name).toBe('Echo Agent');
    expect(JSON.stringify(card)).not.toContain(echo.url);
  });

  it('answers 404 for an agent that is not configured', async () => {
    const res = await fetch(`${base}/a2a/nobody/.well-known/agent-card.json`);
    expect(res.status).toBe(404);
  });
});

describe('A2A calls through warden', () => {
  it('relays message/send: the SDK client gets the echo', async () => {
    const client = await clientFor(`${base}/a2a/echo/`, await token('caller'));
    const reply = await client.sendMessage(send('hello there'));
    expect(textOf(reply as unknown as Message)).toBe('echo: hello there');
  });

  it('scrubs an email from text and data parts before the upstream sees it', async () => {
    const before = echo.received.length;
    const client = await clientFor(`${base}/a2a/echo/`, await token('caller'));
    const reply = await client.sendMessage({ tenant: '', message: userMessage([textPart('mail bob@example.com today'), dataPart({ email: 'carol@example.org', n: 1 })]), configuration: undefined, metadata: undefined });
    const seen = JSON.stringify(echo.received.slice(before));
    expect(seen).not.toContain('bob@example.com');
    expect(seen).not.toContain('carol@example.org');
    expect(seen).toContain('mail [REDACTED:EMAIL_ADDRESS] today');
    expect(textOf(reply as unknown as Message)).toBe('echo: mail [REDACTED:EMAIL_ADDRESS] today');
    // The caller's token never travels upstream.
    expect(echo.received.at(-1)!.headers.authorization).toBeUndefined();
  });

  it('relays a stream event by event, in order, scrubbing what the agent sends back', async () => {
    const client = await clientFor(`${base}/a2a/streamer/`, await token('caller'));
    const events: Array<{ $case: string; value: any }> = [];
    for await (const ev of client.sendMessageStream(send('go'))) events.push(ev.payload as { $case: string; value: any });
    expect(events.map((e) => e.$case)).toEqual(['task', 'statusUpdate', 'artifactUpdate', 'artifactUpdate', 'artifactUpdate', 'artifactUpdate', 'statusUpdate']);
    const chunks = events.filter((e) => e.$case === 'artifactUpdate').map((e) => textOf(e.value.artifact));
    expect(chunks).toEqual(['chunk 1', 'chunk 2: write to [REDACTED:EMAIL_ADDRESS]', 'chunk 3', 'chunk 4: go']);
    expect(events.at(-1)!.value.status.state).toBe(3); // TASK_STATE_COMPLETED

    // tasks/get for the streamed task goes through warden as well.
    const task = await client.getTask({ tenant: '', id: events[0]!.value.id as string });
    expect(task.id).toBe(events[0]!.value.id);
    expect(task.status?.state).toBe(3);
  });

  it('accepts the v0.3 method names (message/send) and keeps unknown members of the request', async () => {
    const { status, json } = await rpc(
      'echo',
      { jsonrpc: '2.0', id: 'v03', method: 'message/send', params: { message: { kind: 'message', messageId: 'm-03', role: 'user', parts: [{ kind: 'text', text: 'legacy hi' }] }, extraField: { keep: true } } },
      { authorization: `Bearer ${await token('caller')}`, 'a2a-version': '0.3' },
    );
    expect(status).toBe(200);
    expect(json.result.parts[0].text).toBe('echo: legacy hi');
    expect(echo.received.at(-1)!.params).toMatchObject({ extraField: { keep: true } });
  });
});

describe('A2A denials', () => {
  it('refuses a caller without a token: WARDEN_UNAUTHENTICATED, and the upstream sees nothing', async () => {
    const before = echo.received.length;
    const client = await clientFor(`${base}/a2a/echo/`, null);
    const err = (await client.sendMessage(send('hi')).catch((e: unknown) => e)) as { data?: { code?: string }; message: string };
    expect(err.data?.code).toBe('WARDEN_UNAUTHENTICATED');
    expect(err.message).toMatch(/^WARDEN_UNAUTHENTICATED: /);
    expect(echo.received.length).toBe(before);
  });

  it('refuses what the policy denies: WARDEN_POLICY_DENIED with the policy reason, on unary and streaming calls', async () => {
    const before = echo.received.length + streamer.received.length;
    const client = await clientFor(`${base}/a2a/echo/`, await token('outsider'));
    const err = (await client.sendMessage(send('hi')).catch((e: unknown) => e)) as { data?: { code?: string; reason?: string } };
    expect(err.data?.code).toBe('WARDEN_POLICY_DENIED');
    expect(err.data?.reason).toContain('agent outsider may not use tool echo:SendMessage');

    const streaming = await clientFor(`${base}/a2a/streamer/`, await token('outsider'));
    const streamErr = (await (async () => {
      for await (const _ of streaming.sendMessageStream(send('hi'))) return 'got an event';
      return 'no error';
    })().catch((e: unknown) => e)) as { data?: { code?: string } };
    expect(streamErr.data?.code).toBe('WARDEN_POLICY_DENIED');
    expect(echo.received.length + streamer.received.length).toBe(before);
  });

  it('refuses push-notification configs by default with WARDEN_PUSH_NOT_ALLOWED', async () => {
    const auth = { authorization: `Bearer ${await token('caller')}`, 'a2a-version': '1.0' };
    const created = await rpc('echo', { jsonrpc: '2.0', id: 1, method: 'CreateTaskPushNotificationConfig', params: { taskId: 't1', url: 'https://callback.example/hook' } }, auth);
    expect(created.json.error.data.code).toBe('WARDEN_PUSH_NOT_ALLOWED');
    expect(created.json.error.message).toMatch(/call back a URL warden cannot see/);
    const inline = await rpc('echo', { jsonrpc: '2.0', id: 2, method: 'SendMessage', params: { message: { messageId: 'm', role: 'ROLE_USER', parts: [{ text: 'x' }] }, configuration: { taskPushNotificationConfig: { url: 'https://callback.example/hook' } } } }, auth);
    expect(inline.json.error.data.code).toBe('WARDEN_PUSH_NOT_ALLOWED');
  });

  it('answers malformed requests with a JSON-RPC error, not a crash', async () => {
    const auth = { authorization: `Bearer ${await token('caller')}` };
    const res = await fetch(`${base}/a2a/echo`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: '{not json' });
    expect(((await res.json()) as { error: { data: { code: string } } }).error.data.code).toBe('WARDEN_PARSE_ERROR');
    expect((await rpc('echo', [{ jsonrpc: '2.0', id: 1, method: 'GetTask' }], auth)).json.error.data.code).toBe('WARDEN_BATCH_REJECTED');
    expect((await rpc('echo', { jsonrpc: '2.0', method: 'GetTask' }, auth)).json.error.data.code).toBe('WARDEN_BAD_REQUEST');
    const form = await fetch(`${base}/a2a/echo`, { method: 'POST', headers: { 'content-type': 'text/plain', ...auth }, body: '{}' });
    expect(form.status).toBe(400);
    // The A2A media type is as good as application/json.
    const a2aJson = await rpc('echo', { jsonrpc: '2.0', id: 9, method: 'GetTask', params: { id: 'no-such-task' } }, { ...auth, 'content-type': 'application/a2a+json', 'a2a-version': '1.0' });
    expect(a2aJson.json.error.data?.code).toBeUndefined(); // the agent's own TaskNotFound, relayed
    expect(a2aJson.json.error.code).toBe(-32001);
  });
});

describe('A2A audit', () => {
  it('writes one record per call (one per stream), with the A2A tool name and PII counts, never the raw value', async () => {
    await mount.close();
    await gateway.close();
    const records = (await readRecords(join(root, 'audit'))).filter((r) => r.kind === 'call');
    const streams = records.filter((r) => r.tool === 'streamer:SendStreamingMessage');
    expect(streams.filter((r) => r.decision === 'allow')).toHaveLength(1);
    expect(streams.find((r) => r.decision === 'allow')).toMatchObject({ agent: 'caller', upstream: 'streamer', method: 'SendStreamingMessage', pii: { EMAIL_ADDRESS: 1 } });
    expect(records.some((r) => r.tool === 'echo:SendMessage' && r.method === 'message/send' && r.decision === 'allow')).toBe(true);
    expect(records.some((r) => r.agent === 'outsider' && r.code === 'WARDEN_POLICY_DENIED')).toBe(true);
    expect(JSON.stringify(records)).not.toContain('bob@example.com');
  });
});
