import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSigningKey, signMessage } from '../../../src/audit/keys.ts';
import { checkpointMessage, recordHash, sealLine } from '../../../src/audit/record.ts';
import { verifyAuditPath } from '../../../src/audit/verify.ts';
import { auditFiles, readLines, tempDir, writeLines, writeRecords } from './helpers.ts';

async function sealedLog(n = 10, checkpointEvery = 4): Promise<{ dir: string; file: string; lines: string[] }> {
  const dir = await tempDir();
  await writeRecords(dir, n, { checkpointEvery });
  const [file] = await auditFiles(dir);
  return { dir, file: file!, lines: await readLines(file!) };
}

/** What someone who edits a record and recomputes its hash writes. */
function reseal(rec: Record<string, unknown>): string {
  const { hash: _old, ...rest } = rec;
  return sealLine(JSON.stringify(rest)).line.trimEnd();
}

function problems(report: Awaited<ReturnType<typeof verifyAuditPath>>): string {
  return report.files.flatMap((f) => f.problems).join('\n');
}

describe('warden audit verify', () => {
  it('accepts an untouched, cleanly closed log and counts its records', async () => {
    const { dir } = await sealedLog(10, 4);
    const report = await verifyAuditPath(dir);
    expect(problems(report)).toBe('');
    expect(report.ok).toBe(true);
    // 10 calls, checkpoints after calls 4 and 8, and a closing one.
    expect(report.files[0]).toMatchObject({ calls: 10, checkpoints: 3, unsealed: 0 });
  });

  it('detects an edited record', async () => {
    const { dir, file, lines } = await sealedLog();
    lines[2] = lines[2]!.replace('"tool":"echo"', '"tool":"rm"');
    await writeLines(file, lines);
    const report = await verifyAuditPath(dir);
    expect(report.ok).toBe(false);
    expect(problems(report)).toMatch(/line 3 \(seq 3\): hash mismatch/);
  });

  it('detects an edited record whose hash was recomputed (the next link breaks)', async () => {
    const { dir, file, lines } = await sealedLog();
    const rec = JSON.parse(lines[2]!) as Record<string, unknown>;
    rec.tool = 'rm';
    lines[2] = reseal(rec);
    await writeLines(file, lines);
    const report = await verifyAuditPath(dir);
    expect(report.ok).toBe(false);
    expect(problems(report)).toMatch(/seq 4.*prev does not match the hash of seq 3/);
    expect(problems(report)).not.toMatch(/hash mismatch/);
  });

  it('detects a deleted record', async () => {
    const { dir, file, lines } = await sealedLog();
    lines.splice(1, 1);
    await writeLines(file, lines);
    const report = await verifyAuditPath(dir);
    expect(report.ok).toBe(false);
    expect(problems(report)).toMatch(/seq 2 is missing: a record was deleted/);
  });

  it('detects reordered records', async () => {
    const { dir, file, lines } = await sealedLog();
    [lines[1], lines[2]] = [lines[2]!, lines[1]!];
    await writeLines(file, lines);
    const report = await verifyAuditPath(dir);
    expect(report.ok).toBe(false);
    expect(problems(report)).toMatch(/reordered/);
    expect(problems(report)).not.toMatch(/deleted/);
  });

  it('detects a checkpoint with a bad signature', async () => {
    const { dir, file, lines } = await sealedLog();
    const index = lines.findIndex((l) => l.includes('"kind":"checkpoint"'));
    const rec = JSON.parse(lines[index]!) as Record<string, unknown>;
    const sig = Buffer.from(rec.sig as string, 'base64');
    sig[0] = sig[0]! ^ 1;
    rec.sig = sig.toString('base64');
    lines[index] = reseal(rec);
    await writeLines(file, lines);
    const report = await verifyAuditPath(dir);
    expect(report.ok).toBe(false);
    expect(problems(report)).toMatch(/checkpoint signature is invalid/);
    expect(problems(report)).not.toMatch(/hash mismatch/);
  });

  it('rejects checkpoints re-signed with a key other than the published one', async () => {
    const { dir } = await sealedLog();
    const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }) as string;
    await writeFile(join(dir, 'audit-key.pub.pem'), other);
    const report = await verifyAuditPath(dir);
    expect(report.ok).toBe(false);
    expect(problems(report)).toMatch(/unknown key/);
  });

  it('reports a truncated tail after the last checkpoint as unsealed, and fails with strict', async () => {
    const { dir, file, lines } = await sealedLog(10, 4);
    // Drop the closing checkpoint and the two calls before it: the log now ends 1 record after checkpoint 10.
    await writeLines(file, lines.slice(0, 11));
    const report = await verifyAuditPath(dir);
    expect(report.ok).toBe(true);
    expect(report.files[0]!.unsealed).toBe(1);
    const strict = await verifyAuditPath(dir, { strict: true });
    expect(strict.ok).toBe(false);
    expect(problems(strict)).toMatch(/1 records after seq 10 are not covered/);
  });

  it('detects a deleted head record', async () => {
    const { dir, file, lines } = await sealedLog();
    await writeLines(file, lines.slice(1));
    const report = await verifyAuditPath(dir);
    expect(report.ok).toBe(false);
    expect(problems(report)).toMatch(/starts at seq 2/);
  });

  it('still verifies logs in format v1 (hash over canonical JSON), and detects an edit in them', async () => {
    const { dir, file, lines } = await sealedLog(6, 4);
    // Rewrite the log as the v1 writer did: v 1, hash = SHA-256 of the canonical JSON without hash.
    const key = await loadSigningKey(dir);
    let prev = '0'.repeat(64);
    const v1 = lines.map((line) => {
      const { hash: _h, ...rec } = JSON.parse(line) as Record<string, unknown>;
      Object.assign(rec, { v: 1, prev });
      if (rec.kind === 'checkpoint') rec.sig = signMessage(key, checkpointMessage(rec.agent as string, rec.seq as number, prev));
      prev = recordHash(rec);
      return JSON.stringify({ ...rec, hash: prev });
    });
    await writeLines(file, v1);
    const report = await verifyAuditPath(dir, { strict: true });
    expect(problems(report)).toBe('');
    expect(report.files[0]).toMatchObject({ calls: 6, checkpoints: 2 });
    v1[2] = v1[2]!.replace('"tool":"echo"', '"tool":"rm"');
    await writeLines(file, v1);
    expect(problems(await verifyAuditPath(dir))).toMatch(/line 3 \(seq 3\): hash mismatch/);
  });
});
