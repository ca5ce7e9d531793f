/** X.509-SVIDs through the gateway: a real MCP SDK client over HTTPS with a client certificate. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCa, makeLeaf } from '../../unit/identity/certs.ts';
import { gatewayConfig, startRecordingUpstream, startTestWarden, tempDir, textOf, type RecordingUpstream, type StartedWarden } from './helpers.ts';

const WORKER = 'spiffe://prod.test/ns/billing/sa/worker';
let upstream: RecordingUpstream;
let warden: StartedWarden;
let dir: string;
let prodCa: ReturnType<typeof makeCa>;
let rogueCa: ReturnType<typeof makeCa>;
const agents: Agent[] = [];

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  dir = tempDir('warden-gw-mtls-');
  prodCa = makeCa(dir, 'prod-ca');
  rogueCa = makeCa(dir, 'rogue-ca');
  const serverCert = makeLeaf(dir, 'gateway', prodCa, ['spiffe://prod.test/warden']);
  const config = gatewayConfig(dir, [{ name: 'up', url: upstream.url }], {
    server: { port: 0, tls: { certFile: serverCert.certFile, keyFile: serverCert.keyFile } },
    identity: { spiffe: { trustDomains: [{ name: 'prod.test', caFile: prodCa.certFile }] } },
  });
  writeFileSync(join(config.agentsDir, 'billing-worker.yaml'), `name: billing-worker\nowner: b@example.com\nidentity:\n  spiffeId: ${WORKER}\nupstreams: ["*"]\ntools: ["echo"]\n`);
  warden = await startTestWarden(config);
});
afterAll(async () => {
  await warden?.close();
  await upstream?.close();
  await Promise.all(agents.map((a) => a.close()));
});

/** fetch over TLS presenting this client certificate (the gateway's own certificate is self-made, so not checked). */
function tlsFetch(cert: { keyFile: string; certFile: string }): typeof fetch {
  const agent = new Agent({ connect: { key: readFileSync(cert.keyFile), cert: readFileSync(cert.certFile), rejectUnauthorized: false } });
  agents.push(agent);
  return ((url: string | URL, init?: RequestInit) => undiciFetch(url, { ...(init as object), dispatcher: agent })) as unknown as typeof fetch;
}

describe('mTLS with X.509-SVIDs', () => {
  it('serves HTTPS and accepts a client certificate from the trusted domain as its agent', async () => {
    expect(warden.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const client = new Client({ name: 'svid-client', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(warden.url), { fetch: tlsFetch(makeLeaf(dir, 'worker', prodCa, [WORKER])) }));
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'from the worker' } }))).toBe('from the worker');
    // The manifest found by SPIFFE ID applies: billing-worker may only echo.
    const denied = await client.callTool({ name: 'contact', arguments: {} }).catch((e: unknown) => e as Error);
    expect(String((denied as Error).message ?? '')).toMatch(/billing-worker may not use tool contact/);
    await client.close();
  });

  it('refuses a certificate from an untrusted CA with WARDEN_SPIFFE_UNTRUSTED', async () => {
    const doFetch = tlsFetch(makeLeaf(dir, 'rogue', rogueCa, [WORKER]));
    const res = await doFetch(warden.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
    });
    const body = (await res.json()) as { error: { data: { code: string } } };
    expect(res.status).toBe(401);
    expect(body.error.data.code).toBe('WARDEN_SPIFFE_UNTRUSTED');
  });
});
