import { z } from 'zod';

/** A rate: sustained `limit` per `per`, with optional burst (token bucket capacity). */
export const rateSchema = z.strictObject({
  limit: z.number().positive(),
  /** Duration like 1s, 1m, 1h. */
  per: z.string().regex(/^\d+(ms|s|m|h|d)$/, 'a duration like 500ms, 1s, 1m, 1h, 1d'),
  burst: z.number().int().positive().optional(),
});

/** Per-agent limits and quotas (owned by src/limits). */
export const limitsConfigSchema = z.strictObject({
  perAgent: rateSchema.optional(),
  perAgentTool: rateSchema.optional(),
  perUpstream: rateSchema.optional(),
  concurrencyPerAgent: z.number().int().positive().optional(),
  concurrencyPerUpstream: z.number().int().positive().optional(),
  /** Load shedding at the per-upstream gate: how many calls may wait for a slot, and which to drop beyond that. */
  loadShedding: z
    .strictObject({
      /** Calls allowed to queue once every upstream slot is busy; defaults to concurrencyPerUpstream. */
      highWater: z.number().int().nonnegative().optional(),
      /** overflow: refuse the newcomer; leak: drop the oldest waiter; overflow-priority: same as overflow here. */
      strategy: z.enum(['overflow', 'leak', 'overflow-priority']).default('overflow'),
      /**
       * Share the upstream slots across replicas through Redis (bottleneck clustering). Off by
       * default: it costs Redis round trips per call (measured ~9 ms, ~180 calls/s per replica);
       * without it each replica enforces concurrencyPerUpstream on its own.
       */
      sharedAcrossReplicas: z.boolean().default(false),
    })
    .prefault({}),
  /**
   * Count task call budgets here too (shared through Redis when configured). Turn off when the
   * task-scope stage counts them with `redisTaskBudget` (which also covers ancestors' budgets).
   */
  taskBudgets: z.boolean().default(true),
  /** Named quota tiers, e.g. {free: 1000, pro: 100000} calls per day; agents pick one in their manifest. */
  dailyQuotaTiers: z.record(z.string(), z.number().int().positive()).default({}),
  defaultTier: z.string().optional(),
  /** Shared state across replicas. */
  redis: z
    .strictObject({
      url: z.string(),
      onFailure: z.enum(['fail-open', 'fail-closed']).default('fail-closed'),
      /** Prefix of every key warden writes. */
      keyPrefix: z.string().default('warden:limits:'),
      /** A Redis round trip slower than this counts as Redis being down. */
      timeoutMs: z.number().int().positive().default(250),
    })
    .optional(),
});
export type LimitsConfig = z.infer<typeof limitsConfigSchema>;
