/**
 * Gates backed by the shared Redis store, spent locally from leased batches.
 *
 * A call under the limit takes a token from the local lease (no I/O). When the lease
 * runs low, one refill is fired in the background; only a call that finds the lease
 * empty waits for Redis. Leased tokens are already taken from the shared bucket, so the
 * replicas together can never exceed the limit; unspent leases only make them undershoot
 * (bounded by one batch per replica, and rate leases expire after a second).
 */
import { performance } from 'node:perf_hooks';
import { ALLOW, DENY, PENDING, type Gate, type LimitScope, type TakeOutcome } from './gate.ts';
import type { Lease, RedisLimitStore } from './redis-store.ts';
import { nextUtcMidnight, utcDay } from './counters.ts';
import type { LocalBucket } from './token-bucket.ts';

abstract class LeaseGate implements Gate {
  abstract readonly scope: LimitScope;
  abstract readonly limit: number;
  /** Set when the last DENY came from an unreachable store in fail-closed mode. */
  unavailable = false;
  protected leased = 0;
  protected leaseExpiresAt = 0;
  protected deniedUntil = 0;
  protected lastRemaining: number;
  #inflight: Promise<void> | null = null;
  #fromLease = false;

  constructor(
    protected readonly store: RedisLimitStore,
    /** Used while the store is down in fail-open mode. */
    protected readonly fallback: Gate,
    protected readonly batch: number,
    protected readonly leaseTtlMs: number,
    initialRemaining: number,
    /** Refill in the background before the lease is empty (rates only: a prefetched count is a count spent). */
    protected readonly prefetch: boolean,
  ) {
    this.lastRemaining = initialRemaining;
  }

  /** Asks Redis for up to `want` tokens. */
  protected abstract fetch(want: number): Promise<Lease>;
  /** Hook for fixed windows: called before each take. */
  protected roll(_now: number): void {}

  tryTake(now: number): TakeOutcome {
    this.roll(now);
    if (this.leased >= 1 && now < this.leaseExpiresAt) {
      this.leased--;
      this.#fromLease = true;
      this.unavailable = false;
      if (this.prefetch && this.leased * 2 < this.batch && this.#inflight === null && this.store.healthy) this.#refill();
      return ALLOW;
    }
    this.#fromLease = false;
    if (!this.store.healthy) return this.#degraded(now);
    this.unavailable = false;
    if (now < this.deniedUntil) return DENY;
    return PENDING;
  }

  async takeAsync(now: number): Promise<boolean> {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (this.#inflight === null) this.#refill();
      await this.#inflight;
      now = performance.now();
      const outcome = this.tryTake(now);
      if (outcome !== PENDING) return outcome === ALLOW;
    }
    // Others drained every refill first; ask again shortly rather than pile onto Redis.
    this.deniedUntil = Math.max(this.deniedUntil, now + 1);
    return false;
  }

  #degraded(now: number): TakeOutcome {
    if (this.store.onFailure === 'fail-open') {
      this.unavailable = false;
      this.store.noteFallback();
      return this.fallback.tryTake(now);
    }
    this.unavailable = true;
    return DENY;
  }

  #refill(): void {
    const want = Math.max(1, this.batch - Math.floor(this.leased));
    this.#inflight = this.fetch(want).then(
      (lease) => {
        const now = performance.now();
        if (now >= this.leaseExpiresAt) this.leased = 0;
        this.leased += lease.granted;
        this.leaseExpiresAt = now + this.leaseTtlMs;
        this.lastRemaining = lease.remaining;
        if (lease.granted === 0) this.deniedUntil = now + this.denyForMs(lease);
        this.#inflight = null;
      },
      () => {
        // The store has logged it and marked itself unhealthy; callers take the degraded path.
        this.#inflight = null;
      },
    );
  }

  /** How long to stop asking Redis after it granted nothing. */
  protected abstract denyForMs(lease: Lease): number;

  refund(): void {
    if (this.#fromLease) this.leased++;
    else this.fallback.refund();
  }

  remaining(now: number): number {
    if (!this.store.healthy && this.store.onFailure === 'fail-open') return this.fallback.remaining(now);
    return Math.floor(this.leased) + this.lastRemaining;
  }

  retryAfterMs(now: number): number {
    if (this.unavailable) return 1000;
    if (!this.store.healthy && this.store.onFailure === 'fail-open') return this.fallback.retryAfterMs(now);
    return Math.max(1, Math.ceil(this.deniedUntil - now));
  }
}

