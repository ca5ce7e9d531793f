/**
 * Micro-benchmark of the limit decision: ns per allowed call.
 * Run: npx tsx bench/limits.bench.ts   (starts a throwaway redis-server when one is installed)
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { limitsConfigSchema } from '../src/limits/config.ts';
import { ALLOW } from '../src/limits/gate.ts';
import { LocalBucket } from '../src/limits/token-bucket.ts';
import { createMetrics } from '../src/observability/metrics.ts';
import { newDecisionRecord } from '../src/pipeline/decision.ts';
import type { CallContext } from '../src/pipeline/types.ts';
import { rateLimitStage, type RateLimitStage } from '../src/stages/rate-limit/index.ts';

const HUGE = { limit: 1e12, per: '1s' };

function context(): CallContext {
  return {
    decision: newDecisionRecord(),
    request: { protocol: 'mcp', method: 'tools/call', transport: 'streamable-http', ip: '127.0.0.1', time: Date.now(), headers: {} },
    agent: { id: 'bench-agent', kind: 'dev', manifest: { name: 'bench-agent', limits: { tier: 'pro' } } },
    tool: { name: 'everything__echo', upstreamName: 'echo', upstream: 'everything' },
    facts: {},
  };
}

/** Median ns per call over 7 batches. Awaits only when the call returned a promise. */
async function nsPerCall(fn: () => unknown, iterations = 200_000): Promise<number> {
  const samples: number[] = [];
  for (let b = 0; b < 8; b++) {
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) {
      const r = fn();
      if (r instanceof Promise) await r;
    }
    if (b > 0) samples.push(((performance.now() - t0) * 1e6) / iterations); // batch 0 warms up
    await new Promise((r) => setImmediate(r));
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

function stageFor(extra: Record<string, unknown>): RateLimitStage {
  return rateLimitStage({
    config: limitsConfigSchema.parse({ perAgent: HUGE, perAgentTool: HUGE, dailyQuotaTiers: { pro: 2_000_000_000 }, ...extra }),
    metrics: createMetrics(),
  });
}

async function startRedis(): Promise<{ url: string; stop(): void } | undefined> {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const ok = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(false));
    child.stdout!.on('data', (c: Buffer) => c.toString().includes('Ready to accept') && resolve(true));
  });
  if (!ok) return undefined;
  child.stdout!.resume();
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
}

/**
 * Like nsPerCall, but the loop yields to the event loop every `burst` calls (untimed), as a
 * busy gateway would between requests, so background lease refills can land. Reports the mean
 * ns per call (async waits included), the share of calls that waited for Redis, and the median
 * ns per call over the bursts in which no call waited (the per-call decision itself).
 */
async function nsPerCallPaced(fn: () => unknown, burst = 20, calls = 100_000): Promise<[number, number, number]> {
  let timed = 0;
  let waited = 0;
  const syncBursts: number[] = [];
  for (let done = 0; done < calls; done += burst) {
    const waitedBefore = waited;
    const t0 = performance.now();
    for (let i = 0; i < burst; i++) {
      const r = fn();
      if (r instanceof Promise) {
        waited++;
        await r;
      }
    }
    const dt = performance.now() - t0;
    timed += dt;
    if (waitedBefore === waited) syncBursts.push((dt * 1e6) / burst);
    await new Promise((r) => setImmediate(r));
  }
  syncBursts.sort((a, b) => a - b);
  return [(timed * 1e6) / calls, waited / calls, syncBursts[Math.floor(syncBursts.length / 2)] ?? NaN];
}

const rows: Array<[string, number]> = [];

// Calibration: one monotonic clock read (every decision makes exactly one; on some VMs it is a syscall).
rows.push(['performance.now() alone (calibration)', await nsPerCall(() => performance.now())]);
const bucket = new LocalBucket('agent', { limit: 1e12, perMs: 1000, burst: 1e12 }, performance.now());
rows.push(['LocalBucket.tryTake (one bucket)', await nsPerCall(() => bucket.tryTake(performance.now()) === ALLOW)]);

const local = stageFor({});
const ctx = context();
rows.push(['rate-limit stage onRequest, local (agent + agent×tool + daily quota), tight loop', await nsPerCall(() => local.onRequest!(ctx))]);
rows.push(['rate-limit stage onRequest, local (same gates), median of paced bursts', (await nsPerCallPaced(() => local.onRequest!(ctx)))[2]]);
await local.close();

const gated = stageFor({ concurrencyPerAgent: 64, concurrencyPerUpstream: 64 });
const gctx = context();
rows.push([
  'rate-limit stage onRequest + onSettled, local, with agent and upstream concurrency caps, median of paced bursts',
  (await nsPerCallPaced(() => {
    gated.onRequest!(gctx);
    gated.onSettled!(gctx);
  }))[2],
]);
await gated.close();

const redis = await startRedis();
if (redis) {
  const shared = stageFor({ redis: { url: redis.url } });
  while (!shared.store?.healthy) await new Promise((r) => setTimeout(r, 10));
  const sctx = context();
  await nsPerCallPaced(() => shared.onRequest!(sctx)); // warm-up
  const [ns, waitedShare, syncNs] = await nsPerCallPaced(() => shared.onRequest!(sctx));
  rows.push(['rate-limit stage onRequest, Redis-shared, tokens already leased (median of bursts with no wait)', syncNs]);
  rows.push([`rate-limit stage onRequest, Redis-shared leases, paced, mean incl. waits (${(waitedShare * 100).toFixed(2)}% of calls waited for Redis)`, ns]);
  rows.push(['rate-limit stage onRequest, Redis-shared leases, flat out (lease refills cannot keep up)', await nsPerCall(() => shared.onRequest!(sctx), 50_000)]);
  await shared.close();
  redis.stop();
} else {
  process.stderr.write('redis-server not installed: skipping the shared-lease measurement\n');
}

const metrics = createMetrics();
const settled = context();
settled.decision.allow = true;
settled.decision.stages.push({ stage: 'identity', outcome: 'pass', us: 3 }, { stage: 'policy', outcome: 'pass', us: 12 }, { stage: 'rate-limit', outcome: 'pass', us: 1 }, { stage: 'forward', outcome: 'pass', us: 900 });
rows.push(['metrics.observeCall (4 stages)', await nsPerCall(() => metrics.observeCall(settled))]);

for (const [name, ns] of rows) console.log(`${ns.toFixed(0).padStart(8)} ns  ${name}`);
