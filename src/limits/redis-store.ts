/**
 * Limit state shared across replicas in Redis.
 *
 * Calls never wait on Redis while a replica holds tokens: each replica leases small
 * batches of tokens from a Lua-scripted bucket (or counter) in Redis and spends them
 * locally (see lease-gate.ts). Redis's own clock (TIME) drives refill, so replica
 * clock skew does not matter. Failures are reported, never thrown at the caller.
 */
import type { Redis } from 'ioredis';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../observability/logger.ts';

export type FailureMode = 'fail-open' | 'fail-closed';

/** Result of one lease: tokens granted, ms until one token is available (when none), tokens left in Redis. */
export interface Lease {
  granted: number;
  waitMs: number;
  remaining: number;
}

// Token bucket. KEYS[1] hash {t: tokens, ts: ms}; ARGV: capacity, tokens per ms, wanted.
const BUCKET_LUA = `
local cap = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local v = redis.call('HMGET', KEYS[1], 't', 'ts')
local tokens = tonumber(v[1])
local ts = tonumber(v[2])
if tokens == nil or ts == nil then
  tokens = cap
  ts = now
end
if now > ts then
  tokens = math.min(cap, tokens + (now - ts) * rate)
end
local granted = math.min(want, math.floor(tokens))
if granted < 0 then granted = 0 end
tokens = tokens - granted
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((cap - tokens) / rate) + 1000)
local wait = 0
if granted == 0 then wait = math.ceil((1 - tokens) / rate) end
return {granted, wait, math.floor(tokens)}
`;

// Fixed-window counter. KEYS[1] integer; ARGV: limit, wanted, ttl ms.
const COUNTER_LUA = `
local limit = tonumber(ARGV[1])
local want = tonumber(ARGV[2])
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local granted = math.min(want, limit - used)
if granted < 0 then granted = 0 end
if granted > 0 then
  redis.call('INCRBY', KEYS[1], granted)
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
end
local left = limit - used - granted
if left < 0 then left = 0 end
return {granted, 0, left}
`;

type LeaseCommand = (key: string, ...args: (string | number)[]) => Promise<[number, number, number]>;

export interface RedisLimitStoreOptions {
  redis: Redis;
  /** Prefix of every key warden writes (default `warden:limits:`). */
  keyPrefix?: string;
  onFailure?: FailureMode;
  /** A lease taking longer than this counts as a failure (default 250 ms). */
  timeoutMs?: number;
  logger?: Logger;
  /** Told when the store goes down or comes back (for a metric). */
  onHealthChange?: (up: boolean) => void;
  /** Told each time a shared gate decides locally because the store is down (fail-open). */
  onFallback?: () => void;
}

export class RedisLimitStore {
  readonly redis: Redis;
  readonly keyPrefix: string;
  readonly onFailure: FailureMode;
  readonly #timeoutMs: number;
  readonly #logger: Logger | undefined;
  readonly #onHealthChange: ((up: boolean) => void) | undefined;
  /** Counts a decision taken on the local fallback. */
  readonly noteFallback: () => void;
  #brokenUntil = 0;
  /** Undefined until the first connect or failure, so a Redis that is down at startup is reported. */
  #up: boolean | undefined;
  #wasUp: boolean;
  readonly #bucket: LeaseCommand;
  readonly #counter: LeaseCommand;
  readonly #listeners: Array<[string, (...args: unknown[]) => void]> = [];

  constructor(opts: RedisLimitStoreOptions) {
    this.redis = opts.redis;
    this.keyPrefix = opts.keyPrefix ?? 'warden:limits:';
    this.onFailure = opts.onFailure ?? 'fail-closed';
    this.#timeoutMs = opts.timeoutMs ?? 250;
    this.#logger = opts.logger;
    this.#onHealthChange = opts.onHealthChange;
    this.noteFallback = opts.onFallback ?? (() => {});
    this.#up = this.redis.status === 'ready' ? true : undefined;
    this.#wasUp = this.#up === true;
    const r = this.redis as Redis & Record<string, LeaseCommand | undefined>;
    if (!r.wardenLeaseBucket) r.defineCommand('wardenLeaseBucket', { numberOfKeys: 1, lua: BUCKET_LUA });
    if (!r.wardenLeaseCounter) r.defineCommand('wardenLeaseCounter', { numberOfKeys: 1, lua: COUNTER_LUA });
    this.#bucket = r.wardenLeaseBucket!.bind(r);
    this.#counter = r.wardenLeaseCounter!.bind(r);
    this.#on('ready', () => {
      this.#brokenUntil = 0;
      this.#setUp(true, undefined);
    });
    this.#on('close', () => this.#setUp(false, 'connection closed'));
    this.#on('error', (err) => this.#logger?.debug({ err }, 'limits store: redis error'));
  }

  #on(event: string, fn: (...args: unknown[]) => void): void {
    this.redis.on(event, fn);
    this.#listeners.push([event, fn]);
  }

  #setUp(up: boolean, reason: string | undefined): void {
    if (up === this.#up) return;
    this.#up = up;
    if (up) {
      this.#logger?.info(this.#wasUp ? 'limits store: redis is back; shared limits resume' : 'limits store: connected to redis; limits are shared');
      this.#wasUp = true;
    }
    else
      this.#logger?.warn(
        { reason, mode: this.onFailure },
        this.onFailure === 'fail-open'
          ? 'limits store: redis unavailable; shared limits fall back to local buckets (fail-open)'
          : 'limits store: redis unavailable; calls under shared limits are refused (fail-closed)',
      );
    this.#onHealthChange?.(up);
  }

  /** True when leases can be asked for now. Cheap: called on the per-call path when a lease is empty. */
  get healthy(): boolean {
    return this.redis.status === 'ready' && (this.#brokenUntil === 0 || performance.now() >= this.#brokenUntil);
  }

  /** Takes up to `want` tokens from the shared bucket `key`. */
  leaseTokens(key: string, capacity: number, ratePerMs: number, want: number): Promise<Lease> {
    return this.#run(this.#bucket(this.keyPrefix + key, capacity, ratePerMs, want));
  }

  /** Takes up to `want` units of the shared counter `key` capped at `limit`; the key lives `ttlMs`. */
  leaseCount(key: string, limit: number, want: number, ttlMs: number): Promise<Lease> {
    return this.#run(this.#counter(this.keyPrefix + key, limit, want, Math.max(1000, Math.ceil(ttlMs))));
  }

  #run(pending: Promise<[number, number, number]>): Promise<Lease> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`redis did not answer within ${this.#timeoutMs} ms`)), this.#timeoutMs);
    });
    return Promise.race([pending, timeout]).then(
      ([granted, waitMs, remaining]) => {
        clearTimeout(timer);
        if (!this.#up) this.#setUp(true, undefined);
        return { granted, waitMs, remaining };
      },
      (err: unknown) => {
        clearTimeout(timer);
        pending.catch(() => {});
        // Back off for a second so a sick Redis is not asked on every call.
        this.#brokenUntil = performance.now() + 1000;
        this.#setUp(false, err instanceof Error ? err.message : String(err));
        throw err;
      },
    );
  }

  /** Stops listening to the client (the client itself belongs to whoever created it). */
  detach(): void {
    for (const [event, fn] of this.#listeners) this.redis.off(event, fn);
    this.#listeners.length = 0;
  }
}