/** A token bucket shared by every replica. */
export class SharedBucket extends LeaseGate {
  readonly limit: number;
  readonly #capacity: number;
  readonly #ratePerMs: number;

  constructor(
    readonly scope: LimitScope,
    private readonly key: string,
    store: RedisLimitStore,
    local: LocalBucket,
  ) {
    // A batch is ~50 ms of tokens: small enough to keep replicas fair, large enough that
    // Redis sees one request per batch rather than per call.
    const batch = Math.max(1, Math.min(1000, Math.floor(local.capacity / 2), Math.round(local.ratePerMs * 50)));
    // With one-token batches a prefetched token would sit unspent in this replica while
    // another replica is refused: slow rates ask Redis per call instead.
    super(store, local, batch, 1000, local.capacity, batch > 1);
    this.limit = local.limit;
    this.#capacity = local.capacity;
    this.#ratePerMs = local.ratePerMs;
  }

  protected fetch(want: number): Promise<Lease> {
    return this.store.leaseTokens(this.key, this.#capacity, this.#ratePerMs, want);
  }

  protected denyForMs(lease: Lease): number {
    return Math.max(1, lease.waitMs);
  }
}

/** A daily quota shared by every replica; the Redis key carries the UTC day. */
export class SharedDailyQuota extends LeaseGate {
  readonly scope: LimitScope = 'quota';
  #resetAtWall: number;
  #day: string;

  constructor(
    readonly limit: number,
    readonly tier: string,
    private readonly key: string,
    store: RedisLimitStore,
    local: Gate,
  ) {
    const batch = Math.max(1, Math.min(1000, Math.ceil(limit / 200)));
    // Prefetching spends quota a replica may never use: only worth it for big quotas (≥ 2,000/day).
    super(store, local, batch, Number.POSITIVE_INFINITY, limit, batch >= 10);
    const wall = Date.now();
    this.#resetAtWall = nextUtcMidnight(wall);
    this.#day = utcDay(wall);
  }

  /** `performance.now()` time before which the day cannot have changed. */
  #checkAt = 0;

  protected override roll(now: number): void {
    if (now < this.#checkAt) return;
    const wall = Date.now();
    this.#checkAt = now + Math.min(1000, this.#resetAtWall - wall);
    if (wall >= this.#resetAtWall) {
      this.#resetAtWall = nextUtcMidnight(wall);
      this.#day = utcDay(wall);
      this.leased = 0;
      this.deniedUntil = 0;
      this.lastRemaining = this.limit;
    }
  }

  protected fetch(want: number): Promise<Lease> {
    const wall = Date.now();
    if (wall >= this.#resetAtWall) {
      this.#resetAtWall = nextUtcMidnight(wall);
      this.#day = utcDay(wall);
    }
    return this.store.leaseCount(`${this.key}:${this.#day}`, this.limit, want, this.#resetAtWall - wall + 3_600_000);
  }

  protected denyForMs(): number {
    return Math.max(1, this.#resetAtWall - Date.now());
  }
}

/** A task's call budget shared by every replica. Leases one call at a time: sessions move. */
export class SharedBudget extends LeaseGate {
  readonly scope: LimitScope = 'task';

  constructor(
    readonly limit: number,
    private readonly key: string,
    /** Unix ms when the task expires. */
    readonly expiresAt: number,
    store: RedisLimitStore,
    local: Gate,
  ) {
    super(store, local, 1, Number.POSITIVE_INFINITY, limit, false);
  }

  protected fetch(want: number): Promise<Lease> {
    return this.store.leaseCount(this.key, this.limit, want, this.expiresAt - Date.now() + 60_000);
  }

  protected denyForMs(): number {
    return Math.max(1, this.expiresAt - Date.now());
  }
}
