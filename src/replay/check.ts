/**
 * Checks a cassette against a live MCP endpoint: every recorded request is sent
 * again (in recorded order, one session, the real MCP SDK client) and its answer
 * compared with the recording as canonical JSON. `initialize` is the handshake
 * itself and is not compared.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { canonicalJson } from '../audit/canonical.ts';
import type { CassetteEntry } from './cassette.ts';

export interface CheckRow {
  /** 1-based line of the exchange among the cassette's entries. */
  index: number;
  method: string;
  /** A short form of the request: the tool, prompt or resource it names. */
  target: string;
  status: 'match' | 'mismatch';
  /** For a mismatch: what was recorded and what came back (shortened). */
  detail?: string;
}

export interface CheckOptions {
  /** Extra request headers for the live endpoint (e.g. Authorization for warden). */
  headers?: Record<string, string>;
}

const anyResult = z.looseObject({});

/** Replays every recorded request against `url` and reports which answers match. */
export async function checkCassette(entries: readonly CassetteEntry[], url: string, options: CheckOptions = {}): Promise<CheckRow[]> {
  const client = new Client({ name: 'warden-replay-check', version: '0.1.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: options.headers ?? {} } }));
  const rows: CheckRow[] = [];
  try {
    for (const [i, entry] of entries.entries()) {
      if (entry.method === 'initialize') continue;
      const recorded = outcomeText(entry.error ? { error: entry.error } : { result: entry.result ?? null });
      let live: string;
      try {
        const result = await client.request({ method: entry.method, ...(entry.params === undefined ? {} : { params: entry.params as Record<string, unknown> }) }, anyResult);
        live = outcomeText({ result });
      } catch (err) {
        live = outcomeText({ error: err instanceof McpError ? { code: err.code, message: stripPrefix(err.message) } : { code: -32603, message: (err as Error).message } });
      }
      const row: CheckRow = { index: i + 1, method: entry.method, target: targetOf(entry), status: recorded === live ? 'match' : 'mismatch' };
      if (row.status === 'mismatch') row.detail = `recorded ${short(recorded)}\nlive     ${short(live)}`;
      rows.push(row);
    }
  } finally {
    await client.close().catch(() => undefined);
  }
  return rows;
}

/** A readable table of check results, one line per exchange, mismatches with their detail. */
export function formatCheckTable(rows: readonly CheckRow[]): string {
  const wMethod = Math.max(6, ...rows.map((r) => r.method.length));
  const wTarget = Math.max(6, ...rows.map((r) => r.target.length));
  const lines = [`${'#'.padStart(3)}  ${'method'.padEnd(wMethod)}  ${'target'.padEnd(wTarget)}  result`];
  for (const r of rows) {
    lines.push(`${String(r.index).padStart(3)}  ${r.method.padEnd(wMethod)}  ${r.target.padEnd(wTarget)}  ${r.status === 'match' ? 'match' : 'MISMATCH'}`);
    if (r.detail) for (const line of r.detail.split('\n')) lines.push(`     ${line}`);
  }
  const bad = rows.filter((r) => r.status === 'mismatch').length;
  lines.push('', `${rows.length - bad} of ${rows.length} exchanges match${bad ? `, ${bad} mismatch` : ''}`);
  return lines.join('\n') + '\n';
}

/** Errors are compared on code and message only (data may carry run-specific ids). */
function outcomeText(outcome: { result?: unknown; error?: { code: number; message: string } }): string {
  return outcome.error ? canonicalJson({ error: { code: outcome.error.code, message: outcome.error.message } }) : canonicalJson({ result: outcome.result });
}

/** The SDK prefixes McpError messages with "MCP error <code>: ". */
function stripPrefix(message: string): string {
  return message.replace(/^MCP error -?\d+: /, '');
}

function targetOf(entry: CassetteEntry): string {
  const p = entry.params as { name?: unknown; uri?: unknown } | undefined;
  const t = typeof p?.name === 'string' ? p.name : typeof p?.uri === 'string' ? p.uri : '';
  return t.length > 40 ? `${t.slice(0, 39)}…` : t;
}

function short(text: string): string {
  return text.length > 160 ? `${text.slice(0, 159)}…` : text;
}
