import { afterEach, describe, expect, it } from 'vitest';
import { WardenError } from '../../../src/errors.ts';
import type { z } from 'zod';
import { limitsConfigSchema } from '../../../src/limits/config.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { createPipeline } from '../../../src/pipeline/pipeline.ts';
import type { CallContext, Stage } from '../../../src/pipeline/types.ts';
import { rateLimitStage, type RateLimitStage } from '../../../src/stages/rate-limit/index.ts';
import { callContext, type CallSpec } from '../../helpers/call-context.ts';

const stages: RateLimitStage[] = [];
afterEach(async () => {
  await Promise.all(stages.splice(0).map((s) => s.close()));
});

function stage(config: z.input<typeof limitsConfigSchema>): RateLimitStage {
  const s = rateLimitStage({ config: limitsConfigSchema.parse(config), metrics: createMetrics() });
  stages.push(s);
  return s;
}

/** Runs onRequest and returns the WardenError code (or 'ok'); settles the call like the pipeline does. */
async function call(s: Stage, spec: CallSpec, settle = true): Promise<{ code: string; err?: WardenError; ctx: CallContext }> {
  const ctx = callContext(spec);
  try {
    await s.onRequest!(ctx);
    return { code: 'ok', ctx };
  } catch (err) {
    if (!(err instanceof WardenError)) throw err;
    return { code: err.code, err, ctx };
  } finally {
    if (settle) await s.onSettled?.(ctx);
  }
}

async function codes(s: Stage, spec: CallSpec, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await call(s, spec)).code);
  return out;
}

