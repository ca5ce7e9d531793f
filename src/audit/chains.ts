/**
 * The per-agent hash chains, as the writer thread keeps them: queued entries
 * become records (seq, prev), pino serialises each one into a batch, the line
 * is sealed with its hash (SHA-256 of its own bytes), the batch is appended
 * with one write, signed checkpoints are added, files rotate by size and are
 * fsynced periodically. A failed write keeps its bytes and is retried first;
 * an I/O error delays records but never drops or duplicates them.
 */
import { mkdir, open, rename, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { RAW_PARTS, RAW_PLACEHOLDER } from './call-fields.ts';
import type { AuditConfig } from './config.ts';
import { agentFileStem, currentFileName, listAuditFiles, readFirstLine, readLastLine, rotatedFileName } from './files.ts';
import type { SigningKey } from './keys.ts';
import { signMessage } from './keys.ts';
import { sha256Hex } from './canonical.ts';
import { AUDIT_RECORD_VERSION, GENESIS_HASH, checkpointMessage, type CheckpointRecord } from './record.ts';

/** A call record's body (seq, prev, v and hash are added here). */
export type QueuedEntry = Record<string, unknown>;

/** The placeholder as pino writes it (a plain ASCII string: quoted, nothing escaped). */
const PLACEHOLDER_JSON = `"${RAW_PLACEHOLDER}"`;

/** Bytes a batch buffer starts with; it doubles when a batch needs more. */
const BATCH_BUFFER_BYTES = 64 * 1024;
/** `,"hash":"` + 64 hex + `"}\n`. */
const SEAL_BYTES = 9 + 64 + 3;

/**
 * Collects pino's output lines for one batch as UTF-8 bytes, sealing each with its hash
 * (the same bytes as sealLine in record.ts): each line is encoded once, straight into the
 * batch's buffer (with the raw JSON parts where pino wrote their placeholders), and hashed there.
 */
class BatchSink {
  buf = Buffer.allocUnsafe(BATCH_BUFFER_BYTES);
  /** Bytes of the batch so far. */
  bytes = 0;
  /** Lines in the batch. */
  lines = 0;
  /** Call records among the lines (checkpoints are not counted). */
  calls = 0;
  /** Hash of the last line sealed. */
  hash = '';
  /** JSON texts of the record being written, to put where pino wrote their placeholders, in order. */
  rawParts: string[] | undefined;

  write(line: string): void {
    const raw = this.rawParts;
    // The line as pino ends it: `}` and a newline; the hash member goes before the `}`.
    const end = line.endsWith('}\n') ? line.length - 2 : line.length - 1;
    let rawLength = 0;
    if (raw !== undefined) for (let k = 0; k < raw.length; k++) rawLength += raw[k]!.length;
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    this.reserve(3 * (end + rawLength) + SEAL_BYTES);
    const buf = this.buf;
    const start = this.bytes;
    let pos = start;
    let from = 0;
    if (raw !== undefined) {
      for (let k = 0; k < raw.length; k++) {
        const at = line.indexOf(PLACEHOLDER_JSON, from);
        if (at < 0 || at >= end) break;
        pos += buf.write(line.slice(from, at), pos);
        pos += buf.write(raw[k]!, pos);
        from = at + PLACEHOLDER_JSON.length;
      }
    }
    pos += buf.write(line.slice(from, end), pos);
    const hash = sha256Hex(buf.subarray(start, pos));
    pos += buf.write(`,"hash":"${hash}"}\n`, pos, 'latin1');
    this.bytes = pos;
    this.hash = hash;
    this.lines++;
  }

  /** Hands over the batch's bytes (the sink starts a new buffer). */
  take(): Buffer {
    const data = this.buf.subarray(0, this.bytes);
    this.buf = Buffer.allocUnsafe(this.buf.length);
    this.bytes = 0;
    this.lines = 0;
    this.calls = 0;
    return data;
  }

  private reserve(more: number): void {
    if (this.bytes + more <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.bytes + more) size *= 2;
    const bigger = Buffer.allocUnsafe(size);
    this.buf.copy(bigger, 0, 0, this.bytes);
    this.buf = bigger;
  }
}

interface Chain {
  agent: string;
  queue: QueuedEntry[];
  sink: BatchSink;
  log: Logger;
  fh?: FileHandle;
  path: string;
  /** Bytes in the current file. */
  size: number;
  /** Seq of the first record in the current file (0 while empty). */
  fileFirstSeq: number;
  seq: number;
  prev: string;
  lastKind: 'call' | 'checkpoint' | undefined;
  sinceCheckpoint: number;
  dirty: boolean;
  /** Serialised batches not yet fully written (kept across a failed write). */
  out: { data: Buffer; calls: number }[];
  outOffset: number;
  /** Set when the chain cannot be continued safely; its calls are refused. */
  broken?: string;
}

export interface DrainResult {
  /** Call records handed to the OS by this drain. */
  written: number;
  /** Why the log cannot be written, or undefined when every chain is healthy. */
  failure: string | undefined;
}

/** Every agent's chain in one audit directory. Not thread-safe: one drain at a time. */
export class ChainStore {
  private readonly chains = new Map<string, Chain>();
  private lastSync = Date.now();
  private failure: string | undefined;
  private writtenSinceReport = 0;

  constructor(
    private readonly config: AuditConfig,
    private readonly key: () => Promise<SigningKey>,
    private readonly warn: (message: string, data: Record<string, unknown>) => void,
  ) {}

  /** Queues an entry for an agent's chain. */
  enqueue(agent: string, entry: QueuedEntry): void {
    let chain = this.chains.get(agent);
    if (chain === undefined) chain = this.newChain(agent);
    chain.queue.push(entry);
  }

  /** Whether anything waits to be written, or a file is due for an fsync. */
  get busy(): boolean {
    for (const c of this.chains.values()) if (c.queue.length > 0 || c.out.length > 0) return true;
    return false;
  }

  needsSync(): boolean {
    if (Date.now() - this.lastSync < this.config.fsyncIntervalMs) return false;
    for (const c of this.chains.values()) if (c.dirty) return true;
    return false;
  }

  /** Writes what is queued; with final, also seals every chain with a checkpoint, fsyncs and closes the files. */
  async drain(final: boolean): Promise<DrainResult> {
    let firstError: unknown;
    let failed = false;
    for (const chain of this.chains.values()) {
      if (chain.queue.length === 0 && chain.out.length === 0 && !final && !chain.dirty) continue;
      try {
        await this.drainChain(chain, final);
      } catch (err) {
        failed = true;
        firstError ??= err;
        const message = err instanceof Error ? err.message : String(err);
        this.failure = `${chain.path}: ${message}`;
        this.warn('audit: write failed; refusing new calls until it recovers', { err: message, agent: chain.agent, file: chain.path });
      }
    }
    if (!failed && !this.chainsBroken()) this.failure = undefined;
    const written = this.writtenSinceReport;
    this.writtenSinceReport = 0;
    // At close, every other chain is still sealed before the failure is reported.
    if (final && failed) throw Object.assign(firstError instanceof Error ? firstError : new Error(String(firstError)), { written });
    return { written, failure: this.failure };
  }

  private chainsBroken(): boolean {
    for (const c of this.chains.values()) if (c.broken) return true;
    return false;
  }

  private newChain(agent: string): Chain {
    const sink = new BatchSink();
    // The line is exactly the record: no time, pid or hostname of pino's own, and the
    // level slot (pino always writes one first) carries the record format version `v`.
    const log = pino({ level: 'info', base: null, timestamp: false, formatters: { level: () => ({ v: AUDIT_RECORD_VERSION }) } }, sink);
    const chain: Chain = {
      agent, queue: [], sink, log, out: [], outOffset: 0, path: join(this.config.dir, currentFileName(agent)),
      size: 0, fileFirstSeq: 0, seq: 0, prev: GENESIS_HASH, lastKind: undefined, sinceCheckpoint: 0, dirty: false,
    };
    this.chains.set(agent, chain);
    return chain;
  }

  private async drainChain(chain: Chain, final: boolean): Promise<void> {
    if (chain.broken) throw new Error(chain.broken);
    if (!chain.fh && (chain.queue.length > 0 || chain.out.length > 0 || final)) {
      if (chain.queue.length === 0 && chain.out.length === 0 && chain.seq === 0) return;
      await this.openChain(chain);
    }
    const fh = chain.fh;
    if (!fh) return;
    const key = await this.key();
    // Bytes from a failed write go out first, in order.
    await this.writeBatch(chain);
    const entries = chain.queue;
    chain.queue = [];
    let rotate = false;
    let needsSync = false;
    let i = 0;
    try {
      for (; i < entries.length; i++) {
        this.emitCall(chain, entries[i]!);
        chain.sink.calls++;
        if (++chain.sinceCheckpoint >= this.config.checkpointEvery) {
          this.emitCheckpoint(chain, key, 'interval');
          needsSync = true;
        }
        if (chain.size + chain.sink.bytes >= this.config.rotateBytes) {
          if (chain.lastKind !== 'checkpoint') this.emitCheckpoint(chain, key, 'rotate');
          await this.writeBatch(chain);
          await this.rotate(chain);
          rotate = true;
        }
      }
    } catch (err) {
      // Keep what was not chained yet, in order, for the next drain.
      chain.queue = entries.slice(i + 1).concat(chain.queue);
      throw err;
    }
    if (final && chain.lastKind === 'call') {
      this.emitCheckpoint(chain, key, 'close');
      needsSync = true;
    }
    await this.writeBatch(chain);
    if (chain.fh && chain.dirty && (final || needsSync || rotate || Date.now() - this.lastSync >= this.config.fsyncIntervalMs)) {
      await chain.fh.datasync();
      chain.dirty = false;
      this.lastSync = Date.now();
    }
    if (final && chain.fh) {
      await chain.fh.close();
      chain.fh = undefined;
    }
  }

  private emitCall(chain: Chain, entry: QueuedEntry): void {
    try {
      // Records the writer thread built (readCallFields) already lead with kind, seq and prev.
      const record = entry.kind === 'call' && entry.seq === 0 ? entry : { kind: 'call', seq: 0, prev: '', ...entry };
      record.seq = chain.seq + 1;
      record.prev = chain.prev;
      this.emit(chain, record);
    } catch (err) {
      // A body that cannot be serialised must not block the chain behind it.
      const buildError = err instanceof Error ? err.message : String(err);
      this.emit(chain, { kind: 'call', seq: chain.seq + 1, prev: chain.prev, time: new Date().toISOString(), agent: chain.agent, buildError });
    }
  }

  /** Chains and serialises one record (without `v`, which pino writes, and `hash`, which the sink seals) into the batch. */
  private emit(chain: Chain, record: Record<string, unknown>): void {
    const lines = chain.sink.lines;
    chain.sink.rawParts = (record as Record<symbol, string[] | undefined>)[RAW_PARTS];
    try {
      chain.log.info(record);
    } finally {
      chain.sink.rawParts = undefined;
    }
    if (chain.sink.lines !== lines + 1) throw new Error('pino did not write the record');
    chain.seq = record.seq as number;
    chain.prev = chain.sink.hash;
    chain.lastKind = record.kind as 'call' | 'checkpoint';
    if (chain.fileFirstSeq === 0) chain.fileFirstSeq = chain.seq;
  }

  private emitCheckpoint(chain: Chain, key: SigningKey, reason: CheckpointRecord['reason']): void {
    const seq = chain.seq + 1;
    const record: Omit<CheckpointRecord, 'hash' | 'v'> = {
      kind: 'checkpoint', seq, prev: chain.prev, time: new Date().toISOString(),
      agent: chain.agent, reason, key: key.fingerprint, sig: signMessage(key, checkpointMessage(chain.agent, seq, chain.prev)),
    };
    this.emit(chain, record as unknown as Record<string, unknown>);
    chain.sinceCheckpoint = 0;
  }

  /** Hands the batch to the OS; a failed write keeps its bytes (and how far it got) for the next drain. */
  private async writeBatch(chain: Chain): Promise<void> {
    const sink = chain.sink;
    if (sink.lines > 0) {
      const calls = sink.calls;
      chain.out.push({ data: sink.take(), calls });
    }
    while (chain.out.length > 0) {
      const batch = chain.out[0]!;
      while (chain.outOffset < batch.data.length) {
        const { bytesWritten } = await chain.fh!.write(batch.data, chain.outOffset, batch.data.length - chain.outOffset);
        chain.outOffset += bytesWritten;
        chain.size += bytesWritten;
        chain.dirty = true;
      }
      chain.out.shift();
      chain.outOffset = 0;
      this.writtenSinceReport += batch.calls;
    }
  }

  private async rotate(chain: Chain): Promise<void> {
    const fh = chain.fh!;
    await fh.datasync();
    chain.fh = undefined;
    await fh.close();
    await rename(chain.path, join(this.config.dir, rotatedFileName(chain.agent, chain.fileFirstSeq)));
    chain.fh = await open(chain.path, 'a');
    chain.size = 0;
    chain.fileFirstSeq = 0;
    chain.dirty = false;
  }

  /** Opens an agent's current file, continuing the chain from the last record on disk. */
  private async openChain(chain: Chain): Promise<void> {
    const dir = this.config.dir;
    await mkdir(dir, { recursive: true });
    // Recover the chain from disk only the first time; after that memory is ahead of the file.
    const files = chain.seq > 0 ? [] : ((await listAuditFiles(dir)).get(agentFileStem(chain.agent)) ?? []);
    for (let i = files.length - 1; i >= 0; i--) {
      const file = files[i]!;
      const { line, completeBytes, size } = await readLastLine(file.path);
      if (file.firstSeq === undefined && size > completeBytes) {
        // A write cut short by a crash: the partial line was never a complete record.
        await truncate(file.path, completeBytes);
        this.warn('audit: cut a partial record left by a crash', { file: file.path, bytes: size - completeBytes });
      }
      if (line === undefined) continue;
      let last: { seq?: unknown; hash?: unknown; kind?: unknown };
      try {
        last = JSON.parse(line) as typeof last;
      } catch {
        last = {};
      }
      if (typeof last.seq !== 'number' || typeof last.hash !== 'string') {
        chain.broken = `${file.path} ends with an unreadable record; run \`warden audit verify\` and move the file away`;
        throw new Error(chain.broken);
      }
      chain.seq = last.seq;
      chain.prev = last.hash;
      chain.lastKind = last.kind === 'checkpoint' ? 'checkpoint' : 'call';
      if (file.firstSeq === undefined) {
        const first = await readFirstLine(file.path);
        chain.fileFirstSeq = first ? Number((JSON.parse(first) as { seq?: unknown }).seq) || 0 : 0;
      }
      break;
    }
    chain.fh = await open(chain.path, 'a');
    chain.size = (await chain.fh.stat()).size;
    if (chain.size === 0 && chain.out.length === 0) chain.fileFirstSeq = 0;
  }
}
