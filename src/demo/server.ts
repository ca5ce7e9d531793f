/**
 * The built-in demo MCP server behind `npm start`: a real SDK McpServer with a few
 * tools worth guarding (one returns PII, one is destructive), a resource and a prompt.
 * It listens on a loopback port of its own; warden reaches it as an HTTP upstream.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

const CUSTOMERS: Record<string, { name: string; email: string; phone: string; ssn: string; card: string; plan: string }> = {
  '42': { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+1 415-555-0142', ssn: '078-05-1120', card: '4111 1111 1111 1111', plan: 'pro' },
  '7': { name: 'Alan Turing', email: 'alan@example.org', phone: '+44 20 7946 0958', ssn: '219-09-9999', card: '5555 5555 5555 4444', plan: 'free' },
};

/** A fresh demo server (one per MCP session, as the SDK expects). */
export function createDemoMcpServer(): McpServer {
  const server = new McpServer({ name: 'warden-demo', version: '0.1.0' }, { capabilities: { logging: {} } });

  server.registerTool(
    'echo',
    { title: 'Echo', description: 'Returns the text it is given.', inputSchema: { text: z.string() }, annotations: { readOnlyHint: true } },
    async ({ text }) => ({ content: [{ type: 'text', text }] }),
  );

  server.registerTool(
    'get_customer',
    {
      title: 'Get customer',
      description: 'Looks up a customer record (contains PII: email, phone, SSN, card number). Try id 42 or 7.',
      inputSchema: { id: z.string() },
      annotations: { readOnlyHint: true },
    },
    async ({ id }) => {
      const customer = CUSTOMERS[id];
      if (!customer) return { isError: true, content: [{ type: 'text', text: `no customer with id ${id}` }] };
      return { content: [{ type: 'text', text: JSON.stringify({ id, ...customer }) }], structuredContent: { id, ...customer } };
    },
  );

  server.registerTool(
    'delete_records',
    {
      title: 'Delete records',
      description: 'Deletes records from a table (pretend: nothing is stored). Destructive.',
      inputSchema: { table: z.string(), ids: z.array(z.string()).optional() },
      annotations: { destructiveHint: true, readOnlyHint: false },
    },
    async ({ table, ids }) => ({ content: [{ type: 'text', text: `deleted ${ids?.length ?? 'all'} records from ${table}` }] }),
  );

  server.registerResource(
    'readme',
    'demo://readme',
    { title: 'Demo README', description: 'What this demo server offers', mimeType: 'text/markdown' },
    async (uri) => ({
      contents: [{ uri: uri.href, mimeType: 'text/markdown', text: '# warden demo\n\nTools: echo, get_customer (PII), delete_records (destructive).' }],
    }),
  );

  server.registerPrompt(
    'summarize_customer',
    { title: 'Summarize a customer', description: 'Asks the model to summarize a customer record', argsSchema: { id: z.string() } },
    ({ id }) => ({ messages: [{ role: 'user', content: { type: 'text', text: `Call get_customer with id ${id} and summarize the account in two sentences.` } }] }),
  );

  return server;
}

export interface RunningDemo {
  url: string;
  close(): Promise<void>;
}

export interface DemoServerOptions {
  /** Refuse requests whose Authorization header is not exactly this (shows warden authenticating upstream). */
  requireAuthorization?: string;
}

/** Serves the demo over Streamable HTTP on `host:port` (port 0 = any free port). */
export async function startDemoServer(host = '127.0.0.1', port = 0, options: DemoServerOptions = {}): Promise<RunningDemo> {
  const transports = new Map<string, StreamableHTTPServerTransport>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (options.requireAuthorization !== undefined && req.headers.authorization !== options.requireAuthorization) {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' }).end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Unauthorized' } }));
      return;
    }
    const sid = req.headers['mcp-session-id'];
    const existing = typeof sid === 'string' ? transports.get(sid) : undefined;
    if (existing) return existing.handleRequest(req, res);
    if (sid !== undefined || req.method !== 'POST') {
      res.writeHead(sid === undefined ? 400 : 404, { 'content-type': 'application/json' }).end(
        JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message: sid === undefined ? 'Mcp-Session-Id required' : 'Session not found' } }),
      );
      return;
    }
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void transports.set(id, transport),
      onsessionclosed: (id) => void transports.delete(id),
    });
    transport.onclose = () => {
      if (transport.sessionId) transports.delete(transport.sessionId);
    };
    await createDemoMcpServer().connect(transport);
    await transport.handleRequest(req, res);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${actual}/mcp`,
    async close() {
      await Promise.allSettled([...transports.values()].map((t) => t.close()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
