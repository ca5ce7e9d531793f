/**
 * Cassettes: recorded MCP exchanges, one JSON line each, that tests replay.
 * An exchange is a request (method and params, already scrubbed by the time
 * warden sees them) and its outcome (result or JSON-RPC error). Secrets are
 * never written: only a few harmless headers are kept, and nothing that looks
 * like a credential or session id.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { canonicalJson } from '../audit/canonical.ts';
import { WardenError } from '../errors.ts';

export interface JsonRpcErrorShape {
  code: number;
  message: string;
  data?: unknown;
}

export interface CassetteEntry {
  method: string;
  params?: unknown;
  result?: unknown;
  error?: JsonRpcErrorShape;
  /** Request headers worth keeping (protocol version, content type); never credentials. */
  headers?: Record<string, string>;
}

/** Headers a cassette may keep; everything else (Authorization, cookies, API keys, session ids) is dropped. */
const KEPT_HEADERS = new Set(['mcp-protocol-version', 'content-type', 'accept', 'user-agent']);

/** The headers of a request that may be written to a cassette. */
export function safeHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (!KEPT_HEADERS.has(key) || value === undefined) continue;
    (out ??= {})[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * The key an exchange is matched by: method plus canonical params (object keys
 * sorted), without `_meta.progressToken` (it differs between runs; JSON-RPC ids
 * are never part of the key). Other `_meta` fields are kept: they are content.
 */
export function exchangeKey(method: string, params: unknown): string {
  if (params && typeof params === 'object' && !Array.isArray(params) && '_meta' in params) {
    const { _meta: meta, ...rest } = params as Record<string, unknown>;
    if (meta && typeof meta === 'object' && !Array.isArray(meta)) {
      const { progressToken: _ignored, ...keptMeta } = meta as Record<string, unknown>;
      params = Object.keys(keptMeta).length > 0 ? { ...rest, _meta: keptMeta } : rest;
    }
  }
  return method + ' ' + canonicalJson(params ?? {});
}

/** A loaded cassette: exchanges by key; repeated requests replay their recordings in order. */
export class Cassette {
  private readonly byKey = new Map<string, CassetteEntry[]>();
  private readonly served = new Map<string, number>();

  constructor(readonly entries: readonly CassetteEntry[]) {
    for (const e of entries) {
      const key = exchangeKey(e.method, e.params);
      const list = this.byKey.get(key);
      if (list) list.push(e);
      else this.byKey.set(key, [e]);
    }
  }

  /** Reads a JSONL cassette; a missing file is an empty cassette. Throws WARDEN_REPLAY_CASSETTE_INVALID naming file:line. */
  static async load(path: string): Promise<Cassette> {
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new WardenError('WARDEN_REPLAY_CASSETTE_INVALID', `${path}: cannot read the cassette: ${(err as Error).message}`, { file: path }, { cause: err });
      }
    }
    const entries: CassetteEntry[] = [];
    for (const [i, line] of text.split('\n').entries()) {
      if (line.trim() === '') continue;
      let entry: unknown;
      try {
        entry = JSON.parse(line);
      } catch {
        throw new WardenError('WARDEN_REPLAY_CASSETTE_INVALID', `${path}:${i + 1}: not a cassette entry (invalid JSON)`, { file: path, line: i + 1 });
      }
      const e = entry as Partial<CassetteEntry> | null;
      if (!e || typeof e !== 'object' || Array.isArray(e) || typeof e.method !== 'string' || (!('result' in e) && !('error' in e))) {
        throw new WardenError('WARDEN_REPLAY_CASSETTE_INVALID', `${path}:${i + 1}: not a cassette entry (needs "method" and "result" or "error")`, { file: path, line: i + 1 });
      }
      entries.push(e as CassetteEntry);
    }
    return new Cassette(entries);
  }

  /** Exchanges not yet served at least once (for "unused recording" reports). */
  unserved(): CassetteEntry[] {
    const out: CassetteEntry[] = [];
    for (const [key, list] of this.byKey) out.push(...list.slice(this.served.get(key) ?? 0));
    return out;
  }

  /** The recorded outcome for a request: the next unserved recording, then the last one again. */
  find(method: string, params: unknown): CassetteEntry | undefined {
    const key = exchangeKey(method, params);
    const list = this.byKey.get(key);
    if (!list) return undefined;
    const n = this.served.get(key) ?? 0;
    this.served.set(key, n + 1);
    return list[Math.min(n, list.length - 1)];
  }
}

/** Appends exchanges to a cassette file. */
export class CassetteWriter {
  private stream: WriteStream | undefined;
  private ready: Promise<void> | undefined;
  count = 0;

  constructor(readonly path: string) {}

  /** Queues one exchange (headers are filtered again here, whatever the caller passed). */
  write(entry: CassetteEntry): void {
    const clean: CassetteEntry = { method: entry.method };
    if (entry.params !== undefined) clean.params = entry.params;
    if (entry.error !== undefined) clean.error = entry.error;
    else clean.result = entry.result ?? null;
    const headers = entry.headers && safeHeaders(entry.headers);
    if (headers) clean.headers = headers;
    this.ready ??= mkdir(dirname(this.path), { recursive: true }).then(() => {
      this.stream = createWriteStream(this.path, { flags: 'a' });
    });
    const line = JSON.stringify(clean) + '\n';
    this.count++;
    void this.ready.then(() => this.stream!.write(line));
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    if (!this.ready) return;
    await this.ready;
    const stream = this.stream!;
    await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}
