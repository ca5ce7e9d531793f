/**
 * The v0.3 dialect end to end (the SDK's real v0.3 JSON-RPC client through warden to an SDK
 * server with v0.3 compat), and what card rewriting does to interfaces warden does not front.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LegacyJsonRpcTransport } from '@a2a-js/sdk/compat/v0_3/client';
import { parseConfig } from '../../../src/config/load.ts';
import { piiConfigSchema } from '../../../src/pii/config.ts';
import type { CallContext, Stage } from '../../../src/pipeline/types.ts';
import { rewriteAgentCard } from '../../../src/protocol/a2a/index.ts';
import { piiStage } from '../../../src/stages/pii/index.ts';
import { bearerIdentityStage } from '../mcp/harness.ts';
import { fetchAs, startPeer, textOf, textPart, userMessage, type Peer } from './peers.ts';
import { startA2aGateway, type A2aGateway } from './gateway.ts';

let streamer: Peer;
let gateway: A2aGateway;
let base: string;
/** What the policy stage would see: every settled call's tool and request facts. */
const seen: Array<Pick<CallContext, 'tool'> & { protocol: string; method: string; allow: boolean }> = [];

beforeAll(async () => {
  streamer = await startPeer('stream', { chunks: 2 });
  const config = parseConfig({ server: { port: 0 }, upstreams: [{ name: 'unused', url: 'http://127.0.0.1:9/mcp' }], a2a: { agents: [{ name: 'streamer', url: streamer.rpcUrl }] } });
  // Records what reaches the policy position of the pipeline (a stand-in for the Rego policy stage).
  const recorder: Stage = { name: 'policy', onSettled: (ctx) => void seen.push({ tool: ctx.tool, protocol: ctx.request.protocol, method: ctx.request.method, allow: ctx.decision.allow }) };
  const stages = [bearerIdentityStage(), recorder, piiStage({ config: piiConfigSchema.parse({}) })];
  gateway = await startA2aGateway(config, stages);
  base = gateway.base;
});

afterAll(async () => {
  await gateway?.close();
  await streamer?.close();
});

describe('A2A v0.3 callers', () => {
  it('streams through warden with the v0.3 client (message/stream), scrubbed, named like v1.0 calls', async () => {
    const transport = new LegacyJsonRpcTransport({ endpoint: `${base}/a2a/streamer`, fetchImpl: fetchAs('agent-v03') });
    const texts: string[] = [];
    for await (const ev of transport.sendMessageStream({ tenant: '', message: userMessage([textPart('old client')]), configuration: undefined, metadata: undefined })) {
      if (ev.payload?.$case === 'artifactUpdate') texts.push(textOf(ev.payload.value.artifact));
    }
    expect(texts).toEqual(['chunk 1', 'chunk 2: old client']);
    expect(streamer.received.at(-1)!.method).toBe('message/stream');
    expect(seen.at(-1)).toMatchObject({ protocol: 'a2a', method: 'message/stream', allow: true, tool: { name: 'streamer:SendStreamingMessage', upstream: 'streamer', upstreamName: 'message/stream' } });
  });

  it('relays a raw v0.3 stream as SSE: scrubbed on the way in, every event answering the caller\'s id', async () => {
    const res = await fetch(`${base}/a2a/streamer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer agent-v03', 'a2a-version': '0.3', accept: 'text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 'raw', method: 'message/stream', params: { message: { kind: 'message', messageId: 'm1', role: 'user', parts: [{ kind: 'text', text: 'write to a@b.example' }] } } }),
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await res.text();
    expect(text).not.toContain('a@b.example');
    expect(text).toContain('[REDACTED:EMAIL_ADDRESS]');
    expect(text.split('\n\n').filter((e) => e.startsWith('data: ')).every((e) => (JSON.parse(e.slice(6)) as { id: string }).id === 'raw')).toBe(true);
  });
});

describe('agent card rewriting', () => {
  it('keeps only the JSON-RPC interfaces, pointed at warden, and makes JSONRPC the preferred transport', () => {
    const card = {
      name: 'x',
      url: 'https://agent.internal/grpc',
      preferredTransport: 'GRPC',
      additionalInterfaces: [
        { url: 'https://agent.internal/grpc', transport: 'GRPC' },
        { url: 'https://agent.internal/rpc', transport: 'JSONRPC' },
        { url: 'https://agent.internal/rest', transport: 'HTTP+JSON' },
      ],
      skills: [{ id: 's', name: 'S' }],
      'x-vendor': { keep: 1 },
    };
    const out = rewriteAgentCard(card, 'https://warden.example/a2a/x');
    expect(out).toEqual({
      name: 'x',
      url: 'https://warden.example/a2a/x',
      preferredTransport: 'JSONRPC',
      additionalInterfaces: [{ url: 'https://warden.example/a2a/x', transport: 'JSONRPC' }],
      skills: [{ id: 's', name: 'S' }],
      'x-vendor': { keep: 1 },
    });
    expect(card.url).toBe('https://agent.internal/grpc'); // the input is not modified
  });
});
