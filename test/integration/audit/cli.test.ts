import { execFile, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { newDecisionRecord } from '../../../src/pipeline/decision.ts';
import { createPipeline } from '../../../src/pipeline/pipeline.ts';
import { WardenError } from '../../../src/errors.ts';
import { auditStage } from '../../../src/stages/audit/index.ts';
import { AuditWriter } from '../../../src/audit/writer.ts';
import { config, tempDir } from '../../unit/audit/helpers.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../../bin/warden.mjs');

async function warden(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A log of 6 calls by two agents through the real pipeline; every third call is denied by policy. */
async function gatewayLog(): Promise<string> {
  const dir = await tempDir();
  const audit = auditStage({ config: config(dir, { checkpointEvery: 4 }) });
  for (let i = 0; i < 6; i++) {
    const policy = { name: 'policy' as const, onRequest: () => { if (i % 3 === 0) throw new WardenError('WARDEN_POLICY_DENIED', 'deletes need approval'); } };
    await createPipeline([policy, audit, { name: 'forward', onRequest: () => undefined }]).run({
      decision: newDecisionRecord(),
      request: { protocol: 'mcp', method: 'tools/call', transport: 'streamable-http', ip: '127.0.0.1', time: Date.now(), headers: {} },
      agent: { id: i % 2 ? 'search-bot' : 'spiffe://example.org/ops-bot', kind: 'dev' },
      user: { sub: 'alice' },
      tool: { name: i % 2 ? 'search' : 'delete_file', upstreamName: 'x', upstream: 'fs' },
      arguments: { i },
      facts: {},
    }).catch(() => undefined);
  }
  await audit.close();
  return dir;
}

describe('warden audit (CLI)', () => {
  it('verify prints per-file results, exits 0 on an intact log and 1 after an edit', async () => {
    const dir = await gatewayLog();
    const ok = await warden('audit', 'verify', dir);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^OK {2}.*search-bot\.jsonl: 3 calls/m);
    expect(ok.stdout).toMatch(/^OK {2}.*ops-bot\.jsonl: 3 calls/m);

    const file = join(dir, 'search-bot.jsonl');
    await writeFile(file, (await readFile(file, 'utf8')).replace('"decision":"deny"', '"decision":"allow"'));
    const bad = await warden('audit', 'verify', dir);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^FAILED {2}.*search-bot\.jsonl/m);
    expect(bad.stdout).toMatch(/hash mismatch: the record was edited/);
    expect(bad.stdout).toMatch(/^OK {2}.*ops-bot\.jsonl/m);
  });

  it('query filters by agent and decision, as a table or JSONL', async () => {
    const dir = await gatewayLog();
    // Independent invocations run side by side: each CLI start costs seconds on a loaded machine.
    const [table, json, none, badSince] = await Promise.all([
      warden('audit', 'query', '--dir', dir, '--decision', 'deny'),
      warden('audit', 'query', '--dir', dir, '--agent', 'search-bot', '--since', '1h', '--json'),
      warden('audit', 'query', '--dir', dir, '--tool', 'search', '--decision', 'deny', '--agent', 'spiffe://example.org/ops-bot'),
      warden('audit', 'query', '--dir', dir, '--since', 'lately'),
    ]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+DECISION ID\s+AGENT\s+USER\s+TASK\s+TOOL\s+DECISION\s+REASON\s+LATENCY$/);
    expect(lines).toHaveLength(3);
    expect(lines.slice(1).every((l) => l.includes('WARDEN_POLICY_DENIED: deletes need approval'))).toBe(true);

    const recs = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { agent: string; tool: string });
    expect(recs).toHaveLength(3);
    expect(recs.every((r) => r.agent === 'search-bot' && r.tool === 'search')).toBe(true);

    expect(none.stdout).toBe('no matching records\n');
    expect(badSince.code).not.toBe(0);
    expect(badSince.stderr).toMatch(/WARDEN_BAD_REQUEST: --since lately/);
  });

  it('tail -f prints records written after it started', async () => {
    const dir = await tempDir();
    const writer = new AuditWriter({ config: config(dir, { flushIntervalMs: 10 }) });
    const child = spawn(process.execPath, [BIN, 'audit', 'tail', '--dir', dir, '-f', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      // Keep writing until the follower has seen a record (it may start after the first writes).
      for (let i = 0; !out.includes('"id":"late-'); i++) {
        writer.append('bot', { time: new Date().toISOString(), id: `late-${i}`, agent: 'bot', decision: 'allow', outcome: 'ok', latencyMs: 1, method: 'tools/call' });
        await new Promise((r) => setTimeout(r, 100));
        if (i > 200) throw new Error(`tail printed nothing: ${out}`);
      }
      const first = JSON.parse(out.split('\n')[0]!) as { agent: string; kind: string };
      expect(first).toMatchObject({ agent: 'bot', kind: 'call' });
    } finally {
      child.kill('SIGTERM');
      await writer.close();
    }
  });
});
