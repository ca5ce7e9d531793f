import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer, type RunningDemo } from '../../../src/demo/server.ts';
import { redisAvailable, startRedis, type RedisServer } from '../../helpers/redis.ts';

const REPLICA = fileURLToPath(new URL('./fixtures/warden-replica.ts', import.meta.url));
// Low enough that two loaded CI cores can push more calls than the limit through warden and the upstream.
const LIMIT = 5;
const BURST = 2;

function startReplica(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', REPLICA], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('http'));
      if (line) resolve({ url: line.trim(), child });
    });
    child.once('exit', (code) => reject(new Error(`replica exited (${code}): ${err}`)));
  });
}

async function connect(url: string, agent: string, sessionId?: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${agent}` } },
    ...(sessionId ? { sessionId } : {}),
  });
  const client = new Client({ name: 'two-wardens-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport };
}

/** 'ok', or the WARDEN_* code the call was refused with. */
async function echo(client: Client, text: string): Promise<string> {
  try {
    const result = await client.callTool({ name: 'echo', arguments: { text } });
    const content = result.content as Array<{ type: string; text?: string }>;
    return content[0]?.text === text ? 'ok' : `unexpected ${JSON.stringify(result)}`;
  } catch (err) {
    return /WARDEN_[A-Z_]+/.exec(String(err))?.[0] ?? String(err);
  }
}

describe.skipIf(!redisAvailable())('two warden processes sharing one Redis', () => {
  let redis: RedisServer;
  let demo: RunningDemo;
  let a: { url: string; child: ChildProcess };
  let b: { url: string; child: ChildProcess };
  const clients: Client[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    demo = await startDemoServer('127.0.0.1', 0);
    const env = { REDIS_URL: redis.url, UPSTREAM_URL: demo.url, LIMIT: String(LIMIT), BURST: String(BURST), KEY_PREFIX: `two-wardens-${Date.now()}:` };
    [a, b] = await Promise.all([startReplica(env), startReplica(env)]);
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    for (const r of [a, b]) {
      if (r && r.child.exitCode === null) {
        await new Promise((resolve) => {
          r.child.once('exit', resolve);
          r.child.kill('SIGTERM');
          setTimeout(() => r.child.kill('SIGKILL'), 5000).unref();
        });
      }
    }
    await demo?.close();
    await redis?.stop();
  });

  it('continues an MCP session created on one replica on the other', async () => {
    const onA = await connect(a.url, 'mover');
    clients.push(onA.client);
    expect(await echo(onA.client, 'hello from A')).toBe('ok');
    const sessionId = onA.transport.sessionId;
    expect(sessionId).toBeTruthy();

    // Same session id, other replica: no new initialize, the call goes through.
    const onB = await connect(b.url, 'mover', sessionId);
    clients.push(onB.client);
    expect(onB.transport.sessionId).toBe(sessionId);
    expect(await echo(onB.client, 'hello from B')).toBe('ok');

    // Another identity cannot borrow the session on either replica.
    const thief = await connect(b.url, 'someone-else', sessionId);
    clients.push(thief.client);
    expect(await echo(thief.client, 'mine now')).toBe('WARDEN_SESSION_FORBIDDEN');
  }, 30_000);

  it('holds one agent to its limit across both replicas, within 5%', async () => {
    const onA = await connect(a.url, 'busy-agent');
    const onB = await connect(b.url, 'busy-agent');
    clients.push(onA.client, onB.client);
    const durationMs = 8000;
    const deadline = Date.now() + durationMs;
    const counts = { a: { ok: 0, limited: 0 }, b: { ok: 0, limited: 0 } };
    const other: string[] = [];
    const worker = async (client: Client, replica: 'a' | 'b') => {
      while (Date.now() < deadline) {
        const r = await echo(client, 'x');
        if (r === 'ok') counts[replica].ok++;
        else if (r === 'WARDEN_RATE_LIMITED') counts[replica].limited++;
        else return void other.push(r);
      }
    };
    await Promise.all([worker(onA.client, 'a'), worker(onA.client, 'a'), worker(onA.client, 'a'), worker(onB.client, 'b'), worker(onB.client, 'b'), worker(onB.client, 'b')]);
    expect(other).toEqual([]);
    // Both replicas served the agent and both were pushed past the limit (else the test proves nothing).
    for (const c of [counts.a, counts.b]) {
      expect(c.ok, JSON.stringify(counts)).toBeGreaterThan(0);
      expect(c.limited, JSON.stringify(counts)).toBeGreaterThan(0);
    }
    const expected = BURST + (LIMIT * durationMs) / 1000;
    expect(Math.abs(counts.a.ok + counts.b.ok - expected) / expected, JSON.stringify({ counts, expected })).toBeLessThan(0.05);
  }, 60_000);
});
