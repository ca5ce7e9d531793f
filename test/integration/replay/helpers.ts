import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import express from 'express';
import { afterEach } from 'vitest';
import { z } from 'zod';

/** Closers run after each test, last first. */
export const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!().catch(() => undefined);
});

/** A fresh directory, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'warden-replay-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A real MCP server (SDK, stateless Streamable HTTP) with a counter so replays are distinguishable from live calls. */
export async function realUpstream(): Promise<{ url: string; calls: () => number }> {
  let calls = 0;
  const app = express();
  app.use(express.json());
  app.post('/mcp', async (req, res) => {
    const server = new McpServer({ name: 'real-upstream', version: '1.0.0' });
    server.registerTool('echo', { description: 'echo', inputSchema: { text: z.string() } }, async ({ text }) => {
      calls++;
      return { content: [{ type: 'text', text: `echo #${calls}: ${text}` }] };
    });
    server.registerTool('fail', { description: 'always fails', inputSchema: {} }, async () => {
      calls++;
      throw new Error('the upstream broke');
    });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => void transport.close());
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  const http = app.listen(0, '127.0.0.1');
  await new Promise((r) => http.once('listening', r));
  cleanup.push(() => new Promise((r) => { http.closeAllConnections(); http.close(r); }));
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`, calls: () => calls };
}

/** A connected MCP SDK client, closed after the test. */
export async function connect(url: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'test-client', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  cleanup.push(() => client.close());
  return client;
}

/** The first text block of a tool result. */
export function text(result: unknown): string {
  return (result as { content: { text: string }[] }).content[0]!.text;
}
