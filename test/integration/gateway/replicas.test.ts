/** Two gateways sharing one real redis-server: sessions move between replicas, task budgets are shared and counted once. */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisAvailable, startRedis, type RedisServer } from '../../helpers/redis.ts';
import { gatewayConfig, startRecordingUpstream, startTestWarden, tempDir, textOf, type RecordingUpstream, type StartedWarden } from './helpers.ts';

describe.skipIf(!redisAvailable())('replicas sharing Redis', () => {
  let redis: RedisServer;
  let upstream: RecordingUpstream;
  let a: StartedWarden;
  let b: StartedWarden;
  const clients: Client[] = [];

  beforeAll(async () => {
    [redis, upstream] = await Promise.all([startRedis(), startRecordingUpstream()]);
    // Behind one load balancer both replicas are the same resource, with the same issuer keys.
    const config = gatewayConfig(tempDir(), [{ name: 'up', url: upstream.url }], {
      server: { port: 0, publicUrl: 'http://warden.test' },
      limits: { redis: { url: redis.url, keyPrefix: `gw-replicas-${Date.now()}:` } },
    });
    a = await startTestWarden(config);
    b = await startTestWarden(config);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await Promise.all([a?.close(), b?.close()]);
    await Promise.all([upstream?.close(), redis?.stop()]);
  });

  async function client(url: string, headers: Record<string, string>, sessionId?: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
    const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers }, ...(sessionId ? { sessionId } : {}) });
    const c = new Client({ name: 'replica-test', version: '1.0.0' });
    await c.connect(transport);
    clients.push(c);
    return { client: c, transport };
  }

  /** 'ok' or the WARDEN_* code of the refusal. */
  async function echo(c: Client): Promise<string> {
    return c.callTool({ name: 'echo', arguments: { text: 'x' } }).then(
      (r) => (textOf(r) === 'x' ? 'ok' : 'unexpected'),
      (e: Error) => /WARDEN_[A-Z_]+/.exec(e.message)?.[0] ?? e.message,
    );
  }

  async function exchange(form: Record<string, string>): Promise<string> {
    const res = await fetch(new URL('/oauth/token', a.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token_type: 'urn:ietf:params:oauth:token-type:access_token', ...form }),
    });
    const body = (await res.json()) as { access_token?: string };
    expect(res.status, JSON.stringify(body)).toBe(200);
    return body.access_token!;
  }

  it('continues on replica B a session initialized on replica A', async () => {
    const auth = { authorization: `Bearer ${await a.token('writer')}` };
    const first = await client(a.url, auth);
    expect(await echo(first.client)).toBe('ok');
    const sessionId = first.transport.sessionId!;
    expect(sessionId).toBeTruthy();
    const second = await client(b.url, auth, sessionId);
    expect(await echo(second.client)).toBe('ok');
  });

  it('shares a task budget across replicas, and a sub-task spends its parent’s budget', async () => {
    const writer = await a.token('writer');
    const reader = await a.token('reader');
    const parent = await exchange({ subject_token: writer, authorization_details: JSON.stringify([{ type: 'agent_task', tools: [{ name: 'echo' }], budget: 3 }]) });
    const child = await exchange({ subject_token: parent, subject_token_type: 'urn:ietf:params:oauth:token-type:jwt', actor_token: reader, authorization_details: JSON.stringify([{ type: 'agent_task', tools: [{ name: 'echo' }], budget: 3 }]) });
    const onA = await client(a.url, { authorization: `Bearer ${writer}`, 'x-warden-task': parent });
    const onB = await client(b.url, { authorization: `Bearer ${writer}`, 'x-warden-task': parent });
    const childOnB = await client(b.url, { authorization: `Bearer ${reader}`, 'x-warden-task': child });
    const childOnA = await client(a.url, { authorization: `Bearer ${reader}`, 'x-warden-task': child });
    expect(await echo(onA.client)).toBe('ok');
    expect(await echo(onB.client)).toBe('ok');
    expect(await echo(childOnB.client)).toBe('ok');
    // Three calls spent the parent's budget of 3, whichever replica and whichever task made them.
    expect(await echo(childOnA.client)).toBe('WARDEN_TASK_BUDGET');
    expect(await echo(onA.client)).toBe('WARDEN_TASK_BUDGET');
  });
});
