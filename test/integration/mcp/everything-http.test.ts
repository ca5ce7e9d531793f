/** warden in front of @modelcontextprotocol/server-everything over Streamable HTTP. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, startGateway, textOf, type Running } from './harness.ts';

const EVERYTHING = fileURLToPath(new URL('../../../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

describe('warden in front of server-everything (Streamable HTTP)', () => {
  let upstream: ChildProcess;
  let gw: Running;
  beforeAll(async () => {
    const port = await freePort();
    upstream = spawn(process.execPath, [EVERYTHING, 'streamableHttp'], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const onData = (c: Buffer): void => {
        out += c.toString();
        if (/listening on port/i.test(out)) resolve();
      };
      upstream.stdout!.on('data', onData);
      upstream.stderr!.on('data', onData);
      upstream.once('exit', () => reject(new Error(out)));
    });
    gw = await startGateway({ upstreams: [{ name: 'everything', url: `http://127.0.0.1:${port}/mcp`, timeoutMs: 20_000 }] });
  });
  afterAll(async () => {
    await gw?.close();
    upstream?.kill();
  });

  it('passes the upstream identity and tools through, including tools registered after initialization', async () => {
    const { client } = await connectClient(gw.url);
    expect(client.getServerVersion()?.name).toMatch(/everything/i);
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toContain('echo');
    // Registered only once the server saw the client's sampling capability and initialized notification.
    expect(names).toContain('trigger-sampling-request');
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'through warden' } }))).toContain('through warden');
    await client.close();
  });

  it('round-trips sampling and elicitation to the calling client', async () => {
    const { client } = await connectClient(gw.url, { sampleReply: 'sampled-by-client', elicitAnswer: 'ignored' });
    const sampled = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hello', maxTokens: 10 } });
    expect(JSON.stringify(sampled)).toContain('sampled-by-client');
    const elicited = await client.callTool({ name: 'trigger-elicitation-request', arguments: {} });
    expect(JSON.stringify(elicited)).toMatch(/accept/i);
    await client.close();
  });

  it('relays progress of a long-running operation', async () => {
    const { client } = await connectClient(gw.url);
    const seen: number[] = [];
    await client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 1, steps: 3 } }, undefined, { onprogress: (p) => seen.push(p.progress) });
    expect(seen.length).toBe(3);
    await client.close();
  });

  it('ends the upstream session when the client deletes its session', async () => {
    const { client, transport } = await connectClient(gw.url);
    const id = transport.sessionId!;
    await transport.terminateSession();
    const res = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': id, authorization: 'Bearer agent-a' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { data: { code: string } } }).error.data.code).toBe('WARDEN_SESSION_NOT_FOUND');
    await client.close();
  });
});
