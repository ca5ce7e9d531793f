/**
 * Reading audit logs back: filtered record streams and a readable table.
 * Used by `warden audit query` and `warden audit tail`.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { WardenError } from '../errors.ts';
import { agentFileStem, listAuditFiles } from './files.ts';
import type { CallRecord } from './record.ts';

export interface RecordFilter {
  agent?: string;
  tool?: string;
  /** Unix ms: only calls that arrived at or after this time. */
  since?: number;
  decision?: 'allow' | 'deny';
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `--since`: a duration back from now (90s, 15m, 1h, 7d) or an ISO date. */
export function parseSince(text: string, now = Date.now()): number {
  const m = DURATION.exec(text.trim());
  if (m) return now - Number(m[1]) * UNIT_MS[m[2]!]!;
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new WardenError('WARDEN_BAD_REQUEST', `--since ${text}: expected a duration like 30m, 1h, 7d or an ISO date`);
  return t;
}

/** Whether a call record passes a filter. */
export function matchesFilter(rec: CallRecord, filter: RecordFilter): boolean {
  if (filter.agent !== undefined && rec.agent !== filter.agent) return false;
  if (filter.tool !== undefined && rec.tool !== filter.tool) return false;
  if (filter.decision !== undefined && rec.decision !== filter.decision) return false;
  if (filter.since !== undefined && Date.parse(rec.time) < filter.since) return false;
  return true;
}

/** The call records of a directory (an agent's chain in order; agents one after another) that pass a filter. */
export async function* queryAuditRecords(dir: string, filter: RecordFilter = {}): AsyncGenerator<CallRecord> {
  const chains = await listAuditFiles(dir);
  const stems = filter.agent !== undefined ? [agentFileStem(filter.agent)] : [...chains.keys()].sort();
  for (const stem of stems) {
    for (const file of chains.get(stem) ?? []) {
      for await (const rec of readCallRecords(file.path)) if (matchesFilter(rec, filter)) yield rec;
    }
  }
}

/** The call records of one file, skipping checkpoints and unreadable lines. */
export async function* readCallRecords(path: string, start = 0): AsyncGenerator<CallRecord> {
  const input = createReadStream(path, { encoding: 'utf8', start });
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    const rec = parseCallRecord(line);
    if (rec) yield rec;
  }
}

/** A call record from a line, or undefined (checkpoint, blank, not JSON). */
export function parseCallRecord(line: string): CallRecord | undefined {
  if (line === '') return undefined;
  try {
    const rec = JSON.parse(line) as CallRecord;
    return rec.kind === 'call' ? rec : undefined;
  } catch {
    return undefined;
  }
}

const COLUMNS = ['TIME', 'DECISION ID', 'AGENT', 'USER', 'TASK', 'TOOL', 'DECISION', 'REASON', 'LATENCY'] as const;
const MAX_CELL = 48;

/** The table row of a record (cells in COLUMNS order). */
export function tableRow(rec: CallRecord): string[] {
  const reason = rec.code ? `${rec.code}${rec.reason ? ': ' + rec.reason : ''}` : rec.outcome === 'ok' ? '' : rec.outcome;
  return [
    rec.time, rec.id, rec.agent, rec.user ?? '-', rec.task ?? '-', rec.tool ?? rec.method, rec.decision, reason || '-', `${rec.latencyMs}ms`,
  ].map((cell) => (cell.length > MAX_CELL ? cell.slice(0, MAX_CELL - 1) + '…' : cell));
}

/** A readable, aligned table of records, with a header. */
export function formatTable(records: CallRecord[]): string {
  const rows = [COLUMNS as readonly string[], ...records.map(tableRow)];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}
