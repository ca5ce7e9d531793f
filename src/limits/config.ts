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
  /** Named quota tiers, e.g. {free: 1000, pro: 100000} calls per day; agents pick one in their manifest. */
  dailyQuotaTiers: z.record(z.string(), z.number().int().positive()).default({}),
  defaultTier: z.string().optional(),
  /** Shared state across replicas. */
  redis: z
    .strictObject({
      url: z.string(),
      onFailure: z.enum(['fail-open', 'fail-closed']).default('fail-closed'),
    })
    .optional(),
});
export type LimitsConfig = z.infer<typeof limitsConfigSchema>;
