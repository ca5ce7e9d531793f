import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { z } from 'zod';
import { WardenError } from '../../../src/errors.ts';
import { limitsConfigSchema } from '../../../src/limits/config.ts';
import { redisTaskBudget } from '../../../src/limits/task-budget.ts';
import { inProcessTaskBudget } from '../../../src/stages/task-scope/budget.ts';
import { createMetrics, type WardenMetrics } from '../../../src/observability/metrics.ts';
import { rateLimitStage, type RateLimitStage } from '../../../src/stages/rate-limit/index.ts';
import { callContext, type CallSpec } from '../../helpers/call-context.ts';
import { redisAvailable, startRedis, type RedisServer } from '../../helpers/redis.ts';

type LimitsInput = z.input<typeof limitsConfigSchema>;

describe.skipIf(!redisAvailable())('limits shared through Redis', () => {
  let redis: RedisServer;
  let prefixN = 0;
  const open: RateLimitStage[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  /** Two replicas: two stages, each with its own Redis connection, same key space. */
  function replicas(config: LimitsInput, onFailure: 'fail-open' | 'fail-closed' = 'fail-closed', metrics?: WardenMetrics): [RateLimitStage, RateLimitStage] {
    const keyPrefix = `test${++prefixN}:`;
    const make = () => {
      const s = rateLimitStage({
        config: limitsConfigSchema.parse({ ...config, redis: { url: redis.url, onFailure, keyPrefix } }),
        metrics: metrics ?? createMetrics(),
      });
      open.push(s);
      return s;
    };
    return [make(), make()];
  }

  async function ready(...stages: RateLimitStage[]): Promise<void> {
    await vi.waitFor(() => expect(stages.every((s) => s.store?.healthy)).toBe(true), { timeout: 10_000, interval: 50 });
  }

  async function call(s: RateLimitStage, spec: CallSpec): Promise<string> {
    const ctx = callContext(spec);
    try {
      await s.onRequest!(ctx);
      return 'ok';
    } catch (err) {
      if (err instanceof WardenError) return err.code;
      throw err;
    } finally {
      await s.onSettled!(ctx);
    }
  }

  it('two replicas together allow no more than one agent limit, alternating calls', async () => {
    const [a, b] = replicas({ perAgent: { limit: 6, per: '1h' } });
    await ready(a, b);
    const results: string[] = [];
    for (let i = 0; i < 10; i++) results.push(await call(i % 2 ? b : a, { agent: 'alice' }));
    expect(results.filter((r) => r === 'ok')).toHaveLength(6);
    expect(results.slice(6).every((r) => r === 'WARDEN_RATE_LIMITED')).toBe(true);
    // Other agents are not affected.
    expect(await call(b, { agent: 'bob' })).toBe('ok');
  });

  it('shares daily quotas and task budgets, so moving between replicas does not reset them', async () => {
    const [a, b] = replicas({ dailyQuotaTiers: { free: 3 }, defaultTier: 'free' });
    await ready(a, b);
    expect([await call(a, { agent: 'q' }), await call(b, { agent: 'q' }), await call(a, { agent: 'q' })]).toEqual(['ok', 'ok', 'ok']);
    expect(await call(b, { agent: 'q' })).toBe('WARDEN_QUOTA_EXCEEDED');
    expect(await call(a, { agent: 'q' })).toBe('WARDEN_QUOTA_EXCEEDED');

    const task = { id: 'shared-task', budget: 2 };
    expect(await call(a, { agent: 't', task, sessionId: 'on-a' })).toBe('ok');
    expect(await call(b, { agent: 't', task, sessionId: 'on-b' })).toBe('ok');
    expect(await call(a, { agent: 't', task, sessionId: 'on-a' })).toBe('WARDEN_TASK_BUDGET');
  });

  it('shares the upstream concurrency gate across replicas (bottleneck clustering)', async () => {
    const [a, b] = replicas({ concurrencyPerUpstream: 1, loadShedding: { highWater: 0, sharedAcrossReplicas: true } });
    await ready(a, b);
    const held = callContext({ agent: 'x' });
    await a.onRequest!(held);
    expect(await call(b, { agent: 'y' })).toBe('WARDEN_OVERLOADED');
    await a.onSettled!(held);
    await vi.waitFor(async () => expect(await call(b, { agent: 'y' })).toBe('ok'), { timeout: 5000, interval: 50 });
  });

  it('fail-closed: refuses shared-limited calls while Redis is down, and recovers when it is back', async () => {
    const metrics = createMetrics();
    const [a] = replicas({ perAgent: { limit: 1000, per: '1s' } }, 'fail-closed', metrics);
    await ready(a);
    expect(await call(a, { agent: 'c' })).toBe('ok');
    await redis.stop();
    await vi.waitFor(() => expect(a.store?.healthy).toBe(false), { timeout: 5000, interval: 20 });
    // Drain whatever was leased before the outage; then calls are refused, never crash.
    let code = 'ok';
    for (let i = 0; i < 200 && code === 'ok'; i++) code = await call(a, { agent: 'c' });
    expect(code).toBe('WARDEN_LIMITS_UNAVAILABLE');
    expect(await metrics.registry.getSingleMetricAsString('warden_limits_store_up')).toMatch(/warden_limits_store_up 0/);
    await redis.restart();
    await ready(a);
    expect(await call(a, { agent: 'c' })).toBe('ok');
    expect(await metrics.registry.getSingleMetricAsString('warden_limits_store_up')).toMatch(/warden_limits_store_up 1/);
  });

  it('fail-open: keeps limiting with local buckets while Redis is down, counting the fallbacks', async () => {
    const metrics = createMetrics();
    const [a] = replicas({ perAgent: { limit: 3, per: '1h' } }, 'fail-open', metrics);
    await ready(a);
    await redis.stop();
    await vi.waitFor(() => expect(a.store?.healthy).toBe(false), { timeout: 5000, interval: 20 });
    const results: string[] = [];
    for (let i = 0; i < 5; i++) results.push(await call(a, { agent: 'o' }));
    // The local bucket still enforces the limit.
    expect(results).toEqual(['ok', 'ok', 'ok', 'WARDEN_RATE_LIMITED', 'WARDEN_RATE_LIMITED']);
    expect(await metrics.registry.getSingleMetricAsString('warden_limits_fallback_total')).toMatch(/warden_limits_fallback_total 5/);
    await redis.restart();
    await ready(a);
    // Shared again: a fresh Redis has a full bucket for this agent.
    expect(await call(a, { agent: 'o' })).toBe('ok');
  });

  it('without sharedAcrossReplicas, each replica gates its upstream slots on its own (no Redis per call)', async () => {
    const [a, b] = replicas({ concurrencyPerUpstream: 1, loadShedding: { highWater: 0 } });
    await ready(a, b);
    const held = callContext({ agent: 'x' });
    expect(a.onRequest!(held)).toBeUndefined();
    expect(await call(a, { agent: 'y' })).toBe('WARDEN_OVERLOADED');
    expect(await call(b, { agent: 'y' })).toBe('ok');
    await a.onSettled!(held);
  });

  it('upstream concurrency gate: fail-closed refuses while Redis is down, fail-open falls back to a local gate', async () => {
    const [closed] = replicas({ concurrencyPerUpstream: 1, loadShedding: { highWater: 0, sharedAcrossReplicas: true } }, 'fail-closed');
    const [open_] = replicas({ concurrencyPerUpstream: 1, loadShedding: { highWater: 0, sharedAcrossReplicas: true } }, 'fail-open');
    await ready(closed, open_);
    await redis.stop();
    await vi.waitFor(() => expect(closed.store?.healthy || open_.store?.healthy).toBe(false), { timeout: 5000, interval: 20 });
    expect(await call(closed, { agent: 'u' })).toBe('WARDEN_LIMITS_UNAVAILABLE');
    // Locally the gate still holds one call at a time.
    const held = callContext({ agent: 'u' });
    await open_.onRequest!(held);
    expect(await call(open_, { agent: 'v' })).toBe('WARDEN_OVERLOADED');
    await open_.onSettled!(held);
    expect(await call(open_, { agent: 'v' })).toBe('ok');
    await redis.restart();
    await ready(closed, open_);
  });

  it('gives the task-scope stage a task budget shared by replicas (redisTaskBudget)', async () => {
    const [a, b] = replicas({ taskBudgets: false });
    await ready(a, b);
    const budgetA = redisTaskBudget(a.store!, inProcessTaskBudget());
    const budgetB = redisTaskBudget(b.store!, inProcessTaskBudget());
    const exp = Math.floor(Date.now() / 1000) + 600;
    expect(await budgetA.take('delegated', 3, exp)).toBe(1);
    expect(await budgetB.take('delegated', 3, exp)).toBe(2);
    expect(await budgetA.take('delegated', 3, exp)).toBe(3);
    expect(await budgetB.take('delegated', 3, exp)).toBe(false);
    // With taskBudgets off, the rate-limit stage itself does not count the task.
    expect(await call(a, { agent: 't', task: { id: 'delegated', budget: 3 } })).toBe('ok');
  });

  it('starts while Redis is down: warns, refuses (fail-closed), and goes shared once Redis is up', async () => {
    await redis.stop();
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const s = rateLimitStage({
      config: limitsConfigSchema.parse({ perAgent: { limit: 5, per: '1h' }, redis: { url: redis.url, keyPrefix: `late${++prefixN}:` } }),
      logger,
      metrics: createMetrics(),
    });
    open.push(s);
    expect(await call(s, { agent: 'early' })).toBe('WARDEN_LIMITS_UNAVAILABLE');
    await vi.waitFor(() => expect(lines.some((l) => l.includes('redis unavailable'))).toBe(true), { timeout: 5000, interval: 20 });
    await redis.restart();
    await ready(s);
    expect(await call(s, { agent: 'early' })).toBe('ok');
    expect(lines.some((l) => l.includes('connected to redis'))).toBe(true);
  });

  it('works with a caller-provided ioredis client and leaves it open on close', async () => {
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      const s = rateLimitStage({ config: limitsConfigSchema.parse({ perAgent: { limit: 1, per: '1h' } }), redis: client, metrics: createMetrics() });
      await ready(s);
      expect(await call(s, { agent: `own-${Date.now()}` })).toBe('ok');
      await s.close();
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
  });
});
