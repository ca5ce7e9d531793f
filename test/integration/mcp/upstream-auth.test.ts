/** warden authenticates to an upstream with its own credentials, never the caller's token. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UpstreamConfig } from '../../../src/config/server.ts';
import { startDemoServer, type RunningDemo } from '../../../src/demo/server.ts';
import { connectClient, startGateway, textOf } from './harness.ts';

describe('upstream authentication', () => {
  let demo: RunningDemo;
  beforeAll(async () => {
    demo = await startDemoServer('127.0.0.1', 0, { requireAuthorization: 'Bearer warden-upstream-token' });
  });
  afterAll(async () => {
    await demo?.close();
  });

  it('sends the credentials from the upstream-auth hook on every exchange and not the caller’s token', async () => {
    const asked: Array<{ upstream: string; subjectToken: string | undefined }> = [];
    const gw = await startGateway(
      { upstreams: [{ name: 'demo', url: demo.url, auth: { type: 'token_exchange', tokenUrl: 'http://127.0.0.1:1/token', clientId: 'warden', clientSecret: 's', audience: 'demo' } }] },
      {
        // The seam the identity module's upstreamAuthHeaders plugs into (it talks to a real token endpoint).
        upstreamAuth: async (upstream: UpstreamConfig, ctx) => {
          asked.push({ upstream: upstream.name, subjectToken: ctx.subjectToken });
          return { authorization: 'Bearer warden-upstream-token' };
        },
      },
    );
    try {
      const { client } = await connectClient(gw.url, { agent: 'agent-a' });
      expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'authed' } }))).toBe('authed');
      await client.close();
      expect(asked.length).toBeGreaterThan(0);
      expect(asked.every((a) => a.upstream === 'demo' && a.subjectToken === 'agent-a')).toBe(true);
    } finally {
      await gw.close();
    }
  });

  it('reports an upstream that refuses warden as an upstream error (502), not as the caller’s fault', async () => {
    const gw = await startGateway({ upstreams: [{ name: 'demo', url: demo.url }] });
    try {
      const res = await fetch(gw.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: 'Bearer agent-a' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
      });
      const body = (await res.json()) as { error?: { code: number; message: string; data?: { code?: string } } };
      // The upstream's own JSON-RPC refusal of initialize surfaces as an upstream error.
      expect(res.status).toBe(502);
      expect(body.error?.data?.code).toBe('WARDEN_UPSTREAM_ERROR');
    } finally {
      await gw.close();
    }
  });
});
