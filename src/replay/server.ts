/**
 * A minimal Streamable HTTP MCP server (no SDK) that stands in for an upstream:
 *   replay       answer every request from a cassette; unknown requests get a JSON-RPC error
 *   record       forward to the real upstream, answer with its reply, append the exchange to the cassette
 *   passthrough  forward to the real upstream, record nothing
 * The modes follow undici's snapshot agent. Only POST with single JSON-RPC
 * messages is served (answers are plain JSON); GET (server stream) is 405.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Cassette, CassetteWriter, type CassetteEntry, type JsonRpcErrorShape } from './cassette.ts';

export type ReplayMode = 'record' | 'replay' | 'passthrough';

export interface ReplayServerOptions {
  mode: ReplayMode;
  /** The cassette file (JSONL). Read in replay mode, appended to in record mode. */
  cassette: string;
  /** The real upstream's MCP endpoint (record and passthrough). */
  upstream?: string;
  host?: string;
  /** 0 (default) lets the OS choose. */
  port?: number;
  /** Largest request body accepted. */
  maxBodyBytes?: number;
  /** Record mode: append to an existing cassette instead of starting it afresh (default false). */
  append?: boolean;
  /** Headers sent to the upstream on every request (e.g. its own Authorization); never written to the cassette. */
  upstreamHeaders?: Record<string, string>;
}

export interface ReplayServer {
  /** The MCP endpoint, e.g. http://127.0.0.1:41234/mcp */
  readonly url: string;
  readonly mode: ReplayMode;
  /** Exchanges written to the cassette so far (record mode). */
  readonly recorded: number;
  close(): Promise<void>;
}

interface JsonRpcMessage {
  jsonrpc?: string;
  id?: string | number | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: JsonRpcErrorShape;
}

/** Codes of the errors the replayer itself returns. */
export const REPLAY_NOT_RECORDED = -32001;

const SERVER_INFO = { name: 'warden-replay', version: '0.1.0' };

