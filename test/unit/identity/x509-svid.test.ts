import { beforeAll, describe, expect, it } from 'vitest';
import { agentManifestSchema, createAgentRegistry } from '../../../src/identity/agents.ts';
import { identityStage } from '../../../src/stages/identity/index.ts';
import type { Stage } from '../../../src/pipeline/types.ts';
import { makeCa, makeLeaf } from './certs.ts';
import { callContext, identityConfig, outcome, RESOURCE, tempDir } from './helpers.ts';

const WORKER = 'spiffe://prod.test/ns/billing/sa/worker';
let dir: string;
let stage: Stage;
let prodCa: ReturnType<typeof makeCa>;
let otherCa: ReturnType<typeof makeCa>;

beforeAll(() => {
  dir = tempDir('warden-x509-');
  prodCa = makeCa(dir, 'prod-ca');
  otherCa = makeCa(dir, 'other-ca');
  const agents = createAgentRegistry([agentManifestSchema.parse({ name: 'billing-worker', identity: { spiffeId: WORKER }, owner: 'b@x' })]);
  const config = identityConfig(dir, { spiffe: { trustDomains: [{ name: 'prod.test', caFile: prodCa.certFile }] } });
  stage = identityStage({ config, agents, resource: RESOURCE });
});

const withCert = (der: Uint8Array, time = Date.now()) => callContext({ peerCertificate: der, time });

describe('X.509-SVID over mTLS', () => {
  it('accepts a leaf from the trust domain CA with one SPIFFE URI SAN', async () => {
    const leaf = makeLeaf(dir, 'worker', prodCa, [WORKER]);
    const ctx = withCert(leaf.der);
    await stage.onRequest!(ctx);
    expect(ctx.agent).toMatchObject({ id: 'billing-worker', kind: 'spiffe-x509', spiffeId: WORKER, trustDomain: 'prod.test' });
  });

  it('rejects a certificate with two URI SANs', async () => {
    const leaf = makeLeaf(dir, 'two-sans', prodCa, [WORKER, 'spiffe://prod.test/ns/admin/sa/root']);
    expect(await outcome(() => stage.onRequest!(withCert(leaf.der)))).toBe('WARDEN_SPIFFE_UNTRUSTED');
  });

  it('rejects a certificate with no URI SAN', async () => {
    const leaf = makeLeaf(dir, 'no-san', prodCa, []);
    expect(await outcome(() => stage.onRequest!(withCert(leaf.der)))).toBe('WARDEN_SPIFFE_UNTRUSTED');
  });

  it('rejects a certificate naming the trust domain but signed by another CA', async () => {
    const leaf = makeLeaf(dir, 'wrong-ca', otherCa, [WORKER]);
    expect(await outcome(() => stage.onRequest!(withCert(leaf.der)))).toBe('WARDEN_SPIFFE_UNTRUSTED');
  });

  it('rejects a SPIFFE ID from an untrusted trust domain', async () => {
    const leaf = makeLeaf(dir, 'evil', otherCa, ['spiffe://evil.test/ns/billing/sa/worker']);
    expect(await outcome(() => stage.onRequest!(withCert(leaf.der)))).toBe('WARDEN_SPIFFE_UNTRUSTED');
  });

  it('rejects a CA certificate presented as a leaf', async () => {
    const leaf = makeLeaf(dir, 'ca-leaf', prodCa, [WORKER], { isCa: true });
    expect(await outcome(() => stage.onRequest!(withCert(leaf.der)))).toBe('WARDEN_SPIFFE_UNTRUSTED');
  });

  it('rejects a certificate outside its validity period', async () => {
    const leaf = makeLeaf(dir, 'later', prodCa, [WORKER]);
    const inThreeDays = Date.now() + 3 * 86_400_000;
    expect(await outcome(() => stage.onRequest!(withCert(leaf.der, inThreeDays)))).toBe('WARDEN_SPIFFE_UNTRUSTED');
  });

  it('rejects bytes that are not a certificate', async () => {
    expect(await outcome(() => stage.onRequest!(withCert(new Uint8Array([1, 2, 3]))))).toBe('WARDEN_SPIFFE_UNTRUSTED');
  });
});
