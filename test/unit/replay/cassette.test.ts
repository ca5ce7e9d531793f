import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Cassette, exchangeKey, safeHeaders } from '../../../src/replay/cassette.ts';
import { formatCheckTable } from '../../../src/replay/check.ts';
import { resolveReplayMode } from '../../../src/replay/testing.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function file(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'warden-replay-unit-'));
  dirs.push(dir);
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('matching', () => {
  it('ignores key order and the progress token, but not other _meta or argument values', () => {
    const a = exchangeKey('tools/call', { name: 'echo', arguments: { a: 1, b: [1, 2] } });
    expect(exchangeKey('tools/call', { arguments: { b: [1, 2], a: 1 }, name: 'echo' })).toBe(a);
    expect(exchangeKey('tools/call', { name: 'echo', arguments: { a: 1, b: [1, 2] }, _meta: { progressToken: 7 } })).toBe(a);
    expect(exchangeKey('tools/call', { name: 'echo', arguments: { a: 1, b: [1, 2] }, _meta: { progressToken: 7, traceparent: 'x' } })).not.toBe(a);
    expect(exchangeKey('tools/call', { name: 'echo', arguments: { a: 1, b: [2, 1] } })).not.toBe(a);
    expect(exchangeKey('resources/list', undefined)).toBe(exchangeKey('resources/list', {}));
    expect(exchangeKey('prompts/list', {})).not.toBe(exchangeKey('resources/list', {}));
  });

  it('answers repeated identical requests in recorded order, then repeats the last', () => {
    const req = { name: 'roll', arguments: {} };
    const cassette = new Cassette([
      { method: 'tools/call', params: req, result: { n: 1 } },
      { method: 'tools/call', params: { name: 'other', arguments: {} }, result: { n: 0 } },
      { method: 'tools/call', params: req, result: { n: 2 } },
    ]);
    expect(cassette.find('tools/call', req)?.result).toEqual({ n: 1 });
    expect(cassette.unserved().map((e) => e.result)).toEqual([{ n: 2 }, { n: 0 }]);
    expect(cassette.find('tools/call', { ...req, _meta: { progressToken: 'p' } })?.result).toEqual({ n: 2 });
    expect(cassette.find('tools/call', req)?.result).toEqual({ n: 2 });
    expect(cassette.find('tools/call', { name: 'roll', arguments: { x: 1 } })).toBeUndefined();
  });
});

describe('redaction', () => {
  it('keeps only protocol headers: credentials, cookies, task tokens and session ids are dropped', () => {
    const kept = safeHeaders({
      Authorization: 'Bearer t', Cookie: 'a=b', 'x-warden-task': 'task', 'X-Api-Key': 'k', 'api-key': 'k2', 'Proxy-Authorization': 'p',
      'mcp-session-id': 's', 'mcp-protocol-version': '2025-06-18', 'content-type': 'application/json',
    });
    expect(kept).toEqual({ 'mcp-protocol-version': '2025-06-18', 'content-type': 'application/json' });
    expect(safeHeaders({ authorization: 'Bearer t' })).toBeUndefined();
  });
});

describe('loading', () => {
  it('names file and line of a broken entry with WARDEN_REPLAY_CASSETTE_INVALID', async () => {
    const bad = await file('bad.jsonl', '{"method":"tools/list","result":{"tools":[]}}\n\n{"method":"tools/call"}\n');
    await expect(Cassette.load(bad)).rejects.toMatchObject({ code: 'WARDEN_REPLAY_CASSETTE_INVALID', message: `${bad}:3: not a cassette entry (needs "method" and "result" or "error")` });
    const junk = await file('junk.jsonl', 'not json\n');
    await expect(Cassette.load(junk)).rejects.toMatchObject({ code: 'WARDEN_REPLAY_CASSETTE_INVALID', message: `${junk}:1: not a cassette entry (invalid JSON)` });
    const good = await file('good.jsonl', '{"method":"tools/list","result":{"tools":[]}}\n{"method":"tools/call","params":{"name":"x"},"error":{"code":-1,"message":"m"}}\n');
    expect((await Cassette.load(good)).entries).toHaveLength(2);
  });
});

describe('mode', () => {
  it('env WARDEN_REPLAY wins, then the option, then record only for a missing file with an upstream', async () => {
    const existing = await file('c.jsonl', '');
    const missing = join(dirs[0]!, 'missing.jsonl');
    expect(resolveReplayMode(missing, { upstream: 'http://u' }, {})).toBe('record');
    expect(resolveReplayMode(missing, {}, {})).toBe('replay');
    expect(resolveReplayMode(existing, { upstream: 'http://u' }, {})).toBe('replay');
    expect(resolveReplayMode(existing, { mode: 'passthrough' }, {})).toBe('passthrough');
    expect(resolveReplayMode(existing, { mode: 'replay' }, { WARDEN_REPLAY: 'Record' })).toBe('record');
    expect(() => resolveReplayMode(existing, {}, { WARDEN_REPLAY: 'live' })).toThrow(/WARDEN_REPLAY must be one of record, replay, passthrough/);
  });
});

describe('check table', () => {
  it('lists each exchange and counts mismatches', () => {
    const table = formatCheckTable([
      { index: 2, method: 'tools/list', target: '', status: 'match' },
      { index: 3, method: 'tools/call', target: 'echo', status: 'mismatch', detail: 'recorded {"result":1}\nlive     {"result":2}' },
    ]);
    expect(table).toMatch(/ 2 {2}tools\/list .* match\n/);
    expect(table).toMatch(/ 3 {2}tools\/call {2}echo .*MISMATCH\n {5}recorded \{"result":1\}\n {5}live {5}\{"result":2\}/);
    expect(table).toContain('1 of 2 exchanges match, 1 mismatch');
  });
});
