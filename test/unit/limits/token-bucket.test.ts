import { describe, expect, it } from 'vitest';
import { LocalBudget, LocalDailyQuota, nextUtcMidnight } from '../../../src/limits/counters.ts';
import { parseDuration, parseRate } from '../../../src/limits/duration.ts';
import { ALLOW, DENY } from '../../../src/limits/gate.ts';
import { LocalBucket } from '../../../src/limits/token-bucket.ts';

describe('durations and rates', () => {
  it('parses the duration and rate strings used in config and manifests', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('1 fortnight')).toBeUndefined();
    expect(parseRate('100/1s')).toEqual({ limit: 100, perMs: 1000, burst: 100 });
    expect(parseRate('5/m', 2)).toEqual({ limit: 5, perMs: 60_000, burst: 2 });
    expect(parseRate('0/1s')).toBeUndefined();
    expect(parseRate('fast')).toBeUndefined();
  });
});

describe('LocalBucket', () => {
  it('allows a burst of `burst` calls, then refills at limit/per', () => {
    const b = new LocalBucket('agent', { limit: 10, perMs: 1000, burst: 3 }, 0);
    expect([b.tryTake(0), b.tryTake(0), b.tryTake(0)]).toEqual([ALLOW, ALLOW, ALLOW]);
    expect(b.tryTake(0)).toBe(DENY);
    // One token every 100 ms.
    expect(b.retryAfterMs(0)).toBe(100);
    expect(b.tryTake(50)).toBe(DENY);
    expect(b.tryTake(100)).toBe(ALLOW);
    expect(b.tryTake(100)).toBe(DENY);
    // Refill never exceeds the capacity.
    expect(b.remaining(100_000)).toBe(3);
  });

  it('defaults the capacity to the limit and gives refunded tokens back', () => {
    const b = new LocalBucket('agent', parseRate('2/1h')!, 0);
    expect(b.tryTake(1)).toBe(ALLOW);
    expect(b.tryTake(2)).toBe(ALLOW);
    expect(b.tryTake(3)).toBe(DENY);
    b.refund();
    expect(b.tryTake(4)).toBe(ALLOW);
  });

  it('sustains exactly the configured rate over a long run', () => {
    const b = new LocalBucket('agent', { limit: 100, perMs: 1000, burst: 10 }, 0);
    let allowed = 0;
    // A call every millisecond for 10 s of simulated time.
    for (let t = 0; t < 10_000; t++) if (b.tryTake(t) === ALLOW) allowed++;
    expect(allowed).toBeGreaterThanOrEqual(1000);
    expect(allowed).toBeLessThanOrEqual(1010);
  });
});

describe('daily quota and task budget', () => {
  it('counts a daily quota and resets it at the next UTC midnight', () => {
    // `now` is the monotonic clock the limiter passes in; the wall clock is read from `clock`.
    let wall = Date.UTC(2026, 10, 23, 23, 59, 0);
    const q = new LocalDailyQuota(2, 'free', () => wall);
    expect(q.tryTake(0)).toBe(ALLOW);
    expect(q.tryTake(1)).toBe(ALLOW);
    expect(q.tryTake(2)).toBe(DENY);
    expect(q.retryAfterMs()).toBe(60_000);
    wall += 30_000;
    expect(q.tryTake(30_000)).toBe(DENY);
    wall = nextUtcMidnight(wall);
    expect(q.tryTake(60_000)).toBe(ALLOW);
    expect(q.remaining(60_001)).toBe(1);
  });

  it('a task budget runs out and stays out', () => {
    const b = new LocalBudget(2, Date.now() + 60_000);
    expect([b.tryTake(), b.tryTake(), b.tryTake(), b.tryTake()]).toEqual([ALLOW, ALLOW, DENY, DENY]);
    expect(b.remaining()).toBe(0);
  });
});
