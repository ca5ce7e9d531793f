/**
 * The rate-limit stage: per-agent, per-agent×tool, per-upstream and per-task limits,
 * daily quotas, concurrency caps and upstream load shedding (see docs/limits.md).
 *
 * onRequest takes the tokens (synchronously when they are held locally); onSettled
 * gives back the concurrency slots, whatever the outcome of the call.
 */
import type { Redis } from 'ioredis';
import { newRedis } from '../../limits/redis-client.ts';
import type { LimitsConfig } from '../../limits/config.ts';
import { Limiter } from '../../limits/limiter.ts';
import { RedisLimitStore } from '../../limits/redis-store.ts';
import { UpstreamGates } from '../../limits/upstream-gate.ts';
import { metrics as defaultMetrics, type WardenMetrics } from '../../observability/metrics.ts';
import type { Logger } from '../../observability/logger.ts';
import type { CallContext, Stage } from '../../pipeline/types.ts';

export interface RateLimitStageOptions {
  config: LimitsConfig;
  /** A connected ioredis client for state shared across replicas; else one is made from `config.redis.url`. */
  redis?: Redis;
  logger?: Logger;
  /** Where rejections and fallbacks are counted (default: the process-wide metrics). */
  metrics?: WardenMetrics;
}

export type RateLimitStage = Stage & {
  readonly limiter: Limiter;
  /** The shared store, when Redis is configured (its `healthy` says whether shared limits are live). */
  readonly store: RedisLimitStore | undefined;
  /** Stops the upstream gates and, if the stage created it, the Redis client. */
  close(): Promise<void>;
};

/** Builds the rate-limit stage. */
export function rateLimitStage(opts: RateLimitStageOptions): RateLimitStage {
  const { config, logger } = opts;
  const m = opts.metrics ?? defaultMetrics;
  let ownRedis: Redis | undefined;
  let redis = opts.redis;
  if (!redis && config.redis) {
    // Commands fail fast while disconnected (the store then falls back); reconnects go on forever.
    ownRedis = redis = newRedis(config.redis.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (times) => Math.min(50 * 2 ** times, 2000),
    });
  }
  const store = redis
    ? new RedisLimitStore({
        redis,
        keyPrefix: config.redis?.keyPrefix,
        onFailure: config.redis?.onFailure,
        timeoutMs: config.redis?.timeoutMs,
        logger,
        onHealthChange: (up) => m.limitsStoreUp.set(up ? 1 : 0),
        onFallback: () => m.limitsFallbacks.inc(),
      })
    : undefined;
  if (store) m.limitsStoreUp.set(store.healthy ? 1 : 0);
  const upstreamGates = config.concurrencyPerUpstream
    ? new UpstreamGates({
        maxConcurrent: config.concurrencyPerUpstream,
        highWater: config.loadShedding.highWater ?? config.concurrencyPerUpstream,
        strategy: config.loadShedding.strategy,
        ...(store && config.loadShedding.sharedAcrossReplicas ? { store } : {}),
        logger,
      })
    : undefined;
  const limiter = new Limiter({
    config,
    store,
    upstreamGates,
    onReject: (scope) => m.rejectLimit(scope),
  });

  return {
    name: 'rate-limit',
    limiter,
    store,
    onRequest: (ctx: CallContext) => limiter.acquire(ctx),
    onSettled: (ctx: CallContext) => limiter.release(ctx),
    async close() {
      await upstreamGates?.close();
      store?.detach();
      if (ownRedis) {
        await ownRedis.quit().catch(() => ownRedis?.disconnect());
      }
    },
  };
}
