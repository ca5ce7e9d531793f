/**
 * Per-agent overrides (agent manifest `limits:`) and per-call policy obligations
 * (`obligations.limits`), parsed once and cached: the per-call path only looks them up.
 */
import { z } from 'zod';
import { WardenError } from '../errors.ts';
import { parseRate, type RateSpec } from './duration.ts';

const rateText = z.string().refine((s) => parseRate(s) !== undefined, 'a rate like 100/1s, 20/1m or 5/s');

/** The `limits` block of an agent manifest. */
export const agentLimitsSchema = z.strictObject({
  /** Sustained rate for the agent, e.g. `100/1s`. */
  rate: rateText.optional(),
  burst: z.number().int().positive().optional(),
  /** Rate per tool for this agent. */
  toolRate: rateText.optional(),
  toolBurst: z.number().int().positive().optional(),
  /** Daily quota tier (a key of `limits.dailyQuotaTiers`). */
  tier: z.string().optional(),
  /** Calls in flight at once. */
  concurrency: z.number().int().positive().optional(),
});

export interface AgentOverrides {
  rate?: RateSpec;
  toolRate?: RateSpec;
  tier?: string;
  concurrency?: number;
}

const EMPTY: AgentOverrides = Object.freeze({});
const cache = new WeakMap<object, AgentOverrides>();

/** The overrides in a manifest's `limits`; a malformed block fails closed with WARDEN_CONFIG_INVALID. */
export function agentOverrides(agentId: string, limits: Record<string, unknown> | undefined): AgentOverrides {
  if (!limits) return EMPTY;
  const hit = cache.get(limits);
  if (hit) return hit;
  const parsed = agentLimitsSchema.safeParse(limits);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WardenError(
      'WARDEN_CONFIG_INVALID',
      `agent ${agentId}: manifest limits.${issue?.path.join('.') ?? ''} is invalid: ${issue?.message ?? 'bad value'}`,
    );
  }
  const v = parsed.data;
  const out: AgentOverrides = {};
  if (v.rate) out.rate = parseRate(v.rate, v.burst)!;
  if (v.toolRate) out.toolRate = parseRate(v.toolRate, v.toolBurst)!;
  if (v.tier) out.tier = v.tier;
  if (v.concurrency) out.concurrency = v.concurrency;
  cache.set(limits, out);
  return out;
}

/** The `limits` obligation a policy can attach: an extra, usually tighter, rate for this call. */
export const obligationLimitsSchema = z.object({
  rate: rateText,
  burst: z.number().int().positive().optional(),
  /** What the rate is counted against; default the agent × tool. */
  per: z.enum(['agent', 'agent-tool']).default('agent-tool'),
});

export interface ObligationLimit {
  spec: RateSpec;
  per: 'agent' | 'agent-tool';
  /** Stable text for keys: the same obligation always lands in the same bucket. */
  id: string;
}

const obligationCache = new WeakMap<object, ObligationLimit>();
/** Policies build a fresh obligation object per decision: also cache by its (few) values. */
const obligationByText = new Map<string, ObligationLimit>();

/** Parses a policy's `limits` obligation; a malformed one fails closed (the policy asked for a limit). */
export function obligationLimit(limits: Record<string, unknown>): ObligationLimit {
  const hit = obligationCache.get(limits);
  if (hit) return hit;
  const text = `${String(limits.rate)}|${String(limits.burst)}|${String(limits.per)}`;
  const byText = obligationByText.get(text);
  if (byText) {
    obligationCache.set(limits, byText);
    return byText;
  }
  const parsed = obligationLimitsSchema.safeParse(limits);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WardenError(
      'WARDEN_POLICY_ERROR',
      `policy obligation limits.${issue?.path.join('.') ?? ''} is invalid: ${issue?.message ?? 'bad value'}`,
    );
  }
  const spec = parseRate(parsed.data.rate, parsed.data.burst)!;
  const out: ObligationLimit = { spec, per: parsed.data.per, id: `${spec.limit}/${spec.perMs}/${spec.burst}` };
  obligationCache.set(limits, out);
  if (obligationByText.size < 1000) obligationByText.set(text, out);
  return out;
}
