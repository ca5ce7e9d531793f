/** A2A agents configured in `a2a.agents` are served by the assembled gateway, through every stage, and counted in /metrics. */
import type { Message } from '@a2a-js/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, startPeer, textOf, textPart, userMessage, type Peer } from '../a2a/peers.ts';
import { gatewayConfig, startTestWarden, tempDir, type StartedWarden } from './helpers.ts';

let peer: Peer;
let warden: StartedWarden;
let base: string;

beforeAll(async () => {
  peer = await startPeer('echo', { name: 'Echo Agent' });
  // An MCP upstream is required by the config; this test never opens it.
  warden = await startTestWarden(gatewayConfig(tempDir(), [{ name: 'unused', url: 'http://127.0.0.1:9/mcp' }], { a2a: { agents: [{ name: 'echo', url: peer.rpcUrl }] } }));
  base = warden.url.replace(/\/mcp$/, '');
});
afterAll(async () => {
  await warden?.close();
  await peer?.close();
});

describe('A2A through warden serve', () => {
  it('relays a message from an authenticated agent, scrubbed, and counts it', async () => {
    const client = await clientFor(`${base}/a2a/echo/`, await warden.token('writer'));
    const reply = await client.sendMessage({ tenant: '', message: userMessage([textPart('hi bob@example.com')]), configuration: undefined, metadata: undefined });
    expect(textOf(reply as unknown as Message)).toBe('echo: hi [REDACTED:EMAIL_ADDRESS]');
    expect(JSON.stringify(peer.received)).not.toContain('bob@example.com');
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/warden_calls_total\{method="SendMessage",outcome="allowed"\} 1/);
    expect(text).toMatch(/warden_pii_findings_total\{type="EMAIL_ADDRESS",direction="request"\} 1/);
  });

  it('refuses a caller without a credential', async () => {
    const res = await fetch(`${base}/a2a/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'SendMessage', params: {} }) });
    expect(res.status).toBe(401);
    expect(JSON.stringify(await res.json())).toContain('WARDEN_UNAUTHENTICATED');
  });
});