describe('rate-limit stage (local)', () => {
  it('limits per agent with a burst, and says when to retry', async () => {
    const s = stage({ perAgent: { limit: 3, per: '1h' } });
    expect(await codes(s, { agent: 'alice' }, 4)).toEqual(['ok', 'ok', 'ok', 'WARDEN_RATE_LIMITED']);
    const denied = await call(s, { agent: 'alice' });
    expect(denied.err?.data).toMatchObject({ limit: 3, scope: 'agent' });
    expect(denied.err?.data?.retryAfterMs).toBeGreaterThan(1_000_000);
    expect(denied.err?.message).toMatch(/agent alice is over its rate limit of 3/);
    expect(denied.ctx.facts.limits).toMatchObject({ key: 'alice', scope: 'agent', remaining: 0, denied: true });
    // Another agent has its own bucket.
    expect((await call(s, { agent: 'bob' })).code).toBe('ok');
  });

  it('does not reset when the agent opens a new session', async () => {
    const s = stage({ perAgent: { limit: 2, per: '1h' } });
    expect(await codes(s, { agent: 'alice', sessionId: 'one' }, 2)).toEqual(['ok', 'ok']);
    expect((await call(s, { agent: 'alice', sessionId: 'two' })).code).toBe('WARDEN_RATE_LIMITED');
  });

  it('applies the per-tool limit separately for each tool, and refunds the agent token when the tool denies', async () => {
    const s = stage({ perAgent: { limit: 5, per: '1h' }, perAgentTool: { limit: 2, per: '1h' } });
    expect(await codes(s, { agent: 'a', tool: 'search' }, 3)).toEqual(['ok', 'ok', 'WARDEN_RATE_LIMITED']);
    const denied = await call(s, { agent: 'a', tool: 'search' });
    expect(denied.err?.data?.scope).toBe('agent-tool');
    // The agent spent 2 of 5; the two denials did not eat agent tokens.
    expect(await codes(s, { agent: 'a', tool: 'fetch' }, 2)).toEqual(['ok', 'ok']);
    expect(await codes(s, { agent: 'a', tool: 'other' }, 2)).toEqual(['ok', 'WARDEN_RATE_LIMITED']);
  });

  it('takes rate, burst and tier overrides from the agent manifest', async () => {
    const s = stage({ perAgent: { limit: 1, per: '1h' }, dailyQuotaTiers: { free: 2, pro: 5 }, defaultTier: 'free' });
    expect(await codes(s, { agent: 'basic' }, 2)).toEqual(['ok', 'WARDEN_RATE_LIMITED']);
    const premium = { rate: '100/1h', burst: 20, tier: 'pro' };
    expect(await codes(s, { agent: 'premium', limits: premium }, 6)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'WARDEN_QUOTA_EXCEEDED']);
    const denied = await call(s, { agent: 'premium', limits: premium });
    expect(denied.err?.message).toMatch(/daily quota of 5 \(tier pro\)/);
    expect(denied.err?.data?.scope).toBe('quota');
    expect(denied.ctx.facts.limits).toMatchObject({ tier: 'pro', scope: 'quota' });
  });

  it('keeps counting when the manifest object is re-created with the same limits, and applies changed ones', async () => {
    const s = stage({});
    // A fresh limits object on every call, as a manifest reload would give.
    const fresh = () => ({ agent: 'r', limits: { rate: '2/1h' } });
    expect([(await call(s, fresh())).code, (await call(s, fresh())).code, (await call(s, fresh())).code]).toEqual(['ok', 'ok', 'WARDEN_RATE_LIMITED']);
    expect(await codes(s, { agent: 'r', limits: { rate: '5/1h' } }, 1)).toEqual(['ok']);
  });

  it('enforces daily quotas by tier with the default tier for agents without one', async () => {
    const s = stage({ dailyQuotaTiers: { free: 3, pro: 100 }, defaultTier: 'free' });
    expect(await codes(s, { agent: 'x' }, 4)).toEqual(['ok', 'ok', 'ok', 'WARDEN_QUOTA_EXCEEDED']);
    const { err } = await call(s, { agent: 'x' });
    const msToMidnight = 86_400_000 - (Date.now() % 86_400_000);
    expect(err?.data?.retryAfterMs).toBeLessThanOrEqual(msToMidnight);
    expect(err?.data?.retryAfterMs).toBeGreaterThan(msToMidnight - 60_000);
  });

  it('does not charge quotas or task budgets for listings and pings, but rate-limits them', async () => {
    const s = stage({ perAgent: { limit: 4, per: '1h' }, dailyQuotaTiers: { free: 1 }, defaultTier: 'free' });
    const task = { id: 'listing-task', budget: 1 };
    expect((await call(s, { agent: 'l', method: 'tools/list', task })).code).toBe('ok');
    expect((await call(s, { agent: 'l', method: 'ping', task })).code).toBe('ok');
    expect((await call(s, { agent: 'l', method: 'tools/call', task })).code).toBe('ok');
    expect((await call(s, { agent: 'l', method: 'tools/call', task })).code).toBe('WARDEN_QUOTA_EXCEEDED');
    // The refused call's rate token was given back: one listing left, then the rate limit.
    expect(await codes(s, { agent: 'l', method: 'tools/list' }, 2)).toEqual(['ok', 'WARDEN_RATE_LIMITED']);
  });

  it('fails closed on a manifest that names an unknown tier or a malformed rate', async () => {
    const s = stage({ dailyQuotaTiers: { free: 3 } });
    const unknownTier = await call(s, { agent: 'x', limits: { tier: 'gold' } });
    expect(unknownTier.code).toBe('WARDEN_CONFIG_INVALID');
    expect(unknownTier.err?.message).toMatch(/tier "gold"/);
    expect((await call(s, { agent: 'y', limits: { rate: 'lots' } })).code).toBe('WARDEN_CONFIG_INVALID');
  });

  it('counts the task call budget across sessions', async () => {
    const s = stage({});
    const task = { id: 'task-1', budget: 2 };
    expect((await call(s, { agent: 'a', task, sessionId: 's1' })).code).toBe('ok');
    expect((await call(s, { agent: 'a', task, sessionId: 's2' })).code).toBe('ok');
    const denied = await call(s, { agent: 'a', task, sessionId: 's3' });
    expect(denied.code).toBe('WARDEN_TASK_BUDGET');
    expect(denied.err?.data).toMatchObject({ scope: 'task', limit: 2 });
    // A different task has its own budget.
    expect((await call(s, { agent: 'a', task: { id: 'task-2', budget: 1 } })).code).toBe('ok');
  });

  it('caps calls in flight per agent and frees the slot when the call settles', async () => {
    const s = stage({ concurrencyPerAgent: 2 });
    const a = await call(s, { agent: 'a' }, false);
    const b = await call(s, { agent: 'a' }, false);
    expect([a.code, b.code]).toEqual(['ok', 'ok']);
    const c = await call(s, { agent: 'a' });
    expect(c.code).toBe('WARDEN_RATE_LIMITED');
    expect(c.err?.data?.scope).toBe('concurrency');
    expect((await call(s, { agent: 'other' })).code).toBe('ok');
    await s.onSettled!(a.ctx);
    expect((await call(s, { agent: 'a' })).code).toBe('ok');
  });

  it('applies a limit a policy attached as an obligation', async () => {
    const s = stage({});
    const obligationLimits = { rate: '1/1h' };
    expect(await codes(s, { agent: 'a', obligationLimits }, 2)).toEqual(['ok', 'WARDEN_RATE_LIMITED']);
    expect((await call(s, { agent: 'a', obligationLimits })).err?.data?.scope).toBe('obligation');
    // Without the obligation, the call is not limited.
    expect((await call(s, { agent: 'a' })).code).toBe('ok');
    expect((await call(s, { agent: 'a', obligationLimits: { rate: 'soon' } })).code).toBe('WARDEN_POLICY_ERROR');
  });

  it('limits per upstream across agents', async () => {
    const s = stage({ perUpstream: { limit: 2, per: '1h' } });
    expect((await call(s, { agent: 'a', upstream: 'files' })).code).toBe('ok');
    expect((await call(s, { agent: 'b', upstream: 'files' })).code).toBe('ok');
    const c = await call(s, { agent: 'c', upstream: 'files' });
    expect(c.code).toBe('WARDEN_RATE_LIMITED');
    expect(c.err?.data?.scope).toBe('upstream');
    expect((await call(s, { agent: 'c', upstream: 'mail' })).code).toBe('ok');
  });

  it('sheds load with WARDEN_OVERLOADED when the upstream is saturated and its queue is full', async () => {
    const s = stage({ concurrencyPerUpstream: 1, loadShedding: { highWater: 1 } });
    const first = await call(s, { agent: 'a' }, false);
    expect(first.code).toBe('ok');
    // Second waits in the queue for the slot; third finds the queue full.
    const ctx2 = callContext({ agent: 'b' });
    const second = Promise.resolve(s.onRequest!(ctx2));
    let secondDone = false;
    void second.then(() => (secondDone = true));
    const third = await call(s, { agent: 'c' });
    expect(third.code).toBe('WARDEN_OVERLOADED');
    expect(third.err?.data?.scope).toBe('upstream-concurrency');
    expect(secondDone).toBe(false);
    await s.onSettled!(first.ctx);
    await second;
    expect(secondDone).toBe(true);
    await s.onSettled!(ctx2);
  });

  it('gives a shed call its rate tokens back, even when other calls started meanwhile', async () => {
    const s = stage({ perAgent: { limit: 1, per: '1h' }, concurrencyPerUpstream: 1, loadShedding: { highWater: 0 } });
    const first = await call(s, { agent: 'a' }, false);
    // b and c both start before either learns it was shed.
    const ctxB = callContext({ agent: 'b' });
    const ctxC = callContext({ agent: 'c' });
    const shed = (ctx: CallContext) => Promise.resolve(s.onRequest!(ctx)).then(() => 'ok', (err: WardenError) => err.code);
    const [b, c] = await Promise.all([shed(ctxB), shed(ctxC)]);
    expect([b, c]).toEqual(['WARDEN_OVERLOADED', 'WARDEN_OVERLOADED']);
    await s.onSettled!(ctxB);
    await s.onSettled!(ctxC);
    await s.onSettled!(first.ctx);
    // Each kept its one token.
    expect((await call(s, { agent: 'b' })).code).toBe('ok');
    expect((await call(s, { agent: 'c' })).code).toBe('ok');
  });

  it('with the leak strategy, sheds the oldest waiting call instead of the newcomer', async () => {
    const s = stage({ concurrencyPerUpstream: 1, loadShedding: { highWater: 1, strategy: 'leak' } });
    const first = await call(s, { agent: 'a' }, false);
    const ctx2 = callContext({ agent: 'b' });
    const second = Promise.resolve(s.onRequest!(ctx2)).then(
      () => 'ok',
      (err: WardenError) => err.code,
    );
    const ctx3 = callContext({ agent: 'c' });
    const third = Promise.resolve(s.onRequest!(ctx3)).then(() => 'ok');
    expect(await second).toBe('WARDEN_OVERLOADED');
    await s.onSettled!(first.ctx);
    expect(await third).toBe('ok');
    await s.onSettled!(ctx2);
    await s.onSettled!(ctx3);
  });

  it('counts its rejections by scope in the metrics', async () => {
    const metrics = createMetrics();
    const s = rateLimitStage({ config: limitsConfigSchema.parse({ perAgent: { limit: 1, per: '1h' } }), metrics });
    stages.push(s);
    expect(await codes(s, { agent: 'm' }, 3)).toEqual(['ok', 'WARDEN_RATE_LIMITED', 'WARDEN_RATE_LIMITED']);
    expect(await metrics.registry.metrics()).toContain('warden_limit_rejections_total{scope="agent"} 2');
  });

  it('stays on the synchronous path when tokens and upstream slots are free locally', () => {
    const s = stage({ perAgent: { limit: 10, per: '1s' }, perAgentTool: { limit: 10, per: '1s' }, concurrencyPerAgent: 4, concurrencyPerUpstream: 2 });
    const ctx = callContext({ agent: 'a' });
    expect(s.onRequest!(ctx)).toBeUndefined();
    expect(ctx.facts.limits).toMatchObject({ key: 'a', remaining: 9 });
    const second = callContext({ agent: 'a' });
    expect(s.onRequest!(second)).toBeUndefined();
    // Both upstream slots are taken: the third call has to wait.
    const third = callContext({ agent: 'a' });
    const waiting = s.onRequest!(third);
    expect(waiting).toBeInstanceOf(Promise);
    s.onSettled!(ctx);
    return Promise.resolve(waiting).then(() => {
      s.onSettled!(second);
      s.onSettled!(third);
    });
  });

  it('denies through the pipeline with a decision record naming the stage', async () => {
    const s = stage({ perAgent: { limit: 1, per: '1h' } });
    const p = createPipeline([s]);
    await p.run(callContext({ agent: 'a' }));
    const ctx = callContext({ agent: 'a' });
    await expect(p.run(ctx)).rejects.toMatchObject({ code: 'WARDEN_RATE_LIMITED' });
    expect(ctx.decision.stages.at(-1)).toMatchObject({ stage: 'rate-limit', outcome: 'deny', code: 'WARDEN_RATE_LIMITED' });
  });
});
