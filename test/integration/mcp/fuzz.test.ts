/** Junk thrown at /mcp never crashes warden and never surfaces as an internal error. */
import { Agent, request } from 'node:http';

const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer, type RunningDemo } from '../../../src/demo/server.ts';
import { startGateway, type Running } from './harness.ts';

function send(url: URL, method: string, path: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers, timeout: 10_000, agent: keepAlive }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout on ${method} ${path}`)));
    req.on('error', reject);
    req.end(body);
  });
}

const printable = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/,;= *'.split('')), maxLength: 40 });

const message = fc.record(
  {
    jsonrpc: fc.oneof(fc.constant('2.0'), fc.string()),
    id: fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.double()),
    method: fc.oneof(fc.constantFrom('initialize', 'tools/list', 'tools/call', 'ping', 'resources/read', 'notifications/cancelled', 'prompts/get'), fc.string()),
    params: fc.oneof(fc.jsonValue(), fc.record({ name: fc.jsonValue(), arguments: fc.jsonValue(), cursor: fc.jsonValue(), uri: fc.jsonValue(), protocolVersion: fc.jsonValue() }, { requiredKeys: [] })),
    result: fc.jsonValue(),
  },
  { requiredKeys: [] },
);

const body = fc.oneof(
  fc.string(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  message.map((m) => JSON.stringify(m)),
  fc.array(message, { maxLength: 4 }).map((m) => JSON.stringify(m)),
);

describe('fuzzing /mcp', () => {
  let demo: RunningDemo;
  let gw: Running;
  /** A real session, so junk also reaches routing and the upstream. */
  let sid = '';
  beforeAll(async () => {
    demo = await startDemoServer();
    gw = await startGateway({ upstreams: [{ name: 'demo', url: demo.url }], identity: { allowAnonymous: true } }, { stages: [] });
    const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } } });
    const res = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: init });
    sid = res.headers.get('mcp-session-id') ?? '';
    await res.text();
    expect(sid).not.toBe('');
  });
  afterAll(async () => {
    await gw?.close();
    await demo?.close();
  });

  it('answers every junk request with a 2xx/4xx/502 status and stays up', async () => {
    const url = new URL(gw.url);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('POST', 'POST', 'POST', 'GET', 'DELETE', 'PUT', 'OPTIONS'),
        fc.constantFrom('/mcp', '/mcp/', '/mcp/demo', '/mcp/unknown', '/mcp/%zz', '/mcp?x=1'),
        fc.record(
          {
            'content-type': fc.oneof(fc.constant('application/json'), printable),
            accept: fc.oneof(fc.constant('application/json, text/event-stream'), printable),
            'mcp-session-id': fc.oneof(printable, fc.constant('<session>')),
            'mcp-protocol-version': fc.oneof(fc.constantFrom('2025-11-25', '2025-06-18', '2025-03-26'), printable),
            origin: printable,
            'last-event-id': printable,
          },
          { requiredKeys: [] },
        ),
        body,
        async (method, path, headers, payload) => {
          const sent = method === 'GET' ? '' : payload;
          // A GET on a live session is an open-ended SSE stream by design; keep GETs on junk ids.
          if (headers['mcp-session-id'] === '<session>') headers['mcp-session-id'] = method === 'GET' ? 'junk' : sid;
          const res = await send(url, method, path, { ...headers, 'content-length': String(Buffer.byteLength(sent)) }, sent);
          expect(res.status).toBeGreaterThanOrEqual(200);
          expect(res.status === 500 || res.status > 502).toBe(false);
          if (res.status >= 400 && res.text) expect(res.text).toMatch(/WARDEN_[A-Z_]+/);
        },
      ),
      { numRuns: 300 },
    );
    const health = await send(url, 'GET', '/healthz', {}, '');
    expect(health.status).toBe(200);
  });
});
