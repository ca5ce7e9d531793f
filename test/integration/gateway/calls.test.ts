/**
 * Calls through the fully assembled gateway: no token passthrough, warden's own upstream
 * credentials, metrics, audit of every refusal, PII detokenize, Retry-After.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestJson } from '../../../src/audit/canonical.ts';
import { queryAuditRecords } from '../../../src/audit/query.ts';
import type { CallRecord } from '../../../src/audit/record.ts';
import { clearUpstreamTokenCache } from '../../../src/identity/upstream-auth.ts';
import { connect, gatewayConfig, startRecordingUpstream, startTestWarden, startTokenEndpoint, tempDir, textOf, type RecordingUpstream, type StartedWarden } from './helpers.ts';

let plain: RecordingUpstream;
let credentialed: RecordingUpstream;
let tokens: Awaited<ReturnType<typeof startTokenEndpoint>>;
let warden: StartedWarden;
let writerToken: string;
let readerToken: string;

beforeAll(async () => {
  clearUpstreamTokenCache();
  [plain, credentialed, tokens] = await Promise.all([startRecordingUpstream(), startRecordingUpstream(), startTokenEndpoint('warden-gw', 's3cret', 'warden-own-token')]);
  warden = await startTestWarden(
    gatewayConfig(
      tempDir(),
      [
        { name: 'up', url: plain.url },
        { name: 'cc', url: credentialed.url, auth: { type: 'client_credentials', tokenUrl: tokens.url, clientId: 'warden-gw', clientSecret: 's3cret' } },
      ],
      { pii: { actions: { EMAIL_ADDRESS: 'tokenize' }, tokenKey: 'a-test-token-key-of-some-length' } },
    ),
  );
  [writerToken, readerToken] = await Promise.all([warden.token('writer'), warden.token('reader')]);
});
afterAll(async () => {
  await warden?.close();
  await Promise.all([plain?.close(), credentialed?.close(), tokens?.close()]);
});

async function auditRecords(agent: string): Promise<CallRecord[]> {
  await warden.standard.audit!.writer!.flush();
  const out: CallRecord[] = [];
  for await (const r of queryAuditRecords(warden.config.audit.dir, { agent })) out.push(r);
  return out;
}

describe('upstream credentials', () => {
  it('never forwards the caller token; a client_credentials upstream gets warden’s own token', async () => {
    const client = await connect(warden.url, { authorization: `Bearer ${writerToken}` });
    expect(textOf(await client.callTool({ name: 'up__echo', arguments: { text: 'one' } }))).toBe('one');
    expect(textOf(await client.callTool({ name: 'cc__echo', arguments: { text: 'two' } }))).toBe('two');
    await client.close();
    const all = [...plain.seen, ...credentialed.seen];
    expect(all.length).toBeGreaterThan(2);
    for (const h of all) expect(JSON.stringify(h)).not.toContain(writerToken);
    expect(plain.seen.every((h) => h.authorization === undefined)).toBe(true);
    expect(credentialed.seen.every((h) => h.authorization === 'Bearer warden-own-token')).toBe(true);
    expect(tokens.grants).toContain('client_credentials');
  });
});

describe('audit', () => {
  it('digests the caller’s original arguments, not the scrubbed ones, and records refusals made before the pipeline', async () => {
    const client = await connect(warden.url, { authorization: `Bearer ${writerToken}` });
    const args = { text: 'mail jane.doe@example.com please' };
    const echoed = textOf(await client.callTool({ name: 'up__echo', arguments: args }));
    // The upstream saw a token, not the address (the echoed token itself may be scrubbed again on the way back).
    expect(echoed).toMatch(/^mail \[TOKEN:/);
    expect(echoed).not.toContain('jane.doe');
    const unknown = await client.callTool({ name: 'up__nonexistent', arguments: {} }).catch((e: Error) => e);
    expect((unknown as Error).message).toMatch(/WARDEN_UNKNOWN_TOOL/);
    await client.close();

    const records = await auditRecords('writer');
    const scrubbed = records.find((r) => r.tool === 'up__echo' && r.pii?.EMAIL_ADDRESS === 1);
    expect(scrubbed?.argsDigest).toBe(digestJson(args));
    expect(scrubbed?.argsDigestOf).toBe('original');
    const refused = records.find((r) => r.code === 'WARDEN_UNKNOWN_TOOL');
    expect(refused?.decision).toBe('deny');
    expect(refused?.method).toBe('tools/call');
  });
});

describe('PII detokenize route', () => {
  async function detokenize(token: string, bearer: string): Promise<{ status: number; body: { values?: Record<string, string | null>; error?: { code: string } } }> {
    const res = await fetch(new URL('/pii/detokenize', warden.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
      body: JSON.stringify({ tokens: [token] }),
    });
    return { status: res.status, body: (await res.json()) as never };
  }

  it('gives the original value to an agent whose manifest allows detokenize, and refuses one whose does not', async () => {
    const client = await connect(warden.url, { authorization: `Bearer ${writerToken}` });
    const text = textOf(await client.callTool({ name: 'up__contact', arguments: {} }));
    await client.close();
    const token = /\[TOKEN:EMAIL_ADDRESS:[A-Za-z0-9_-]{22}\]/.exec(text)?.[0];
    expect(token).toBeDefined();
    expect(text).not.toContain('jane.doe@example.com');

    const allowed = await detokenize(token!, writerToken);
    expect(allowed.status).toBe(200);
    expect(allowed.body.values?.[token!]).toBe('jane.doe@example.com');

    const refused = await detokenize(token!, readerToken);
    expect(refused.status).toBe(403);
    expect(refused.body.error?.code).toBe('WARDEN_PII_DETOKENIZE_DENIED');
    expect(JSON.stringify(refused.body)).not.toContain('jane.doe');
  });
});

describe('metrics and Retry-After', () => {
  it('a rate-limited call carries Retry-After; /metrics counts outcomes, denials, stage latency and PII findings', async () => {
    let lastHeaders: Headers | undefined;
    const recordingFetch = (async (url: string | URL, init?: RequestInit) => {
      const res = await fetch(url, init);
      lastHeaders = res.headers;
      return res;
    }) as typeof fetch;
    const client = new Client({ name: 'reader', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(warden.url), { fetch: recordingFetch, requestInit: { headers: { authorization: `Bearer ${readerToken}` } } }));
    const denied = await client.callTool({ name: 'up__contact', arguments: {} }).catch((e: Error) => e);
    expect((denied as Error).message).toMatch(/WARDEN_POLICY_DENIED/);
    expect(lastHeaders?.get('retry-after')).toBeNull();
    // reader may make 2 calls a minute: keep calling until refused.
    let limited: Error | undefined;
    for (let i = 0; i < 5 && !limited; i++) {
      limited = await client.callTool({ name: 'up__echo', arguments: { text: 'x' } }).then(() => undefined, (e: Error) => e);
    }
    expect(limited?.message).toMatch(/WARDEN_RATE_LIMITED/);
    const retryAfter = Number(lastHeaders?.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    await client.close();

    const text = await (await fetch(new URL('/metrics', warden.url))).text();
    expect(text).toMatch(/warden_calls_total\{method="tools\/call",outcome="allowed"\} [1-9]/);
    expect(text).toMatch(/warden_calls_total\{method="tools\/call",outcome="denied"\} [1-9]/);
    expect(text).toMatch(/warden_denials_total\{code="WARDEN_POLICY_DENIED"\} [1-9]/);
    expect(text).toMatch(/warden_denials_total\{code="WARDEN_RATE_LIMITED"\} [1-9]/);
    expect(text).toMatch(/warden_stage_duration_seconds_count\{stage="policy"\} [1-9]/);
    expect(text).toMatch(/warden_pii_findings_total\{type="EMAIL_ADDRESS",direction="(request|response)"\} [1-9]/);
  });
});
