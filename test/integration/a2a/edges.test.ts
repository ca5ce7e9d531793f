/**
 * A2A edges through warden with real SDK peers: PII blocked mid-stream, an agent that is
 * down, push notifications allowed per agent, a caller that hangs up mid-stream.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditConfigSchema } from '../../../src/audit/config.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { piiConfigSchema } from '../../../src/pii/config.ts';
import { auditStage } from '../../../src/stages/audit/index.ts';
import { piiStage } from '../../../src/stages/pii/index.ts';
import { readRecords } from '../../unit/audit/helpers.ts';
import { bearerIdentityStage } from '../mcp/harness.ts';
import { clientFor, startPeer, textOf, textPart, userMessage, type Peer } from './peers.ts';
import { startA2aGateway, type A2aGateway } from './gateway.ts';

let root: string;
let streamer: Peer;
let slow: Peer;
let echo: Peer;
let sleepy: Peer;
let gateway: A2aGateway;
let base: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'warden-a2a-edges-'));
  streamer = await startPeer('stream', { chunks: 3 });
  // Long enough (400 events, 10 ms apart) that the caller hangs up well before the end.
  slow = await startPeer('stream', { chunks: 400, withContact: false, gapMs: 10 });
  echo = await startPeer('echo');
  // Goes quiet for 5 s after its first chunk; warden waits at most 300 ms between events.
  sleepy = await startPeer('stream', { chunks: 2, withContact: false, gapMs: 5000 });
  const config = parseConfig({
    server: { port: 0 },
    upstreams: [{ name: 'unused', url: 'http://127.0.0.1:9/mcp' }],
    a2a: {
      agents: [
        { name: 'streamer', url: streamer.rpcUrl },
        { name: 'slow', url: slow.rpcUrl },
        { name: 'pushy', url: echo.rpcUrl, allowPushNotifications: true },
        { name: 'sleepy', url: sleepy.rpcUrl, timeoutMs: 300 },
        // Port 9 (discard) on loopback: nothing listens there.
        { name: 'down', url: 'http://127.0.0.1:9/rpc', timeoutMs: 2000 },
      ],
    },
  });
  const stages = [
    bearerIdentityStage(),
    piiStage({ config: piiConfigSchema.parse({ actions: { EMAIL_ADDRESS: 'block' } }) }),
    auditStage({ config: auditConfigSchema.parse({ dir: join(root, 'audit'), flushIntervalMs: 5 }) }),
  ];
  gateway = await startA2aGateway(config, stages);
  base = gateway.base;
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all([streamer?.close(), slow?.close(), echo?.close(), sleepy?.close()]);
  if (root) await rm(root, { recursive: true, force: true });
});

const send = (text: string) => ({ tenant: '', message: userMessage([textPart(text)]), configuration: undefined, metadata: undefined });

describe('A2A edges', () => {
  it('stops a stream at the event that carries blocked PII: the caller gets what came before, then WARDEN_PII_BLOCKED', async () => {
    const client = await clientFor(`${base}/a2a/streamer/`, 'agent-a');
    const seen: string[] = [];
    const err = (await (async () => {
      for await (const ev of client.sendMessageStream(send('go'))) {
        seen.push(ev.payload?.$case === 'artifactUpdate' ? textOf(ev.payload.value.artifact) : String(ev.payload?.$case));
      }
    })().catch((e: unknown) => e)) as Error & { cause?: { data?: { code?: string } } };
    expect(seen).toEqual(['task', 'statusUpdate', 'chunk 1']);
    expect(err.cause?.data?.code).toBe('WARDEN_PII_BLOCKED');
    expect(err.message).not.toContain('ops@agent.example');
  });

  it('answers WARDEN_UPSTREAM_UNAVAILABLE when the agent is down, for the card and for calls', async () => {
    const card = await fetch(`${base}/a2a/down/.well-known/agent-card.json`);
    expect(card.status).toBe(502);
    expect(((await card.json()) as { error: { data: { code: string } } }).error.data.code).toBe('WARDEN_UPSTREAM_UNAVAILABLE');
    const res = await fetch(`${base}/a2a/down`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer agent-a' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'GetTask', params: { id: 't' } }),
    });
    const body = (await res.json()) as { id: number; error: { code: number; data: { code: string; decisionId: string } } };
    expect(res.status).toBe(502);
    expect(body.id).toBe(5);
    expect(body.error.data.code).toBe('WARDEN_UPSTREAM_UNAVAILABLE');
    // Not -32002 (A2A's TaskNotCancelable): warden's own codes are the generic server error on this endpoint.
    expect(body.error.code).toBe(-32000);
    expect(body.error.data.decisionId).toMatch(/^[0-9a-f]{24}$/);
  });

  it('ends a stream whose agent goes quiet past timeoutMs with WARDEN_UPSTREAM_TIMEOUT, after the events that came', async () => {
    const client = await clientFor(`${base}/a2a/sleepy/`, 'agent-a');
    const seen: string[] = [];
    const err = (await (async () => {
      for await (const ev of client.sendMessageStream(send('take your time'))) seen.push(String(ev.payload?.$case));
    })().catch((e: unknown) => e)) as Error & { cause?: { data?: { code?: string } } };
    expect(seen).toEqual(['task', 'statusUpdate', 'artifactUpdate']);
    expect(err.cause?.data?.code).toBe('WARDEN_UPSTREAM_TIMEOUT');
  });

  it('relays push-notification methods to an agent that allows them, with the agent’s own answer', async () => {
    const res = await fetch(`${base}/a2a/pushy`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer agent-a', 'a2a-version': '1.0' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 'p', method: 'CreateTaskPushNotificationConfig', params: { taskId: 't1', url: 'https://callback.example/hook' } }),
    });
    const body = (await res.json()) as { error?: { code: number; data?: { code?: string } } };
    // The SDK peer has no push support: its A2A error (not a warden refusal) comes back untouched.
    expect(body.error?.data?.code).toBeUndefined();
    expect(echo.received.at(-1)?.method).toBe('CreateTaskPushNotificationConfig');
  });

  it('a caller hanging up mid-stream makes warden hang up on the agent; the call is audited once, as allowed', async () => {
    const abort = new AbortController();
    const client = await clientFor(`${base}/a2a/slow/`, 'agent-b');
    let events = 0;
    await (async () => {
      for await (const _ of client.sendMessageStream(send('long job'), { signal: abort.signal })) {
        if (++events === 3) {
          abort.abort();
          break;
        }
      }
    })().catch(() => undefined);
    expect(events).toBe(3);
    await expect.poll(() => slow.cutShort).toBe(1);
    await gateway.close();
    const records = (await readRecords(join(root, 'audit'))).filter((r) => r.kind === 'call' && r.agent === 'agent-b');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ decision: 'allow', tool: 'slow:SendStreamingMessage' });
  });
});
