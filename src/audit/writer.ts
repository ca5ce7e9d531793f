/**
 * The audit writer, as the gateway's event loop sees it: per-agent, hash-chained
 * pino JSON lines, written by a worker thread.
 *
 * The call path only queues an entry (no I/O, no hashing, no serialising). Every
 * `flushIntervalMs` the queue goes to the writer thread in one postMessage (the
 * structured clone is the only per-record work this thread does off the call
 * path). The thread builds, chains, serialises (pino), hashes, signs and writes
 * the records (see chains.ts) and reports how many reached the OS; `written`
 * and `pending` count those reports. `close()` drains everything, seals each
 * chain with a checkpoint and fsyncs: a clean shutdown loses nothing; a SIGKILL
 * loses at most the records not yet reported written (see docs/audit.md).
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { silentLogger } from '../observability/logger.ts';
import type { AuditConfig } from './config.ts';
import type { CallContext } from '../pipeline/types.ts';
import { CallFieldsEncoder } from './call-fields.ts';
import type { FromWriterThread, ToWriterThread } from './writer-protocol.ts';

/** An entry whose record body is built off the call path, when the queue is flushed. */
export interface LazyAuditEntry {
  toAuditBody(): Record<string, unknown>;
}

/** What append() takes: a record body, or something that builds one later. */
export type AuditEntry = Record<string, unknown> | LazyAuditEntry;

export interface AuditWriterOptions {
  config: AuditConfig;
  logger?: Logger;
}

const THREAD_ENTRY = new URL('./writer-thread.mjs', import.meta.url);
/** Queue slots (about 20 per call) at which a batch goes out without waiting for the flush timer. */
const POST_EARLY_SLOTS = 8192;

/** Appends audit records to per-agent, hash-chained, signed files (through a writer thread). */
export class AuditWriter {
  readonly dir: string;
  private readonly config: AuditConfig;
  private readonly logger: Logger;
  private readonly worker: Worker;
  private readonly timer: NodeJS.Timeout;
  /** Since the last flush, per record: agent, null, entry | agent, call fields… (see call-fields.ts) */
  private queue: unknown[] = [];
  /** Writes entries into the queue; starts afresh with each message. */
  private readonly encoder = new CallFieldsEncoder();
  private postSoon = false;
  private readonly postNow = (): void => {
    this.postSoon = false;
    this.post();
  };
  /** The queue holds lazy entries to build before it is sent. */
  private lazy = false;
  private readonly readyPromise: Promise<void>;
  private readonly replies = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  private nextReply = 1;
  private closing: Promise<void> | undefined;
  private closed = false;
  private unwritten = 0;
  private writtenCalls = 0;
  /** Records of refused calls dropped while the log was far behind (see append). */
  dropped = 0;
  /** The writer thread's last word on the files: set while they cannot be written. */
  private failure: string | undefined;
  /** The thread itself is gone, or the key never loaded: nothing recovers from this. */
  private fatal: string | undefined;

  constructor(options: AuditWriterOptions) {
    this.config = options.config;
    this.dir = options.config.dir;
    this.logger = options.logger ?? silentLogger;
    this.worker = new Worker(THREAD_ENTRY, { workerData: { config: this.config } });
    // The thread keeps the process alive only while something waits on it (ready, flush, close).
    this.worker.unref();
    this.worker.on('message', (msg: FromWriterThread) => this.onMessage(msg));
    this.worker.on('error', (err: Error) => this.die(`the audit writer thread failed: ${err.message}`));
    this.worker.on('exit', (code) => {
      if (!this.closed) this.die(`the audit writer thread exited (code ${code})`);
    });
    let settle!: { resolve: () => void; reject: (err: Error) => void };
    this.readyPromise = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    this.replies.set(0, settle);
    this.worker.ref();
    // A bad key refuses calls from the start.
    this.readyPromise.catch((err: unknown) => {
      this.logger.error({ err }, 'audit: cannot load the checkpoint signing key; refusing calls');
    });
    this.timer = setInterval(() => this.post(), this.config.flushIntervalMs);
    this.timer.unref();
  }

  /** Resolves once the signing key is loaded; rejects with the reason it cannot be. */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  /** Whether new calls may proceed: open, healthy, and not too far behind. */
  get accepting(): boolean {
    return this.closing === undefined && this.fatal === undefined && this.failure === undefined && this.unwritten < this.config.maxPendingRecords;
  }

  /** Why the writer is not accepting, for the caller's error. */
  get refusal(): string {
    if (this.closing) return 'the audit log is shutting down';
    const failure = this.fatal ?? this.failure;
    if (failure) return `the audit log cannot be written: ${failure}`;
    return `the audit log is ${this.unwritten} records behind (limit ${this.config.maxPendingRecords})`;
  }

  /** Records queued or being written. */
  get pending(): number {
    return this.unwritten;
  }

  /** Call records the writer thread has handed to the OS so far (they survive a process crash). */
  get written(): number {
    return this.writtenCalls;
  }