/** Starts the replay server on 127.0.0.1 (port chosen by the OS unless given). */
export async function startReplayServer(options: ReplayServerOptions): Promise<ReplayServer> {
  const { mode } = options;
  if (mode !== 'replay' && !options.upstream) throw new Error(`replay server: mode ${mode} needs an upstream URL`);
  const cassette = mode === 'replay' ? await Cassette.load(options.cassette) : undefined;
  if (mode === 'record' && !options.append) await rm(options.cassette, { force: true });
  const writer = mode === 'record' ? new CassetteWriter(options.cassette) : undefined;
  const maxBody = options.maxBodyBytes ?? 4 * 1024 * 1024;
  /** Our session id → the upstream's (record/passthrough). */
  const sessions = new Map<string, string | undefined>();

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { jsonrpc: '2.0', id: null, error: { code: -32603, message: `replay server: ${(err as Error).message}` } });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'DELETE') {
      const sid = header(req, 'mcp-session-id');
      if (sid) sessions.delete(sid);
      res.writeHead(200).end();
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST, DELETE' }).end();
      return;
    }
    const body = await readBody(req, maxBody);
    let msg: JsonRpcMessage;
    try {
      msg = JSON.parse(body) as JsonRpcMessage;
    } catch {
      sendJson(res, 400, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
      return;
    }
    if (Array.isArray(msg) || typeof msg !== 'object' || msg === null || typeof msg.method !== 'string') {
      sendJson(res, 400, { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'expected one JSON-RPC request or notification' } });
      return;
    }
    const isRequest = msg.id !== undefined && msg.id !== null;
    if (mode === 'replay') {
      replay(res, msg, isRequest);
      return;
    }
    await forward(req, res, body, msg, isRequest);
  }

  function replay(res: ServerResponse, msg: JsonRpcMessage, isRequest: boolean): void {
    if (!isRequest) {
      res.writeHead(202).end();
      return;
    }
    const method = msg.method!;
    let entry: CassetteEntry | undefined;
    const headers: Record<string, string> = {};
    if (method === 'initialize') {
      // Client info and capabilities differ between runs; any recorded initialize will do.
      entry = cassette!.entries.find((e) => e.method === 'initialize') ?? {
        method,
        result: {
          protocolVersion: (msg.params as { protocolVersion?: string } | undefined)?.protocolVersion ?? '2025-06-18',
          capabilities: { tools: {} },
          serverInfo: SERVER_INFO,
        },
      };
      const sid = randomUUID();
      sessions.set(sid, undefined);
      headers['mcp-session-id'] = sid;
    } else if (method === 'ping') {
      entry = { method, result: {} };
    } else {
      entry = cassette!.find(method, msg.params);
    }
    if (!entry) {
      sendJson(res, 200, {
        jsonrpc: '2.0', id: msg.id,
        error: {
          code: REPLAY_NOT_RECORDED,
          message: `no recorded exchange for ${method} ${JSON.stringify(msg.params ?? {})}`.slice(0, 500),
          data: { code: 'WARDEN_REPLAY_NOT_RECORDED', reason: 'requests match on method + canonical params; record the session again if the agent changed' },
        },
      });
      return;
    }
    sendJson(res, 200, entry.error ? { jsonrpc: '2.0', id: msg.id, error: entry.error } : { jsonrpc: '2.0', id: msg.id, result: entry.result ?? null }, headers);
  }

  async function forward(req: IncomingMessage, res: ServerResponse, body: string, msg: JsonRpcMessage, isRequest: boolean): Promise<void> {
    const ourSession = header(req, 'mcp-session-id');
    const upstreamSession = ourSession ? sessions.get(ourSession) : undefined;
    const headers: Record<string, string> = { ...options.upstreamHeaders, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const version = header(req, 'mcp-protocol-version');
    if (version) headers['mcp-protocol-version'] = version;
    if (upstreamSession) headers['mcp-session-id'] = upstreamSession;
    const upstreamRes = await fetch(options.upstream!, { method: 'POST', headers, body });
    const replyHeaders: Record<string, string> = {};
    if (msg.method === 'initialize') {
      const sid = randomUUID();
      sessions.set(sid, upstreamRes.headers.get('mcp-session-id') ?? undefined);
      replyHeaders['mcp-session-id'] = sid;
    }
    if (!isRequest) {
      await upstreamRes.arrayBuffer();
      res.writeHead(upstreamRes.status === 202 ? 202 : upstreamRes.status).end();
      return;
    }
    const reply = await readReply(upstreamRes, msg.id!);
    if (!reply) {
      sendJson(res, 502, { jsonrpc: '2.0', id: msg.id, error: { code: -32603, message: `upstream answered ${upstreamRes.status} without a JSON-RPC response` } });
      return;
    }
    if (writer && msg.method !== 'ping') {
      const entry: CassetteEntry = { method: msg.method!, headers: flatHeaders(req) };
      if (msg.params !== undefined) entry.params = msg.params;
      if (reply.error) entry.error = reply.error;
      else entry.result = reply.result;
      writer.write(entry);
    }
    sendJson(res, 200, { jsonrpc: '2.0', id: msg.id, ...(reply.error ? { error: reply.error } : { result: reply.result }) }, replyHeaders);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}/mcp`,
    mode,
    get recorded() {
      return writer?.count ?? 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await writer?.close();
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw new Error(`request body over ${max} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The JSON-RPC response with the given id, from a JSON or an SSE reply. */
async function readReply(res: Response, id: string | number): Promise<JsonRpcMessage | undefined> {
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  const candidates: unknown[] = [];
  if (type.includes('text/event-stream')) {
    for (const event of text.split(/\r?\n\r?\n/)) {
      const data = event.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
      if (data) candidates.push(safeParse(data));
    }
  } else {
    candidates.push(safeParse(text));
  }
  for (const c of candidates.flat()) {
    const m = c as JsonRpcMessage | undefined;
    if (m && m.id === id && (m.result !== undefined || m.error !== undefined)) return m;
  }
  return undefined;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
