import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'warden.mjs');

function run(args: string[], input: string) {
  const r = spawnSync(process.execPath, [BIN, 'pii', 'scan', ...args], { input, encoding: 'utf8' });
  return { status: r.status, lines: r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown), stderr: r.stderr };
}

describe('warden pii scan', () => {
  it('text mode: {"id","text"} in, {"id","spans"} out, one line per record', () => {
    const r = run([], ['{"id":"1","text":"SSN 460-89-9847"}', '{"id":"2","text":"nothing here"}'].join('\n'));
    expect(r.status).toBe(0);
    expect(r.lines).toEqual([
      { id: '1', spans: [{ start: 4, end: 15, type: 'US_SSN' }] },
      { id: '2', spans: [] },
    ]);
  });

  it('structured mode: {"id","doc"} in, findings with JSON pointers out', () => {
    const r = run(['--structured'], JSON.stringify({ id: 's1', doc: { 'a/b': ['x a@b.io'] } }));
    expect(r.lines).toEqual([{ id: 's1', findings: [{ path: '/a~1b/0', start: 2, end: 8, type: 'EMAIL_ADDRESS' }] }]);
  });

  it('bad lines are reported on stderr and skipped; the rest is still scanned', () => {
    const r = run([], ['not json', '{"text":"no id"}', '{"id":"3","text":"a@b.io"}'].join('\n'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('line 1');
    expect(r.stderr).toContain('line 2');
    expect(r.lines).toEqual([{ id: '3', spans: [{ start: 0, end: 6, type: 'EMAIL_ADDRESS' }] }]);
  });
});
