/** A session created on one replica continues on another that shares the session store. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer, type RunningDemo } from '../../../src/demo/server.ts';
import { MemorySessionStore } from '../../../src/protocol/mcp/session-store.ts';
import { connectClient, startGateway, textOf, type Running } from './harness.ts';

describe('two warden replicas sharing a SessionStore', () => {
  let demo: RunningDemo;
  let a: Running;
  let b: Running;
  beforeAll(async () => {
    demo = await startDemoServer();
    const sessionStore = new MemorySessionStore();
    a = await startGateway({ upstreams: [{ name: 'demo', url: demo.url }] }, { sessionStore });
    b = await startGateway({ upstreams: [{ name: 'demo', url: demo.url }] }, { sessionStore });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await demo?.close();
  });

  it('continues the session on the second replica, with the same upstream session, after the first one stopped', async () => {
    const first = await connectClient(a.url);
    const sessionId = first.transport.sessionId!;
    expect(textOf(await first.client.callTool({ name: 'echo', arguments: { text: 'on a' } }))).toBe('on a');

    // Replica a goes away; the same client (same session id) now lands on replica b, which never saw the session.
    await a.close();
    const res = await fetch(b.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sessionId, authorization: 'Bearer agent-a' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'echo', arguments: { text: 'on b' } } }),
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('on b');

    // Another agent cannot take the session over on the second replica either.
    const stolen = await fetch(b.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sessionId, authorization: 'Bearer agent-b' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'tools/list' }),
    });
    expect(stolen.status).toBe(403);
    await stolen.text();
    await first.client.close();
  });
});

describe('an upstream that ends its session', () => {
  it('ends the warden session with 404 WARDEN_SESSION_NOT_FOUND so the client starts a new one', async () => {
    const demo = await startDemoServer();
    const sessionStore = new MemorySessionStore();
    const gw = await startGateway({ upstreams: [{ name: 'demo', url: demo.url }] }, { sessionStore });
    try {
      const { client, transport } = await connectClient(gw.url);
      const record = await sessionStore.get(transport.sessionId!);
      const upstreamSession = record!.upstreams.demo!.sessionId!;
      // The upstream forgets the session (as after a restart).
      const gone = await fetch(demo.url, { method: 'DELETE', headers: { 'mcp-session-id': upstreamSession, 'mcp-protocol-version': '2025-11-25' } });
      expect(gone.status).toBe(200);
      const res = await fetch(gw.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': transport.sessionId!, authorization: 'Bearer agent-a' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'echo', arguments: { text: 'x' } } }),
      });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { data: { code: string } } }).error.data.code).toBe('WARDEN_SESSION_NOT_FOUND');
      expect(await sessionStore.get(transport.sessionId!)).toBeUndefined();
      await client.close();
      const fresh = await connectClient(gw.url);
      expect(textOf(await fresh.client.callTool({ name: 'echo', arguments: { text: 'again' } }))).toBe('again');
      await fresh.client.close();
    } finally {
      await gw.close();
      await demo.close();
    }
  });
});
