/** Per-call metrics from a settled call context: outcome, denial code, stage latency, PII findings by type. */
import type { WardenMetrics } from '../observability/metrics.ts';
import type { CallContext } from '../pipeline/types.ts';

/** Records one settled call (MCP or A2A) in `metrics`, with the pii stage's findings (`ctx.facts.pii`). */
export function recordCall(metrics: WardenMetrics, ctx: CallContext): void {
  metrics.observeCall(ctx);
  const pii = ctx.facts.pii as { arguments?: Record<string, number>; result?: Record<string, number> } | undefined;
  if (pii === undefined) return;
  if (pii.arguments) for (const type in pii.arguments) metrics.countPii(type, 'request', pii.arguments[type]);
  if (pii.result) for (const type in pii.result) metrics.countPii(type, 'response', pii.result[type]);
}
