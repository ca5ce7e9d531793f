/** Local counters with a fixed window: daily quotas (reset at UTC midnight) and task call budgets. */
import { ALLOW, DENY, type Gate, type LimitScope, type TakeOutcome } from './gate.ts';

const DAY_MS = 86_400_000;

/** Unix ms of the next UTC midnight after `wallNow`. */
export function nextUtcMidnight(wallNow: number): number {
  return (Math.floor(wallNow / DAY_MS) + 1) * DAY_MS;
}

/** The UTC day (YYYY-MM-DD) of a wall-clock time; names Redis quota keys. */
export function utcDay(wallNow: number): string {
  return new Date(wallNow).toISOString().slice(0, 10);
}

/**
 * A daily quota counted in this process. The calendar is read from the wall clock at most
 * once a second (clock reads cost more than the rest of the decision on some hosts).
 */
export class LocalDailyQuota implements Gate {
  readonly scope: LimitScope = 'quota';
  #used = 0;
  #resetAt = 0;
  /** `performance.now()` time before which the day cannot have changed. */
  #checkAt = -Infinity;

  constructor(
    readonly limit: number,
    readonly tier: string,
    private readonly clock: () => number = Date.now,
  ) {}

  #roll(now: number): void {
    if (now < this.#checkAt) return;
    const wall = this.clock();
    if (wall >= this.#resetAt) {
      if (this.#resetAt !== 0) this.#used = 0;
      this.#resetAt = nextUtcMidnight(wall);
    }
    this.#checkAt = now + Math.min(1000, this.#resetAt - wall);
  }

  tryTake(now: number): TakeOutcome {
    this.#roll(now);
    if (this.#used < this.limit) {
      this.#used++;
      return ALLOW;
    }
    return DENY;
  }

  takeAsync(now: number): Promise<boolean> {
    return Promise.resolve(this.tryTake(now) === ALLOW);
  }

  refund(): void {
    if (this.#used > 0) this.#used--;
  }

  remaining(now: number): number {
    this.#roll(now);
    return this.limit - this.#used;
  }

  retryAfterMs(): number {
    return Math.max(0, this.#resetAt - this.clock());
  }
}

/** A task's call budget counted in this process; the window is the task token's lifetime. */
export class LocalBudget implements Gate {
  readonly scope: LimitScope = 'task';
  #used = 0;

  constructor(
    readonly limit: number,
    /** Unix ms when the task expires (the budget dies with it). */
    readonly expiresAt: number,
  ) {}

  tryTake(): TakeOutcome {
    if (this.#used < this.limit) {
      this.#used++;
      return ALLOW;
    }
    return DENY;
  }

  takeAsync(): Promise<boolean> {
    return Promise.resolve(this.tryTake() === ALLOW);
  }

  refund(): void {
    if (this.#used > 0) this.#used--;
  }

  remaining(): number {
    return this.limit - this.#used;
  }

  retryAfterMs(): number {
    return Math.max(0, this.expiresAt - Date.now());
  }
}
