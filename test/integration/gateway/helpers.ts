/** Helpers for end-to-end gateway tests: warden started the way `warden serve` starts it, real upstreams, real clients. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import { parseConfig } from '../../../src/config/load.ts';
import type { WardenConfig, WardenConfigInput } from '../../../src/config/schema.ts';
import { startWarden, type RunningWarden } from '../../../src/gateway/start.ts';
import { mintDevToken } from '../../../src/identity/dev-issuer.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { createMetrics, type WardenMetrics } from '../../../src/observability/metrics.ts';

export const REGO_DIR = fileURLToPath(new URL('../../../rego', import.meta.url));

export function tempDir(prefix = 'warden-gw-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Agent manifests: `writer` may use every tool and detokenize; `reader` may only echo. */
export function writeAgents(dir: string): string {
  const agents = join(dir, 'agents');
  mkdirSync(agents, { recursive: true });
  writeFileSync(join(agents, 'writer.yaml'), 'name: writer\nowner: w@example.com\nupstreams: ["*"]\ntools: ["*"]\ndetokenize: true\n');
  writeFileSync(join(agents, 'reader.yaml'), 'name: reader\nowner: r@example.com\nupstreams: ["*"]\ntools: ["echo", "*__echo"]\nlimits:\n  rate: 2/1m\n  burst: 2\n');
  return agents;
}

/** A full warden configuration in `dir` (dev issuer, audit, PII on) over the given upstreams. */
export function gatewayConfig(dir: string, upstreams: WardenConfigInput['upstreams'], extra: Partial<WardenConfigInput> = {}): Readonly<WardenConfig> {
  return parseConfig({
    server: { port: 0 },
    upstreams,
    agentsDir: writeAgents(dir),
    policy: { dir: REGO_DIR, hotReload: false },
    log: { level: 'silent' },
    ...extra,
    identity: { devIssuer: true, devIssuerKeyFile: join(dir, 'dev.jwk'), task: { issuerKeyFile: join(dir, 'task.jwk') }, ...extra.identity },
    audit: { dir: join(dir, 'audit'), flushIntervalMs: 10, ...extra.audit },
  });
}

export interface StartedWarden extends RunningWarden {
  metrics: WardenMetrics;
  config: Readonly<WardenConfig>;
  /** A dev token for an agent, audienced to the gateway's real URL. */
  token(agent: string): Promise<string>;
}

export async function startTestWarden(config: Readonly<WardenConfig>): Promise<StartedWarden> {
  const metrics = createMetrics();
  const running = await startWarden(config, { logger: silentLogger, metrics });
  return {
    ...running,
    metrics,
    config,
    token: (agent) => mintDevToken({ keyFile: config.identity.devIssuerKeyFile, agent, ttlS: 300, audience: running.gateway.resource() }),
  };
}

/** A real SDK client through warden with these extra request headers. */
export async function connect(url: string, headers: Record<string, string>): Promise<Client> {
  const client = new Client({ name: 'gw-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

export interface RecordingUpstream {
  url: string;
  /** Headers of every HTTP request the upstream received. */
  seen: IncomingHttpHeaders[];
  close(): Promise<void>;
}

/** A real MCP SDK server (stateless Streamable HTTP) with `echo` and `contact`, recording request headers. */
export async function startRecordingUpstream(): Promise<RecordingUpstream> {
  const seen: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.headers);
    const mcp = new McpServer({ name: 'recording', version: '1.0.0' });
    mcp.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: 'text', text }] }));
    mcp.registerTool('contact', { inputSchema: {} }, async () => ({ content: [{ type: 'text', text: 'write to jane.doe@example.com' }] }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => void transport.close());
    void mcp.connect(transport).then(() => transport.handleRequest(req, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A tiny OAuth token endpoint for client_credentials: answers `token` to `clientId:secret`, counts requests. */
export async function startTokenEndpoint(clientId: string, secret: string, token: string): Promise<{ url: string; grants: string[]; close(): Promise<void> }> {
  const grants: string[] = [];
  const expected = `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      grants.push(form.get('grant_type') ?? '');
      if (req.headers.authorization !== expected || form.get('grant_type') !== 'client_credentials') {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 300 }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/token`, grants, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Text of the first content block of a tool result. */
export function textOf(result: unknown): string {
  return (result as { content?: Array<{ text?: string }> }).content?.[0]?.text ?? '';
}
