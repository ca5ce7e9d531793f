import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDemoServer } from '../../../src/demo/server.ts';
import { withCassette, type CassetteHandle } from '../../../src/replay/testing.ts';
import { cleanup, connect, realUpstream, tempDir, text } from './helpers.ts';

const savedEnv = process.env.WARDEN_REPLAY;
afterEach(() => {
  if (savedEnv === undefined) delete process.env.WARDEN_REPLAY;
  else process.env.WARDEN_REPLAY = savedEnv;
});

async function cassette(file: string, options: Parameters<typeof withCassette>[1]): Promise<CassetteHandle> {
  const handle = await withCassette(file, options);
  cleanup.push(() => handle.close());
  return handle;
}

describe('withCassette', () => {
  it('records on the first run, replays afterwards, and answers repeated requests in recorded order', async () => {
    delete process.env.WARDEN_REPLAY;
    const file = join(await tempDir(), 'cassettes', 'echo.jsonl');
    const upstream = await realUpstream();

    const first = await cassette(file, { upstream: upstream.url });
    expect(first.mode).toBe('record');
    const live = await connect(first.url, { 'x-warden-task': 'task-token-secret', cookie: 'session=abc123' });
    expect(text(await live.callTool({ name: 'echo', arguments: { text: 'same' } }))).toBe('echo #1: same');
    expect(text(await live.callTool({ name: 'echo', arguments: { text: 'same' } }))).toBe('echo #2: same');
    await live.close();
    await first.close();
    expect(await readFile(file, 'utf8')).not.toMatch(/task-token-secret|abc123|x-warden-task|cookie/i);

    // The file exists now: the same call replays, even with the upstream still given.
    const second = await cassette(file, { upstream: upstream.url });
    expect(second.mode).toBe('replay');
    const replayed = await connect(second.url);
    // A progress token differs between runs; it does not change the match.
    const progress = await replayed.callTool({ name: 'echo', arguments: { text: 'same' } }, undefined, { onprogress: () => undefined });
    expect(text(progress)).toBe('echo #1: same');
    expect(text(await replayed.callTool({ name: 'echo', arguments: { text: 'same' } }))).toBe('echo #2: same');
    // Past the recordings, the last one answers again.
    expect(text(await replayed.callTool({ name: 'echo', arguments: { text: 'same' } }))).toBe('echo #2: same');
    expect(upstream.calls()).toBe(2);
  });

  it('WARDEN_REPLAY overrides the mode: passthrough calls the upstream and leaves the cassette alone', async () => {
    const file = join(await tempDir(), 'kept.jsonl');
    await writeFile(file, JSON.stringify({ method: 'tools/call', params: { name: 'echo', arguments: { text: 'x' } }, result: { content: [{ type: 'text', text: 'recorded x' }] } }) + '\n');
    const upstream = await realUpstream();
    process.env.WARDEN_REPLAY = 'passthrough';
    const handle = await cassette(file, { mode: 'replay', upstream: upstream.url });
    expect(handle.mode).toBe('passthrough');
    const client = await connect(handle.url);
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'x' } }))).toBe('echo #1: x');
    await handle.close();
    expect(await readFile(file, 'utf8')).toContain('recorded x');
    expect(await readFile(file, 'utf8')).not.toContain('echo #1');
  });

  it('records an upstream that needs its own credentials without writing them', async () => {
    delete process.env.WARDEN_REPLAY;
    const file = join(await tempDir(), 'authed.jsonl');
    const demo = await startDemoServer('127.0.0.1', 0, { requireAuthorization: 'Bearer upstream-only-secret' });
    cleanup.push(() => demo.close());
    // Without the upstream's credential the recording proxy gets 401 and the session cannot start.
    const refused = await cassette(join(await tempDir(), 'refused.jsonl'), { mode: 'record', upstream: demo.url });
    await expect(connect(refused.url)).rejects.toThrow();

    const handle = await cassette(file, { upstream: demo.url, upstreamHeaders: { Authorization: 'Bearer upstream-only-secret' } });
    const client = await connect(handle.url);
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'authed' } }))).toBe('authed');
    await client.close();
    await handle.close();
    const written = await readFile(file, 'utf8');
    expect(written).toContain('authed');
    expect(written).not.toContain('upstream-only-secret');
  });

  it('refuses a missing cassette in replay mode and an unknown WARDEN_REPLAY value, with codes', async () => {
    delete process.env.WARDEN_REPLAY;
    const file = join(await tempDir(), 'missing.jsonl');
    await expect(withCassette(file)).rejects.toMatchObject({ code: 'WARDEN_REPLAY_CASSETTE_INVALID', message: expect.stringMatching(/does not exist/) });
    process.env.WARDEN_REPLAY = 'rewind';
    await expect(withCassette(file)).rejects.toMatchObject({ code: 'WARDEN_CONFIG_INVALID', message: expect.stringMatching(/WARDEN_REPLAY must be one of/) });
  });
});
