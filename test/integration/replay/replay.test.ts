import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newDecisionRecord } from '../../../src/pipeline/decision.ts';
import { cassetteRecorder } from '../../../src/replay/recorder.ts';
import { startReplayServer, type ReplayServer } from '../../../src/replay/server.ts';
import { cleanup, connect, realUpstream, tempDir, text } from './helpers.ts';

async function server(opts: Parameters<typeof startReplayServer>[0]): Promise<ReplayServer> {
  const s = await startReplayServer(opts);
  cleanup.push(() => s.close());
  return s;
}

describe('replay cassettes', () => {
  it('records real exchanges without secrets, then replays them without calling the upstream', async () => {
    const dir = await tempDir();
    const cassette = join(dir, 'session.jsonl');
    const upstream = await realUpstream();
    const recorder = await server({ mode: 'record', cassette, upstream: upstream.url });
    const client = await connect(recorder.url, { Authorization: 'Bearer sk-live-very-secret', 'X-Api-Key': 'key-123' });
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'hello' } }))).toBe('echo #1: hello');
    const failed = await client.callTool({ name: 'fail', arguments: {} });
    expect(failed.isError).toBe(true);
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name).sort()).toEqual(['echo', 'fail']);
    await recorder.close();

    const written = await readFile(cassette, 'utf8');
    expect(written).not.toMatch(/sk-live-very-secret|key-123|authorization|mcp-session-id/i);
    expect(written.trim().split('\n').map((l) => (JSON.parse(l) as { method: string }).method)).toEqual(['initialize', 'tools/call', 'tools/call', 'tools/list']);

    const callsBefore = upstream.calls();
    const replayer = await server({ mode: 'replay', cassette });
    const again = await connect(replayer.url);
    expect(text(await again.callTool({ name: 'echo', arguments: { text: 'hello' } }))).toBe('echo #1: hello');
    expect((await again.callTool({ name: 'fail', arguments: {} })).isError).toBe(true);
    expect((await again.listTools()).tools).toHaveLength(2);
    expect(upstream.calls()).toBe(callsBefore);
    // A request never recorded is an error, not a guess.
    await expect(again.callTool({ name: 'echo', arguments: { text: 'never said' } })).rejects.toThrow(/no recorded exchange for tools\/call/);
  });

  it('passthrough forwards to the upstream and writes nothing', async () => {
    const dir = await tempDir();
    const cassette = join(dir, 'none.jsonl');
    const upstream = await realUpstream();
    const pass = await server({ mode: 'passthrough', cassette, upstream: upstream.url });
    const client = await connect(pass.url);
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'a' } }))).toBe('echo #1: a');
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'a' } }))).toBe('echo #2: a');
    await pass.close();
    await expect(readFile(cassette, 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('records forwarded calls from call contexts and serves them back', async () => {
    const dir = await tempDir();
    const cassette = join(dir, 'from-contexts.jsonl');
    const recorder = cassetteRecorder(cassette);
    const base = { protocol: 'mcp' as const, method: 'tools/call', transport: 'streamable-http' as const, ip: '127.0.0.1', time: Date.now() };
    recorder.record({
      decision: newDecisionRecord(),
      request: { ...base, headers: { authorization: 'Bearer secret-token' } },
      tool: { name: 'crm__lookup', upstreamName: 'lookup', upstream: 'crm' },
      arguments: { email: '<EMAIL_ADDRESS>' },
      result: { content: [{ type: 'text', text: 'customer 7' }] },
      facts: {},
    });
    // Denied by warden: the upstream never saw it, so there is nothing to replay.
    recorder.record({ decision: newDecisionRecord(), request: { ...base, headers: {} }, arguments: { x: 1 }, facts: {} });
    await recorder.close();
    expect(recorder.count).toBe(1);
    expect(await readFile(cassette, 'utf8')).not.toContain('secret-token');

    const replayer = await server({ mode: 'replay', cassette });
    const client = await connect(replayer.url);
    expect(text(await client.callTool({ name: 'lookup', arguments: { email: '<EMAIL_ADDRESS>' } }))).toBe('customer 7');
  });
});
