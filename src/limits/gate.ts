/** The one shape every limit takes: something a call takes a token from. */

/** What a call sees when it asks a gate for a token. */
export const ALLOW = 1;
export const DENY = 0;
/** The gate cannot answer without I/O (a shared lease ran dry); call `takeAsync`. */
export const PENDING = -1;
export type TakeOutcome = typeof ALLOW | typeof DENY | typeof PENDING;

/** Which limit a gate enforces; shows in errors, audit facts and metrics. */
export type LimitScope = 'agent' | 'agent-tool' | 'upstream' | 'task' | 'obligation' | 'quota' | 'concurrency' | 'upstream-concurrency';

export interface Gate {
  readonly scope: LimitScope;
  /** The configured limit, for the caller's error data (tokens per window, quota per day, budget). */
  readonly limit: number;
  /** Takes one token synchronously when it can. `now` is `performance.now()`. */
  tryTake(now: number): TakeOutcome;
  /** The slow path after PENDING: resolves true when a token was taken. */
  takeAsync(now: number): Promise<boolean>;
  /** Gives back a token taken by this call when a later gate denied it. */
  refund(): void;
  /** Whole tokens left (best local knowledge). */
  remaining(now: number): number;
  /** When to try again after DENY. */
  retryAfterMs(now: number): number;
}
