/**
 * Micro-benchmark of warden's MCP layer: parse → authenticate → session → route →
 * pipeline (forward only) → serialise the answer, for one tools/call, in-process.
 * The upstream is an in-memory connection that answers at once, and the HTTP
 * request/response are minimal in-memory stand-ins, so the figure is warden's own work.
 * Budget: JSON-RPC parse/route/session ≤ 10 µs. Run: npx tsx bench/mcp.bench.ts
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import type { MicroResult } from './micro.ts';
import { parseConfig } from '../src/config/load.ts';
import { silentLogger } from '../src/observability/logger.ts';
import { createPipeline } from '../src/pipeline/pipeline.ts';
import { createMcpEndpoint } from '../src/protocol/mcp/endpoint.ts';
import { MemorySessionStore } from '../src/protocol/mcp/session-store.ts';
import { SessionManager } from '../src/protocol/mcp/sessions.ts';
import { forwardStage } from '../src/stages/forward/index.ts';
import type { Upstream, UpstreamConnection } from '../src/transport/upstream.ts';

/** CPU µs per tools/call through the MCP layer, and the JSON floor beside it. */
export async function benchMcp(): Promise<MicroResult[]> {
  const config = parseConfig({ upstreams: [{ name: 'mem', url: 'http://127.0.0.1:1/mcp' }] });
  const answer = { content: [{ type: 'text', text: 'ok' }] };
  const connection: UpstreamConnection = {
    name: 'mem',
    sessionId: 'u1',
    protocolVersion: '2025-11-25',
    initializeResult: { protocolVersion: '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'mem', version: '1' } },
    request: (method) =>
      Promise.resolve(
        method === 'tools/list'
          ? { jsonrpc: '2.0' as const, id: 1, result: { tools: [{ name: 'echo', inputSchema: { type: 'object' }, annotations: { readOnlyHint: true } }] } }
          : { jsonrpc: '2.0' as const, id: 1, result: answer },
      ),
    send: () => Promise.resolve(),
    onmessage: undefined,
    openStream: () => {},
    close: () => Promise.resolve(),
  };
  const upstream: Upstream = { config: config.upstreams[0]!, connect: async () => connection, close: async () => {} };
  const sessions = new SessionManager({ upstreams: new Map([['mem', upstream]]), store: new MemorySessionStore(), idleTimeoutS: 3600, logger: silentLogger, serverInfo: { name: 'w', version: '0' } });
  const endpoint = createMcpEndpoint({
    sessions,
    pipeline: createPipeline([forwardStage()]),
    authenticate: () => ({ agent: { id: 'bench', kind: 'dev' } }),
    resource: 'http://127.0.0.1:8080/mcp',
    bodyLimitBytes: 1 << 20,
    knownUpstreams: new Set(['mem']),
    logger: silentLogger,
  });

  /** The smallest IncomingMessage readBody and the endpoint use: data then end, synchronously. */
  function fakeRequest(body: Buffer, headers: Record<string, string>): IncomingMessage {
    let onData: ((chunk: Buffer) => void) | undefined;
    return {
      method: 'POST',
      headers,
      socket: { remoteAddress: '127.0.0.1' },
      on(event: string, fn: (chunk: Buffer) => void) {
        if (event === 'data') onData = fn;
        return this;
      },
      once(event: string, fn: () => void) {
        if (event === 'end') {
          onData?.(body);
          fn();
        }
        return this;
      },
      off() {
        return this;
      },
      resume() {},
    } as unknown as IncomingMessage;
  }

  let lastBody = '';
  let lastHeaders: Record<string, unknown> = {};
  function fakeResponse(): ServerResponse {
    const res = {
      headersSent: false,
      once() {
        return res;
      },
      writeHead(_status: number, headers: Record<string, unknown>) {
        lastHeaders = headers;
        return res;
      },
      end(body?: string) {
        if (body) lastBody = body;
        return res;
      },
    };
    return res as unknown as ServerResponse;
  }

  const base = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  await endpoint(fakeRequest(Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'b', version: '1' } } })), base), fakeResponse(), null);
  const sid = String(lastHeaders['mcp-session-id']);
  const headers = { ...base, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25' };
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text: 'hello world', n: 3 } } }));

  /** CPU µs per call (user + system): the machine is shared, so wall time would measure the neighbours. */
  async function measure(iterations: number): Promise<number> {
    const t0 = process.cpuUsage();
    for (let i = 0; i < iterations; i++) await endpoint(fakeRequest(body, headers), fakeResponse(), null);
    const d = process.cpuUsage(t0);
    return (d.user + d.system) / iterations;
  }

  /** The floor any JSON-RPC proxy pays: parse the request once and serialise one answer. */
  function floor(iterations: number): number {
    const t0 = process.cpuUsage();
    for (let i = 0; i < iterations; i++) {
      const msg = JSON.parse(body.toString('utf8')) as { id: number };
      lastBody = JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: answer });
    }
    const d = process.cpuUsage(t0);
    return (d.user + d.system) / iterations;
  }

  await measure(20_000); // warm-up
  const samples: number[] = [];
  for (let b = 0; b < 7; b++) samples.push(await measure(20_000));
  samples.sort((a, b) => a - b);
  const median = samples[3]!;
  if (!lastBody.includes('"ok"')) throw new Error(`unexpected answer: ${lastBody}`);
  const floors: number[] = [];
  for (let b = 0; b < 7; b++) floors.push(floor(20_000));
  floors.sort((a, b) => a - b);
  await sessions.closeAll();
  return [
    { name: 'MCP layer: parse, session, route, pipeline runner, answer', unit: 'µs', budget: 10, measured: median },
    { name: 'MCP layer: JSON parse + serialise floor (any proxy)', unit: 'µs', budget: Number.POSITIVE_INFINITY, measured: floors[3]! },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await benchMcp()) process.stdout.write(`${r.name}: ${r.measured.toFixed(2)} CPU µs/call${Number.isFinite(r.budget) ? ` (budget ${r.budget} µs)` : ''}\n`);
}
