/** The decision record: one per call, carried by its error and its audit line. */
import { randomBytes } from 'node:crypto';
import type { StageName } from './types.ts';

export interface StageOutcome {
  stage: StageName;
  outcome: 'pass' | 'deny' | 'error';
  code?: string;
  reason?: string;
  /** Microseconds spent in the stage. */
  us?: number;
}

export interface DecisionRecord {
  /** Sortable unique id: 12 hex chars of time + 12 of randomness. */
  readonly id: string;
  readonly stages: StageOutcome[];
  allow: boolean;
  code?: string;
  reason?: string;
}

// A pool of random bytes refilled in bulk: crypto.randomBytes per call costs ~1 µs.
let pool = randomBytes(4096);
let poolOffset = 0;
// The time prefix of the last id, reused while the millisecond lasts.
let prefixTime = -1;
let prefix = '';

/** A new decision id: time-ordered, 24 hex chars. */
export function newDecisionId(now = Date.now()): string {
  if (poolOffset + 6 > pool.length) {
    pool = randomBytes(4096);
    poolOffset = 0;
  }
  const rand = pool.toString('hex', poolOffset, poolOffset + 6);
  poolOffset += 6;
  if (now !== prefixTime) {
    prefixTime = now;
    prefix = now.toString(16).padStart(12, '0');
  }
  return prefix + rand;
}

/** A new, empty decision record; `now` (Unix ms) when the caller has already read the clock. */
export function newDecisionRecord(now = Date.now()): DecisionRecord {
  return { id: newDecisionId(now), stages: [], allow: false };
}
