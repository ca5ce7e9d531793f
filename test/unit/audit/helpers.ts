import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { auditConfigSchema, type AuditConfig } from '../../../src/audit/config.ts';
import { AuditWriter } from '../../../src/audit/writer.ts';

const made: string[] = [];
afterAll(async () => {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A fresh directory, removed after the test file. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'warden-audit-'));
  made.push(dir);
  return dir;
}

export function config(dir: string, extra: Partial<AuditConfig> = {}): AuditConfig {
  return auditConfigSchema.parse({ dir, ...extra });
}

/** Writes n call records for an agent and closes the writer. */
export async function writeRecords(dir: string, n: number, extra: Partial<AuditConfig> = {}, agent = 'agent-a'): Promise<void> {
  const writer = new AuditWriter({ config: config(dir, extra) });
  for (let i = 0; i < n; i++) writer.append(agent, { time: new Date(1_700_000_000_000 + i).toISOString(), id: `call-${i}`, agent, tool: 'echo', args: { i } });
  await writer.close();
}

/** The .jsonl files of a directory, sorted. */
export async function auditFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.endsWith('.jsonl')).sort().map((n) => join(dir, n));
}

export async function readLines(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
}

export async function writeLines(file: string, lines: string[]): Promise<void> {
  await writeFile(file, lines.map((l) => l + '\n').join(''));
}

export async function readRecords(dir: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (const f of await auditFiles(dir)) for (const l of await readLines(f)) out.push(JSON.parse(l) as Record<string, unknown>);
  return out;
}