  /** Queues a record for an agent. Call path: no I/O, no hashing, no serialising. */
  append(agent: string, entry: AuditEntry): void {
    if (this.closed) this.logger.error({ agent }, 'audit: record appended after close() finished; it will not be written');
    if (this.unwritten >= 2 * this.config.maxPendingRecords) {
      // Only calls already refused (WARDEN_AUDIT_UNAVAILABLE) get here: keep memory bounded while the disk is down.
      this.dropped++;
      return;
    }
    this.encoder.pushBody(this.queue, agent, entry);
    if (typeof (entry as LazyAuditEntry).toAuditBody === 'function') this.lazy = true;
    this.unwritten++;
  }

  /** Queues the record of a settled call (the audit stage's path): its fields, flat, by reference. */
  appendCall(agent: string, ctx: CallContext, settledAt: number, policy: string | undefined): void {
    if (this.unwritten >= 2 * this.config.maxPendingRecords) {
      this.dropped++;
      return;
    }
    this.encoder.pushCall(this.queue, agent, ctx, settledAt, policy);
    this.unwritten++;
    // Under load, send before the timer (right after this turn, not on the call path): small
    // messages clone faster and keep the queue out of the old generation.
    if (this.queue.length >= POST_EARLY_SLOTS && !this.postSoon) {
      this.postSoon = true;
      setImmediate(this.postNow);
    }
  }

  /** Hands everything queued so far to the OS (not fsynced; see close). Never rejects: failures show in `accepting`. */
  async flush(): Promise<void> {
    if (this.fatal !== undefined || this.closed) return;
    await this.request((reply) => this.post({ reply })).catch(() => undefined);
  }

  /** Drains the queue, seals every chain with a checkpoint, fsyncs and closes the files. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.timer);
    try {
      if (this.fatal !== undefined) throw new Error(this.fatal);
      // A failed key load still lets the thread write nothing; report it here too.
      await this.readyPromise;
      await this.request((close) => this.post({ close }));
    } finally {
      this.closed = true;
      await this.worker.terminate();
    }
  }

  /** Sends the queue (and a request) to the writer thread: one message per flush. */
  private post(extra?: { reply?: number; close?: number }): void {
    if (this.queue.length === 0 && extra === undefined) return;
    if (this.fatal !== undefined || this.closed) return;
    const items = this.queue;
    this.queue = [];
    this.encoder.reset();
    if (this.lazy) {
      this.lazy = false;
      for (let i = 0; i < items.length; i++) {
        const entry = items[i] as LazyAuditEntry | null | undefined;
        if (typeof entry?.toAuditBody === 'function') items[i] = buildBody(entry);
      }
    }
    const msg: ToWriterThread = extra ? { items, ...extra } : { items };
    try {
      this.worker.postMessage(msg);
    } catch {
      // Some value cannot be cloned (a function, a toJSON method…): replace it, keep the rest as they are.
      for (let i = 0; i < items.length; i++) items[i] = cloneable(items[i]);
      this.worker.postMessage(msg);
    }
  }

  /** Runs send(id) and waits for the thread's answer to that id, keeping the process alive meanwhile. */
  private request(send: (id: number) => void): Promise<void> {
    const id = this.nextReply++;
    const done = new Promise<void>((resolve, reject) => this.replies.set(id, { resolve, reject }));
    this.worker.ref();
    send(id);
    return done;
  }

  private answer(id: number, error?: string): void {
    const waiter = this.replies.get(id);
    if (!waiter) return;
    this.replies.delete(id);
    if (this.replies.size === 0) this.worker.unref();
    if (error === undefined) waiter.resolve();
    else waiter.reject(new Error(error));
  }

  private onMessage(msg: FromWriterThread): void {
    switch (msg.t) {
      case 'written':
        this.count(msg.written);
        if (msg.failure !== null && this.failure === undefined) {
          this.logger.error({ reason: msg.failure }, 'audit: write failed; refusing new calls until it recovers');
        }
        this.failure = msg.failure ?? undefined;
        for (const id of msg.replies) this.answer(id);
        break;
      case 'closed':
        this.count(msg.written);
        this.answer(msg.reply, msg.error);
        break;
      case 'ready':
        if (msg.error !== undefined) this.fatal = msg.error;
        this.answer(0, msg.error);
        break;
      case 'log':
        this.logger.warn(msg.data, msg.msg);
        break;
    }
  }

  private count(written: number): void {
    this.unwritten -= written;
    this.writtenCalls += written;
  }

  private die(reason: string): void {
    if (this.fatal === undefined) {
      this.fatal = reason;
      this.logger.error({ reason }, 'audit: refusing calls');
    }
    for (const id of [...this.replies.keys()]) this.answer(id, reason);
  }
}

/** A lazy entry's body; an entry that cannot be built still leaves a record saying so. */
function buildBody(entry: LazyAuditEntry): Record<string, unknown> {
  try {
    return entry.toAuditBody();
  } catch (err) {
    return { time: new Date().toISOString(), buildError: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * A queue slot as it can be sent: itself if it survives a structured clone, else its JSON
 * round trip (toJSON honoured), else a record saying why it could not be built.
 */
function cloneable(value: unknown): unknown {
  try {
    structuredClone(value);
    return value;
  } catch {
    // slow path below
  }
  try {
    return viaJson(value);
  } catch (err) {
    return { time: new Date().toISOString(), buildError: err instanceof Error ? err.message : String(err) };
  }
}

function viaJson(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? undefined : JSON.parse(text);
}
