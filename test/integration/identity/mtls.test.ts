import { readFileSync } from 'node:fs';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentManifestSchema, createAgentRegistry } from '../../../src/identity/agents.ts';
import { identityStage } from '../../../src/stages/identity/index.ts';
import type { Server } from 'node:https';
import { makeCa, makeLeaf } from '../../unit/identity/certs.ts';
import { callContext, identityConfig, outcome, tempDir } from '../../unit/identity/helpers.ts';

const WORKER = 'spiffe://prod.test/ns/billing/sa/worker';
let server: Server;
let port: number;
let dir: string;
let prodCa: ReturnType<typeof makeCa>;
let rogueCa: ReturnType<typeof makeCa>;

beforeAll(async () => {
  dir = tempDir('warden-mtls-');
  prodCa = makeCa(dir, 'prod-ca');
  rogueCa = makeCa(dir, 'rogue-ca');
  const serverCert = makeLeaf(dir, 'gateway', prodCa, ['spiffe://prod.test/gateway']);
  const agents = createAgentRegistry([agentManifestSchema.parse({ name: 'billing-worker', identity: { spiffeId: WORKER }, owner: 'b@x' })]);
  const stage = identityStage({ config: identityConfig(dir, { spiffe: { trustDomains: [{ name: 'prod.test', caFile: prodCa.certFile }] } }), agents });
  // The TLS layer asks for a certificate but does not judge it: SPIFFE verification is the stage's job.
  server = createServer({ key: readFileSync(serverCert.keyFile), cert: readFileSync(serverCert.certFile), requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    const ctx = callContext({ ip: req.socket.remoteAddress ?? '', ...(peer?.raw ? { peerCertificate: new Uint8Array(peer.raw) } : {}) });
    void outcome(() => stage.onRequest!(ctx)).then((code) => res.end(JSON.stringify({ code, agent: ctx.agent?.id ?? null })));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function get(cert?: { keyFile: string; certFile: string }): Promise<{ code: string; agent: string | null }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/', rejectUnauthorized: false, ...(cert ? { key: readFileSync(cert.keyFile), cert: readFileSync(cert.certFile) } : {}) },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(JSON.parse(body) as { code: string; agent: string | null }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('X.509-SVID over a real mTLS connection', () => {
  it('identifies the workload from its client certificate', async () => {
    expect(await get(makeLeaf(dir, 'worker', prodCa, [WORKER]))).toEqual({ code: 'ok', agent: 'billing-worker' });
  });

  it('denies a certificate from a rogue CA claiming the same SPIFFE ID', async () => {
    expect(await get(makeLeaf(dir, 'rogue', rogueCa, [WORKER]))).toEqual({ code: 'WARDEN_SPIFFE_UNTRUSTED', agent: null });
  });

  it('denies a connection without a client certificate', async () => {
    expect(await get()).toEqual({ code: 'WARDEN_UNAUTHENTICATED', agent: null });
  });
});
