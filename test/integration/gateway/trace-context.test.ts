/** W3C trace context: the caller's traceparent/tracestate reach the upstream with the call they belong to. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, gatewayConfig, startRecordingUpstream, startTestWarden, tempDir, textOf, type RecordingUpstream, type StartedWarden } from './helpers.ts';

let upstream: RecordingUpstream;
let warden: StartedWarden;

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  warden = await startTestWarden(gatewayConfig(tempDir(), [{ name: 'up', url: upstream.url }]));
});
afterAll(async () => {
  await warden?.close();
  await upstream?.close();
});

describe('trace context', () => {
  it('passes traceparent and tracestate from the inbound request to the upstream call', async () => {
    const token = await warden.token('writer');
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const client = await connect(warden.url, { authorization: `Bearer ${token}`, traceparent, tracestate: 'vendor=abc' });
    upstream.seen.length = 0;
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'traced' } }))).toBe('traced');
    await client.close();
    const call = upstream.seen.find((h) => h.traceparent !== undefined);
    expect(call).toMatchObject({ traceparent, tracestate: 'vendor=abc' });
  });

  it('adds no trace headers when the caller sent none', async () => {
    const token = await warden.token('writer');
    const client = await connect(warden.url, { authorization: `Bearer ${token}` });
    upstream.seen.length = 0;
    await client.callTool({ name: 'echo', arguments: { text: 'plain' } });
    await client.close();
    expect(upstream.seen.length).toBeGreaterThan(0);
    expect(upstream.seen.every((h) => h.traceparent === undefined)).toBe(true);
  });
});
