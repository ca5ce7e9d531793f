import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyAuditPath } from '../../../src/audit/verify.ts';
import { AuditWriter } from '../../../src/audit/writer.ts';
import { config, readRecords, tempDir } from '../../unit/audit/helpers.ts';

const CHILD = join(import.meta.dirname, 'crash-child.ts');
const FLUSH_MS = 20;
const MAX_PENDING = 2000;
const BATCH = 50;

describe('audit log under SIGKILL', () => {
  it('keeps every record handed to the OS and loses at most the documented bound', async () => {
    const dir = await tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, String(FLUSH_MS), String(MAX_PENDING)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let last = { answered: 0, written: 0 };
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) {
          const m = /^answered (\d+) written (\d+)$/.exec(line);
          if (m) last = { answered: Number(m[1]), written: Number(m[2]) };
        }
        // Kill it mid-flight, once it has written a good number of records.
        if (last.written >= 5000 && child.exitCode === null) {
          child.removeAllListeners('exit');
          child.kill('SIGKILL');
          child.on('exit', () => resolve());
        }
      });
    });
    // Reports already read are a lower bound on what the child had done when killed.
    const onDisk = (await readRecords(dir).catch(() => [])).length;
    const report = await verifyAuditPath(dir);
    expect(report.files.flatMap((f) => f.problems)).toEqual([]);
    const calls = report.files.reduce((n, f) => n + f.calls, 0);
    expect(onDisk).toBeGreaterThan(0);
    // Everything the writer had handed to the OS survived the kill.
    expect(calls).toBeGreaterThanOrEqual(last.written);
    // Nothing invented: at most the answered calls plus one batch answered after the last report.
    expect(calls).toBeLessThanOrEqual(last.answered + BATCH);
    // Lost records are bounded: never more than maxPendingRecords plus one batch in flight.
    expect(last.answered - calls).toBeLessThanOrEqual(MAX_PENDING + BATCH);

    // A restarted writer cuts any partial line, continues the chains, and the whole log verifies.
    const writer = new AuditWriter({ config: config(dir) });
    for (let i = 0; i < 3; i++) writer.append(`agent-${i}`, { id: `after-restart-${i}` });
    await writer.close();
    const after = await verifyAuditPath(dir, { strict: true });
    expect(after.files.flatMap((f) => f.problems)).toEqual([]);
    expect(after.files.reduce((n, f) => n + f.calls, 0)).toBe(calls + 3);
  }, 60_000);
});
