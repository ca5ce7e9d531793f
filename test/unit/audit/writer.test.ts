import { appendFile, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { lineHashes, sealLine } from '../../../src/audit/record.ts';
import { verifyAuditPath } from '../../../src/audit/verify.ts';
import { AuditWriter } from '../../../src/audit/writer.ts';
import { auditFiles, config, readLines, readRecords, tempDir, writeRecords } from './helpers.ts';

describe('audit writer', () => {
  it('loses nothing on a clean close: N appended, N call records on disk, sealed', async () => {
    const dir = await tempDir();
    const writer = new AuditWriter({ config: config(dir, { checkpointEvery: 100, flushIntervalMs: 5 }) });
    const n = 2500;
    for (let i = 0; i < n; i++) {
      writer.append(i % 2 ? 'agent-a' : 'agent-b', { id: `c${i}`, i });
      // Let some flushes happen mid-stream, as under real load.
      if (i % 500 === 0) await new Promise((r) => setTimeout(r, 10));
    }
    await writer.close();
    const records = await readRecords(dir);
    const calls = records.filter((r) => r.kind === 'call');
    expect(calls).toHaveLength(n);
    expect(new Set(calls.map((r) => r.i)).size).toBe(n);
    const report = await verifyAuditPath(dir);
    expect(report.ok).toBe(true);
    expect(report.files.map((f) => f.unsealed)).toEqual([0, 0]);
    expect(writer.written).toBe(n);
  });

  it('writes one file per agent with a safe, reversible name', async () => {
    const dir = await tempDir();
    const writer = new AuditWriter({ config: config(dir) });
    writer.append('spiffe://example.org/ns/prod/sa/../../etc', { id: 'x' });
    writer.append('plain-agent', { id: 'y' });
    await writer.close();
    const names = (await readdir(dir)).filter((n) => n.endsWith('.jsonl')).sort();
    expect(names).toEqual(['plain-agent.jsonl', 'spiffe%3A%2F%2Fexample%2Eorg%2Fns%2Fprod%2Fsa%2F%2E%2E%2F%2E%2E%2Fetc.jsonl']);
  });

  it('rotates by size and keeps the chain across files', async () => {
    const dir = await tempDir();
    await writeRecords(dir, 40, { rotateBytes: 2000, checkpointEvery: 1000 });
    // The current file may be empty when the last record filled the one before it.
    const files = [];
    for (const f of await auditFiles(dir)) if ((await readLines(f)).length > 0) files.push(f);
    expect(files.length).toBeGreaterThan(3);
    // The first record of each rotated-in file links to the last record of the file before it.
    for (let i = 1; i < files.length; i++) {
      const before = await readLines(files[i - 1]!);
      const after = await readLines(files[i]!);
      const last = JSON.parse(before.at(-1)!) as { seq: number; hash: string; kind: string };
      const first = JSON.parse(after[0]!) as { seq: number; prev: string };
      expect(last.kind).toBe('checkpoint');
      expect(first).toMatchObject({ seq: last.seq + 1, prev: last.hash });
    }
    const report = await verifyAuditPath(dir);
    expect(report.files.flatMap((f) => f.problems)).toEqual([]);
    expect(report.files.reduce((n, f) => n + f.calls, 0)).toBe(40);
  });

  it('detects a whole rotated file removed from the middle of a chain', async () => {
    const dir = await tempDir();
    await writeRecords(dir, 40, { rotateBytes: 2000 });
    const files = await auditFiles(dir);
    const { rm } = await import('node:fs/promises');
    await rm(files[1]!);
    const report = await verifyAuditPath(dir);
    expect(report.ok).toBe(false);
    expect(report.files.flatMap((f) => f.problems).join('\n')).toMatch(/missing: records were deleted/);
  });

  it('continues the chain after a restart, and cuts a partial line left by a crash', async () => {
    const dir = await tempDir();
    await writeRecords(dir, 5);
    const [file] = await auditFiles(dir);
    await appendFile(file!, '{"v":1,"kind":"call","seq":7,"pre');
    await writeRecords(dir, 3);
    const records = await readRecords(dir);
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(records.filter((r) => r.kind === 'call')).toHaveLength(8);
    expect((await verifyAuditPath(dir)).ok).toBe(true);
  });

  it('refuses to continue a chain whose last record is unreadable (fail closed)', async () => {
    const dir = await tempDir();
    await writeRecords(dir, 2);
    const [file] = await auditFiles(dir);
    await appendFile(file!, 'garbage\n');
    const writer = new AuditWriter({ config: config(dir) });
    writer.append('agent-a', { id: 'z' });
    await writer.flush();
    expect(writer.accepting).toBe(false);
    expect(writer.refusal).toMatch(/unreadable record/);
    await expect(writer.close()).rejects.toThrow(/unreadable/);
  });

  it('refuses calls while its file cannot be opened, keeps the queued records, and recovers', async () => {
    const dir = await tempDir();
    const { mkdir, rmdir } = await import('node:fs/promises');
    // A directory where the agent's file should be: opening it fails (EISDIR), as a broken disk would.
    await mkdir(join(dir, 'agent-a.jsonl'));
    const writer = new AuditWriter({ config: config(dir) });
    writer.append('agent-a', { id: 'queued-during-outage' });
    await writer.flush();
    expect(writer.accepting).toBe(false);
    expect(writer.refusal).toMatch(/cannot be written: .*agent-a\.jsonl/);
    await rmdir(join(dir, 'agent-a.jsonl'));
    writer.append('agent-a', { id: 'after-recovery' });
    await writer.flush();
    expect(writer.accepting).toBe(true);
    await writer.close();
    expect((await readRecords(dir)).filter((r) => r.kind === 'call').map((r) => r.id)).toEqual(['queued-during-outage', 'after-recovery']);
    expect((await verifyAuditPath(dir)).ok).toBe(true);
  });

  it('writes a record saying so when an entry cannot be built, and keeps the chain going', async () => {
    const dir = await tempDir();
    const writer = new AuditWriter({ config: config(dir) });
    writer.append('a', { id: 'before' });
    writer.append('a', { toAuditBody: () => { throw new Error('context was torn down'); } });
    writer.append('a', { id: 'odd', args: { toJSON: () => { throw new Error('no JSON for you'); } } });
    writer.append('a', { id: 'after' });
    await writer.close();
    const calls = (await readRecords(dir)).filter((r) => r.kind === 'call');
    expect(calls.map((r) => r.id ?? r.buildError)).toEqual(['before', 'context was torn down', 'no JSON for you', 'after']);
    expect((await verifyAuditPath(dir)).ok).toBe(true);
  });

  it('stops accepting when too far behind', async () => {
    const dir = await tempDir();
    const writer = new AuditWriter({ config: config(dir, { maxPendingRecords: 3 }) });
    for (let i = 0; i < 3; i++) writer.append('a', { i });
    expect(writer.accepting).toBe(false);
    await writer.flush();
    expect(writer.accepting).toBe(true);
    await writer.close();
    expect(writer.accepting).toBe(false);
  });

  it('seals every pino line with the hash of its own bytes; any change to the bytes shows', () => {
    const sink = { line: '', write(s: string) { this.line = s; } };
    const log = pino({ level: 'info', base: null, timestamp: false, formatters: { level: () => ({ v: 2 }) } }, sink);
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.nat(), fc.integer({ min: 1, max: 0xffff }), (body, at, code) => {
        log.info({ kind: 'call', seq: 1, prev: 'p', args: body });
        const { line, hash } = sealLine(sink.line);
        const text = line.slice(0, -1);
        expect(line.endsWith('\n')).toBe(true);
        expect(JSON.parse(text)).toMatchObject({ v: 2, kind: 'call', hash });
        expect(lineHashes(text)).toEqual({ claimed: hash, actual: hash });
        // Replace one character of the record (before the hash member) with another.
        const i = at % (text.length - 75);
        const ch = String.fromCharCode(code);
        fc.pre(ch !== text[i]);
        const edited = text.slice(0, i) + ch + text.slice(i + 1);
        expect(lineHashes(edited)!.actual).not.toBe(hash);
      }),
      { numRuns: 300 },
    );
  });

  it('writes exactly the record on each line (pino JSON, no extra fields)', async () => {
    const dir = await tempDir();
    await writeRecords(dir, 1);
    const [file] = await auditFiles(dir);
    const first = JSON.parse((await readFile(file!, 'utf8')).split('\n')[0]!) as Record<string, unknown>;
    expect(Object.keys(first)).toEqual(['v', 'kind', 'seq', 'prev', 'time', 'id', 'agent', 'tool', 'args', 'hash']);
    expect(first.v).toBe(2);
    const line = (await readLines(file!))[0]!;
    expect(lineHashes(line)).toEqual({ claimed: first.hash, actual: first.hash });
  });

  it('refuses calls (fail closed) when its writer thread dies', async () => {
    const dir = await tempDir();
    const writer = new AuditWriter({ config: config(dir) });
    await writer.ready();
    writer.append('a', { id: 'before' });
    await writer.flush();
    expect(writer.accepting).toBe(true);
    // What an out-of-memory or a native crash in the thread looks like from the gateway.
    await (writer as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    expect(writer.accepting).toBe(false);
    expect(writer.refusal).toMatch(/cannot be written: the audit writer thread exited/);
    await expect(writer.close()).rejects.toThrow(/writer thread exited/);
    expect((await readRecords(dir)).filter((r) => r.kind === 'call').map((r) => r.id)).toEqual(['before']);
  });
});
