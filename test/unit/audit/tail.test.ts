import { describe, expect, it } from 'vitest';
import { formatTable, parseSince, queryAuditRecords } from '../../../src/audit/query.ts';
import type { CallRecord } from '../../../src/audit/record.ts';
import { tailAuditRecords } from '../../../src/audit/tail.ts';
import { AuditWriter } from '../../../src/audit/writer.ts';
import { config, tempDir, writeRecords } from './helpers.ts';

describe('audit tail and query', () => {
  it('tail shows the latest records, then follows new ones across rotations, each once', async () => {
    const dir = await tempDir();
    await writeRecords(dir, 15);
    const seen: string[] = [];
    const controller = new AbortController();
    const following = tailAuditRecords(dir, (r) => seen.push(r.id), { lines: 3, follow: true, pollMs: 20, signal: controller.signal });
    for (let i = 0; i < 500 && seen.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual(['call-12', 'call-13', 'call-14']);

    const writer = new AuditWriter({ config: config(dir, { rotateBytes: 1500, flushIntervalMs: 5 }) });
    for (let i = 0; i < 40; i++) {
      writer.append('agent-a', { time: new Date().toISOString(), id: `new-${i}`, agent: 'agent-a' });
      if (i % 5 === 4) await new Promise((r) => setTimeout(r, 30));
    }
    await writer.close();
    for (let i = 0; i < 1000 && seen.length < 43; i++) await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    await following;
    expect(seen.slice(3)).toEqual(Array.from({ length: 40 }, (_, i) => `new-${i}`));
  });

  it('query filters and the table has one aligned row per record', async () => {
    const dir = await tempDir();
    const writer = new AuditWriter({ config: config(dir) });
    const base = { method: 'tools/call', latencyMs: 2, outcome: 'ok', decision: 'allow' };
    writer.append('a', { ...base, time: '2026-01-01T00:00:00.000Z', id: 'old', agent: 'a', tool: 'search' });
    writer.append('a', { ...base, time: new Date().toISOString(), id: 'recent', agent: 'a', tool: 'search' });
    writer.append('b', { ...base, time: new Date().toISOString(), id: 'denied', agent: 'b', tool: 'rm', decision: 'deny', outcome: 'denied', code: 'WARDEN_POLICY_DENIED', reason: 'no' });
    await writer.close();
    const ids = async (filter: Parameters<typeof queryAuditRecords>[1]): Promise<string[]> => {
      const out: string[] = [];
      for await (const r of queryAuditRecords(dir, filter)) out.push(r.id);
      return out;
    };
    expect(await ids({})).toEqual(['old', 'recent', 'denied']);
    expect(await ids({ since: parseSince('1h') })).toEqual(['recent', 'denied']);
    expect(await ids({ decision: 'deny' })).toEqual(['denied']);
    expect(await ids({ agent: 'a', tool: 'rm' })).toEqual([]);
    const records: CallRecord[] = [];
    for await (const r of queryAuditRecords(dir)) records.push(r);
    const lines = formatTable(records).trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatch(/denied\s+b\s+-\s+-\s+rm\s+deny\s+WARDEN_POLICY_DENIED: no\s+2ms$/);
    // Columns line up: every row has its decision id at the same offset as the header.
    const at = lines[0]!.indexOf('DECISION ID');
    expect(lines.slice(1).map((l) => l.slice(at).split(' ')[0])).toEqual(['old', 'recent', 'denied']);
  });

  it('parseSince takes durations and dates and rejects anything else', () => {
    const now = Date.parse('2026-11-23T12:00:00Z');
    expect(parseSince('1h', now)).toBe(now - 3_600_000);
    expect(parseSince('7d', now)).toBe(now - 7 * 86_400_000);
    expect(parseSince('2026-11-01', now)).toBe(Date.parse('2026-11-01'));
    expect(() => parseSince('soon', now)).toThrow(/WARDEN|expected a duration/);
  });
});
