/**
 * The per-upstream concurrency gate with load shedding, built on bottleneck.
 *
 * A call holds one of the upstream's `maxConcurrent` slots from the end of the
 * rate-limit stage until it settles. Beyond the slots, up to `highWater` calls wait;
 * past that bottleneck drops calls per `strategy` and they fail with WARDEN_OVERLOADED.
 * With Redis the slots are shared by every replica (bottleneck's ioredis clustering).
 */
import Bottleneck from 'bottleneck';
import { Redis } from 'ioredis';
import { WardenError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { RedisLimitStore } from './redis-store.ts';

export interface UpstreamGateOptions {
  maxConcurrent: number;
  highWater: number;
  strategy: 'overflow' | 'leak' | 'overflow-priority';
  /** Shares the slots across replicas through this store's Redis. */
  store?: RedisLimitStore;
  logger?: Logger;
}

/** Releases a held upstream slot; calling it twice is harmless. */
export type Release = () => void;

const STRATEGY = {
  overflow: Bottleneck.strategy.OVERFLOW,
  leak: Bottleneck.strategy.LEAK,
  'overflow-priority': Bottleneck.strategy.OVERFLOW_PRIORITY,
} as const;

export class UpstreamGates {
  readonly #opts: UpstreamGateOptions;
  readonly #local = new Map<string, Bottleneck>();
  readonly #shared = new Map<string, Bottleneck>();
  #connection: Bottleneck.IORedisConnection | undefined;

  constructor(opts: UpstreamGateOptions) {
    this.#opts = opts;
  }

  #limiter(upstream: string, shared: boolean): Bottleneck {
    const map = shared ? this.#shared : this.#local;
    let limiter = map.get(upstream);
    if (limiter) return limiter;
    const base = { maxConcurrent: this.#opts.maxConcurrent, highWater: this.#opts.highWater, strategy: STRATEGY[this.#opts.strategy] };
    if (shared) {
      // A duplicate client: bottleneck's disconnect() would otherwise close the caller's client.
      this.#connection ??= new Bottleneck.IORedisConnection({ client: this.#opts.store!.redis.duplicate(), Redis });
      limiter = new Bottleneck({
        ...base,
        id: `${this.#opts.store!.keyPrefix}upstream:${upstream}`,
        datastore: 'ioredis',
        connection: this.#connection,
        clearDatastore: false,
        // Slots of a replica that died are reclaimed after this long without its heartbeat.
        timeout: 600_000,
      });
    } else {
      limiter = new Bottleneck(base);
    }
    limiter.on('error', (err: unknown) => this.#opts.logger?.warn({ err, upstream }, 'upstream gate error'));
    map.set(upstream, limiter);
    return limiter;
  }

  /** Waits for a slot on `upstream`; rejects with WARDEN_OVERLOADED when the call is shed. */
  acquire(upstream: string): Promise<Release> {
    const store = this.#opts.store;
    if (!store) return this.#acquire(upstream, false);
    if (store.healthy) {
      return this.#acquire(upstream, true).catch((err: unknown) => {
        if (err instanceof WardenError) throw err;
        return this.#degraded(upstream, err);
      });
    }
    return this.#degraded(upstream, new Error('redis unavailable'));
  }

  #degraded(upstream: string, cause: unknown): Promise<Release> {
    if (this.#opts.store?.onFailure === 'fail-open') return this.#acquire(upstream, false);
    return Promise.reject(
      new WardenError('WARDEN_LIMITS_UNAVAILABLE', `the shared concurrency gate for upstream ${upstream} is unreachable (fail-closed)`, {
        retryAfterMs: 1000,
        scope: 'upstream-concurrency',
      }, { cause }),
    );
  }

  #acquire(upstream: string, shared: boolean): Promise<Release> {
    const limiter = this.#limiter(upstream, shared);
    return new Promise<Release>((resolve, reject) => {
      let started = false;
      limiter
        .schedule(
          () =>
            new Promise<void>((done) => {
              started = true;
              let released = false;
              resolve(() => {
                if (released) return;
                released = true;
                done();
              });
            }),
        )
        .catch((err: unknown) => {
          if (started) return;
          if (err instanceof Bottleneck.BottleneckError && /dropped/i.test(err.message)) {
            reject(
              new WardenError('WARDEN_OVERLOADED', `upstream ${upstream} is saturated (${this.#opts.maxConcurrent} calls in flight, queue full); try again shortly`, {
                retryAfterMs: 100,
                limit: this.#opts.maxConcurrent,
                scope: 'upstream-concurrency',
              }),
            );
          } else reject(err);
        });
    });
  }

  /** Calls in flight and waiting on `upstream` in this replica's view. */
  counts(upstream: string): { running: number; queued: number } {
    const limiter = this.#shared.get(upstream) ?? this.#local.get(upstream);
    if (!limiter) return { running: 0, queued: 0 };
    const c = limiter.counts();
    return { running: (c.RUNNING ?? 0) + (c.EXECUTING ?? 0), queued: (c.QUEUED ?? 0) + (c.RECEIVED ?? 0) };
  }

  async close(): Promise<void> {
    const all = [...this.#local.values(), ...this.#shared.values()];
    this.#local.clear();
    this.#shared.clear();
    // Calls still holding a slot would keep stop() waiting: give them a moment, then move on.
    const stopped = Promise.all(all.map((l) => l.stop({ dropWaitingJobs: true }).catch(() => {})));
    await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    if (this.#connection) await this.#connection.disconnect(false).catch(() => {});
    this.#connection = undefined;
  }
}
