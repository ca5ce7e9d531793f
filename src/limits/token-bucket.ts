/**
 * The local token bucket: plain numbers, lazy refill on each take.
 * This is the per-call fast path, so it allocates nothing and never awaits.
 */
import type { RateSpec } from './duration.ts';
import { ALLOW, DENY, type Gate, type LimitScope, type TakeOutcome } from './gate.ts';

export class LocalBucket implements Gate {
  readonly limit: number;
  readonly capacity: number;
  /** Tokens per millisecond. */
  readonly ratePerMs: number;
  #tokens: number;
  #last: number;

  constructor(
    readonly scope: LimitScope,
    spec: RateSpec,
    now: number,
  ) {
    this.limit = spec.limit;
    this.capacity = spec.burst;
    this.ratePerMs = spec.limit / spec.perMs;
    this.#tokens = spec.burst;
    this.#last = now;
  }

  #refill(now: number): number {
    let t = this.#tokens;
    if (now > this.#last) {
      t += (now - this.#last) * this.ratePerMs;
      if (t > this.capacity) t = this.capacity;
      this.#tokens = t;
      this.#last = now;
    }
    return t;
  }

  tryTake(now: number): TakeOutcome {
    const t = this.#refill(now);
    if (t >= 1) {
      this.#tokens = t - 1;
      return ALLOW;
    }
    return DENY;
  }

  takeAsync(now: number): Promise<boolean> {
    return Promise.resolve(this.tryTake(now) === ALLOW);
  }

  refund(): void {
    this.#tokens = Math.min(this.capacity, this.#tokens + 1);
  }

  remaining(now: number): number {
    return Math.floor(this.#refill(now));
  }

  retryAfterMs(now: number): number {
    const t = this.#refill(now);
    return t >= 1 ? 0 : Math.ceil((1 - t) / this.ratePerMs);
  }
}
