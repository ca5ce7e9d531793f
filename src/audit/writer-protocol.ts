/** Messages between AuditWriter (the event loop serving calls) and its writer thread. */

/** A batch: `items` holds each record's agent and fields, flat (see call-fields.ts; one message per flush). */
export interface ToWriterThread {
  items: unknown[];
  /** Answer with `written` (replies) once this batch is handed to the OS. */
  reply?: number;
  /** Last batch: write it, seal every chain with a checkpoint, fsync, close; answer with `closed`. */
  close?: number;
}

export type FromWriterThread =
  | { t: 'ready'; error?: string }
  /** Call records handed to the OS since the last report; `failure` while the log cannot be written. */
  | { t: 'written'; written: number; failure: string | null; replies: number[] }
  | { t: 'closed'; written: number; reply: number; error?: string }
  | { t: 'log'; msg: string; data: Record<string, unknown> };
