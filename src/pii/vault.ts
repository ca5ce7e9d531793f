/**
 * Tokenization: a keyed HMAC-SHA256 token per value, stable within a task (the
 * key is derived from `tokenKey` and the task id), so records can still be
 * joined without holding the value. Reversal goes only through a bounded
 * in-memory vault, reachable through the authorized detokenize endpoint.
 */
import { createHmac } from 'node:crypto';

export interface VaultEntry {
  value: string;
  type: string;
  taskId: string;
}

/** Matches a token as it appears in scrubbed output. */
export const TOKEN_PATTERN = /\[TOKEN:[A-Z_]{2,32}:[A-Za-z0-9_-]{22}\]/;

export class TokenVault {
  private readonly entries = new Map<string, VaultEntry>();
  private readonly taskKeys = new Map<string, Buffer>();
  private readonly key: string;
  readonly capacity: number;

  constructor(tokenKey: string, capacity = 10_000) {
    if (tokenKey.length < 16) throw new Error('pii: tokenKey must be at least 16 characters');
    this.key = tokenKey;
    this.capacity = capacity;
  }

  private keyFor(taskId: string): Buffer {
    let k = this.taskKeys.get(taskId);
    if (!k) {
      k = createHmac('sha256', this.key).update('warden-pii-token\0').update(taskId).digest();
      if (this.taskKeys.size >= 1024) this.taskKeys.delete(this.taskKeys.keys().next().value!);
      this.taskKeys.set(taskId, k);
    }
    return k;
  }

  /** The token for `value` of `type` within `taskId`; remembers the value for detokenize. */
  tokenize(value: string, type: string, taskId: string): string {
    const mac = createHmac('sha256', this.keyFor(taskId)).update(type).update('\0').update(value).digest('base64url').slice(0, 22);
    const token = `[TOKEN:${type}:${mac}]`;
    if (this.entries.has(token)) {
      this.entries.delete(token); // refresh its place in the eviction order
    } else if (this.entries.size >= this.capacity) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(token, { value, type, taskId });
    return token;
  }

  /** The original value of a token, or undefined when unknown or evicted. */
  detokenize(token: string): VaultEntry | undefined {
    return this.entries.get(token);
  }

  get size(): number {
    return this.entries.size;
  }
}
