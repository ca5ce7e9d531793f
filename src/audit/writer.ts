/**
 * The audit writer: per-agent hash chains written as pino JSON lines.
 *
 * The call path only queues an entry (no I/O, no hashing, no serialising).
 * A flush loop, every `flushIntervalMs`, turns queued entries into records
 * (seq, prev, hash), serialises each through the agent's pino logger into a
 * batch, appends the batch with one write, adds signed checkpoints, rotates
 * by size and fsyncs periodically. `close()` drains everything, seals each
 * chain with a checkpoint and fsyncs: a clean shutdown loses nothing; a
 * SIGKILL loses at most the entries queued since the last flush (see docs/audit.md).
 */
import { mkdir, open, rename, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { silentLogger } from '../observability/logger.ts';
import { canonicalJson, sha256Hex } from './canonical.ts';
import type { AuditConfig } from './config.ts';
import { currentFileName, listAuditFiles, readFirstLine, readLastLine, rotatedFileName, agentFileStem } from './files.ts';
import { loadSigningKey, signMessage, type SigningKey } from './keys.ts';
import { AUDIT_RECORD_VERSION, GENESIS_HASH, checkpointMessage, type CheckpointRecord } from './record.ts';

/** An entry whose record body is built off the call path, in the flush loop. */
export interface LazyAuditEntry {
  toAuditBody(): Record<string, unknown>;
}

/** What the call path hands the writer: a record body, or something that builds one later. */
export type AuditEntry = Record<string, unknown> | LazyAuditEntry;

export interface AuditWriterOptions {
  config: AuditConfig;
  logger?: Logger;
}

/** Collects pino's output lines for one batch. */
class BatchSink {
  lines: string[] = [];
  bytes = 0;
  /** Call records among the lines (checkpoints are not counted). */
  calls = 0;
  write(line: string): void {
    this.lines.push(line);
    this.bytes += Buffer.byteLength(line);
  }
}

interface Chain {
  agent: string;
  queue: AuditEntry[];
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

/** A lazy entry's body; an entry that cannot be built still leaves a record saying so. */
function buildBody(entry: AuditEntry): Record<string, unknown> {
  if (typeof (entry as LazyAuditEntry).toAuditBody !== 'function') return entry as Record<string, unknown>;
  try {
    return (entry as LazyAuditEntry).toAuditBody();
  } catch (err) {
    return { time: new Date().toISOString(), buildError: err instanceof Error ? err.message : String(err) };
  }
}

/** Appends audit records to per-agent, hash-chained, signed files. */
export class AuditWriter {
  readonly dir: string;
  private readonly config: AuditConfig;
  private readonly logger: Logger;
  private readonly chains = new Map<string, Chain>();
  private readonly timer: NodeJS.Timeout;
  private key: Promise<SigningKey> | undefined;
  private inflight: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private closed = false;
  private unwritten = 0;
  private writtenCalls = 0;
  /** Records of refused calls dropped while the log was far behind (see append). */
  dropped = 0;
  private failure: string | undefined;
  private lastSync = Date.now();

  constructor(options: AuditWriterOptions) {
    this.config = options.config;
    this.dir = options.config.dir;
    this.logger = options.logger ?? silentLogger;
    this.timer = setInterval(() => this.tick(), this.config.flushIntervalMs);
    this.timer.unref();
    // Load (or create) the signing key now, so a bad key refuses calls from the start.
    this.ready().catch((err: unknown) => {
      this.failure = err instanceof Error ? err.message : String(err);
      this.logger.error({ err }, 'audit: cannot load the checkpoint signing key; refusing calls');
    });
  }

  /** Resolves once the signing key is loaded; rejects with the reason it cannot be. */
  async ready(): Promise<void> {
    await this.signingKey();
  }

  /** Whether new calls may proceed: open, healthy, and not too far behind. */
  get accepting(): boolean {
    return this.closing === undefined && this.failure === undefined && this.unwritten < this.config.maxPendingRecords;
  }

  /** Why the writer is not accepting, for the caller's error. */
  get refusal(): string {
    if (this.closing) return 'the audit log is shutting down';
    if (this.failure) return `the audit log cannot be written: ${this.failure}`;
    return `the audit log is ${this.unwritten} records behind (limit ${this.config.maxPendingRecords})`;
  }

  /** Records queued or being written. */
  get pending(): number {
    return this.unwritten;
  }

  /** Call records handed to the OS so far (they survive a process crash). */
  get written(): number {
    return this.writtenCalls;
  }

  /** Queues a record for an agent. Call path: no I/O, no hashing. */
  append(agent: string, entry: AuditEntry): void {
    if (this.closed) this.logger.error({ agent }, 'audit: record appended after close() finished; it will not be written');
    if (this.unwritten >= 2 * this.config.maxPendingRecords) {
      // Only calls already refused (WARDEN_AUDIT_UNAVAILABLE) get here: keep memory bounded while the disk is down.
      this.dropped++;
      return;
    }
    let chain = this.chains.get(agent);
    if (chain === undefined) chain = this.newChain(agent);
    chain.queue.push(entry);
    this.unwritten++;
  }

  /** Writes everything queued so far (not fsynced; see close). */
  async flush(): Promise<void> {
    while (this.inflight) await this.inflight;
    if (this.unwritten > 0) await this.startDrain();
  }

  /** Drains the queue, seals every chain with a checkpoint, fsyncs and closes the files. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.timer);
    while (this.inflight) await this.inflight;
    // Held as the in-flight drain so a concurrent flush() waits instead of racing it.
    const final = (async () => {
      await this.drain(true);
      // Calls that settled while the final drain awaited I/O: write and seal them too.
      while (this.unwritten > 0 && !this.failure) await this.drain(true);
    })();
    this.inflight = final;
    try {
      await final;
    } finally {
      this.inflight = undefined;
      this.closed = true;
    }
  }

  private tick(): void {
    if (this.inflight || this.closing) return;
    if (this.unwritten > 0 || this.needsSync()) void this.startDrain();
  }

  private startDrain(): Promise<void> {
    const run = this.drain(false).finally(() => {
      this.inflight = undefined;
    });
    this.inflight = run;
    return run;
  }

  private needsSync(): boolean {
    return Date.now() - this.lastSync >= this.config.fsyncIntervalMs && [...this.chains.values()].some((c) => c.dirty);
  }

  private newChain(agent: string): Chain {
    const sink = new BatchSink();
    // The line is exactly the record: no time, pid or hostname of pino's own, and the
    // level slot (pino always writes one first) carries the record format version `v`.
    const log = pino({ level: 'info', base: null, timestamp: false, formatters: { level: () => ({ v: AUDIT_RECORD_VERSION }) } }, sink);
    const chain: Chain = {
      agent, queue: [], sink, log, out: [], outOffset: 0, path: join(this.dir, currentFileName(agent)),
      size: 0, fileFirstSeq: 0, seq: 0, prev: GENESIS_HASH, lastKind: undefined, sinceCheckpoint: 0, dirty: false,
    };
    this.chains.set(agent, chain);
    return chain;
  }

  private async drain(final: boolean): Promise<void> {
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
        this.logger.error({ err, agent: chain.agent, file: chain.path }, 'audit: write failed; refusing new calls until it recovers');
      }
    }
    if (!failed && !this.chainsBroken()) this.failure = undefined;
    // At close, every other chain is still sealed before the failure is reported.
    if (final && failed) throw firstError;
  }

  private chainsBroken(): boolean {
    for (const c of this.chains.values()) if (c.broken) return true;
    return false;
  }

  private async drainChain(chain: Chain, final: boolean): Promise<void> {
    if (chain.broken) throw new Error(chain.broken);
    if (!chain.fh && (chain.queue.length > 0 || chain.out.length > 0 || final)) {
      if (chain.queue.length === 0 && chain.out.length === 0 && chain.seq === 0) return;
      await this.openChain(chain);
    }
    const fh = chain.fh;
    if (!fh) return;
    const key = await this.signingKey();
    // Bytes from a failed write go out first, in order.
    await this.writeBatch(chain);
    const entries = chain.queue;
    chain.queue = [];
    let rotate = false;
    let needsSync = false;
    let i = 0;
    try {
      for (; i < entries.length; i++) {
        try {
          this.emit(chain, { kind: 'call', seq: chain.seq + 1, prev: chain.prev, ...buildBody(entries[i]!) });
        } catch (err) {
          // A body that cannot be serialised (a throwing toJSON…) must not block the chain behind it.
          const buildError = err instanceof Error ? err.message : String(err);
          this.emit(chain, { kind: 'call', seq: chain.seq + 1, prev: chain.prev, time: new Date().toISOString(), agent: chain.agent, buildError });
        }
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

  /** Chains and serialises one record (without `v`, which pino writes) into the current batch. */
  private emit(chain: Chain, record: Record<string, unknown>): void {
    const hash = sha256Hex(canonicalJson({ v: AUDIT_RECORD_VERSION, ...record }));
    record.hash = hash;
    chain.log.info(record);
    chain.seq = record.seq as number;
    chain.prev = hash;
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

  /**
   * Hands the batch to the OS. A failed write keeps its bytes (and how far it got) and is retried
   * first on the next drain, so an I/O error delays records but never drops or duplicates them.
   */
  private async writeBatch(chain: Chain): Promise<void> {
    const sink = chain.sink;
    if (sink.lines.length > 0) {
      chain.out.push({ data: Buffer.from(sink.lines.join(''), 'utf8'), calls: sink.calls });
      sink.lines = [];
      sink.bytes = 0;
      sink.calls = 0;
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
      this.unwritten -= batch.calls;
      this.writtenCalls += batch.calls;
    }
  }


  private async rotate(chain: Chain): Promise<void> {
    const fh = chain.fh!;
    await fh.datasync();
    chain.fh = undefined;
    await fh.close();
    await rename(chain.path, join(this.dir, rotatedFileName(chain.agent, chain.fileFirstSeq)));
    chain.fh = await open(chain.path, 'a');
    chain.size = 0;
    chain.fileFirstSeq = 0;
    chain.dirty = false;
  }

  /** Opens an agent's current file, continuing the chain from the last record on disk. */
  private async openChain(chain: Chain): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    // Recover the chain from disk only the first time; after that memory is ahead of the file.
    const files = chain.seq > 0 ? [] : ((await listAuditFiles(this.dir)).get(agentFileStem(chain.agent)) ?? []);
    for (let i = files.length - 1; i >= 0; i--) {
      const file = files[i]!;
      const { line, completeBytes, size } = await readLastLine(file.path);
      if (file.firstSeq === undefined && size > completeBytes) {
        // A write cut short by a crash: the partial line was never a complete record.
        await truncate(file.path, completeBytes);
        this.logger.warn({ file: file.path, bytes: size - completeBytes }, 'audit: cut a partial record left by a crash');
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

  private signingKey(): Promise<SigningKey> {
    this.key ??= loadSigningKey(this.dir, this.config.signingKeyFile);
    return this.key;
  }
}
