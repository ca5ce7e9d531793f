/**
 * MCP session records in Redis, so a session created on one replica continues on another.
 * Records are stored as JSON strings with the idle TTL as the key's expiry.
 */
import type { Redis } from 'ioredis';
import type { SessionRecord, SessionStore } from './session-store.ts';

export interface RedisSessionStoreOptions {
  /** Key prefix (default `warden:session:`). */
  keyPrefix?: string;
  /** Close the client on `close()` (when the store created or was handed ownership of it). */
  ownsClient?: boolean;
}

export class RedisSessionStore implements SessionStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #owns: boolean;

  constructor(redis: Redis, opts: RedisSessionStoreOptions = {}) {
    this.#redis = redis;
    this.#prefix = opts.keyPrefix ?? 'warden:session:';
    this.#owns = opts.ownsClient ?? false;
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const json = await this.#redis.get(this.#prefix + id);
    if (json === null) return undefined;
    try {
      return JSON.parse(json) as SessionRecord;
    } catch {
      // A corrupt record cannot be trusted to say who owns the session: treat it as gone.
      return undefined;
    }
  }

  async put(record: SessionRecord, ttlS: number): Promise<void> {
    await this.#redis.set(this.#prefix + record.id, JSON.stringify(record), 'PX', Math.max(1, Math.round(ttlS * 1000)));
  }

  async delete(id: string): Promise<void> {
    await this.#redis.del(this.#prefix + id);
  }

  async touch(id: string, ttlS: number): Promise<void> {
    await this.#redis.pexpire(this.#prefix + id, Math.max(1, Math.round(ttlS * 1000)));
  }

  async close(): Promise<void> {
    if (this.#owns) await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
