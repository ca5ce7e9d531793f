/**
 * Prometheus metrics: one prom-client Registry and the metric objects stages increment.
 *
 * `observeCall(ctx)` runs once per call (the gateway calls it after the pipeline
 * settles) and only touches precreated label children: no label objects or strings
 * are built per call. Label values that come from outside (methods, upstreams) are
 * capped so a client cannot blow up cardinality.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CallContext } from '../pipeline/types.ts';

/** Distinct values a client-influenced label may take before the rest report as `other`. */
const MAX_LABEL_VALUES = 64;

/** Latency buckets in seconds: 5 µs … 10 s (stages are fast; upstream calls are not). */
const LATENCY_BUCKETS = [0.000005, 0.00002, 0.0001, 0.0005, 0.001, 0.005, 0.02, 0.1, 0.5, 1, 2.5, 10];

interface Child {
  inc(n?: number): void;
}
interface Observer {
  observe(v: number): void;
}

/** A small cache of label children keyed by one label value, bounded in size. */
class Children<T> {
  readonly #map = new Map<string, T>();
  constructor(private readonly make: (value: string) => T) {}
  get(value: string): T {
    let c = this.#map.get(value);
    if (c) return c;
    if (this.#map.size >= MAX_LABEL_VALUES) value = 'other';
    c = this.#map.get(value) ?? this.make(value);
    this.#map.set(value, c);
    return c;
  }
}

export interface WardenMetrics {
  readonly registry: Registry;
  readonly calls: Counter<'method' | 'outcome'>;
  readonly denials: Counter<'code'>;
  readonly stageLatency: Histogram<'stage'>;
  readonly callLatency: Histogram<'method'>;
  readonly limitRejections: Counter<'scope'>;
  readonly piiFindings: Counter<'type' | 'direction'>;
  readonly upstreamErrors: Counter<'upstream' | 'code'>;
  readonly limitsStoreUp: Gauge;
  readonly limitsFallbacks: Counter;
  /** Records one settled call: outcome, denial code, per-stage and end-to-end latency, upstream errors. */
  observeCall(ctx: CallContext): void;
  /** Counts one limit rejection (called by the rate-limit stage). */
  rejectLimit(scope: string): void;
  /** Counts PII findings of one type (called by the pii stage). */
  countPii(type: string, direction: 'request' | 'response', n?: number): void;
  /** `GET /metrics` in the Prometheus text format. */
  handler(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export interface MetricsOptions {
  /** Defaults to a new Registry. */
  registry?: Registry;
  /** Also collect process metrics (CPU, memory, event loop lag). */
  collectDefault?: boolean;
  prefix?: string;
}

/** A set of warden metrics in its own registry. */
export function createMetrics(opts: MetricsOptions = {}): WardenMetrics {
  const registry = opts.registry ?? new Registry();
  const p = opts.prefix ?? 'warden_';
  if (opts.collectDefault) collectDefaultMetrics({ register: registry, prefix: p });
  const registers = [registry];

  const calls = new Counter({ name: `${p}calls_total`, help: 'Calls through the pipeline, by JSON-RPC method and outcome (allowed, denied, error).', labelNames: ['method', 'outcome'] as const, registers });
  const denials = new Counter({ name: `${p}denials_total`, help: 'Calls refused, by WARDEN_* code.', labelNames: ['code'] as const, registers });
  const stageLatency = new Histogram({ name: `${p}stage_duration_seconds`, help: 'Time spent in each pipeline stage.', labelNames: ['stage'] as const, buckets: LATENCY_BUCKETS, registers });
  const callLatency = new Histogram({ name: `${p}call_duration_seconds`, help: 'Time a call spent in the pipeline end to end (all stages, including the upstream round trip).', labelNames: ['method'] as const, buckets: LATENCY_BUCKETS, registers });
  const limitRejections = new Counter({ name: `${p}limit_rejections_total`, help: 'Calls refused by a limit, by scope (agent, agent-tool, upstream, task, obligation, quota, concurrency, upstream-concurrency).', labelNames: ['scope'] as const, registers });
  const piiFindings = new Counter({ name: `${p}pii_findings_total`, help: 'PII and secret findings, by type and direction.', labelNames: ['type', 'direction'] as const, registers });
  const upstreamErrors = new Counter({ name: `${p}upstream_errors_total`, help: 'Upstream failures (unreachable, timeout, bad answer, JSON-RPC error), by upstream and code.', labelNames: ['upstream', 'code'] as const, registers });
  const limitsStoreUp = new Gauge({ name: `${p}limits_store_up`, help: '1 when the shared limit store (Redis) is reachable, 0 when limits run on local fallback or refuse (fail-closed).', registers });
  const limitsFallbacks = new Counter({ name: `${p}limits_fallback_total`, help: 'Limit decisions taken locally because the shared store was down (fail-open).', registers });

  type ByOutcome = { allowed: Child; denied: Child; error: Child };
  const byMethod = new Children<ByOutcome>((method) => ({
    allowed: calls.labels(method, 'allowed'),
    denied: calls.labels(method, 'denied'),
    error: calls.labels(method, 'error'),
  }));
  const callLatencyBy = new Children<Observer>((method) => callLatency.labels(method));
  const denialBy = new Children<Child>((code) => denials.labels(code));
  const stageBy = new Children<Observer>((stage) => stageLatency.labels(stage));
  const scopeBy = new Children<Child>((scope) => limitRejections.labels(scope));
  const upstreamBy = new Children<Children<Child>>((upstream) => new Children((code) => upstreamErrors.labels(upstream, code)));
  const piiBy = new Children<{ request: Child; response: Child }>((type) => ({
    request: piiFindings.labels(type, 'request'),
    response: piiFindings.labels(type, 'response'),
  }));

  function observeCall(ctx: CallContext): void {
    const record = ctx.decision;
    const method = ctx.request.method;
    const code = record.code;
    const failed = code === 'WARDEN_INTERNAL' || (code !== undefined && code.startsWith('WARDEN_UPSTREAM_'));
    const m = byMethod.get(method);
    if (record.allow) m.allowed.inc();
    else if (failed) m.error.inc();
    else m.denied.inc();
    if (code !== undefined) denialBy.get(code).inc();

    let totalUs = 0;
    const stages = record.stages;
    for (let i = 0; i < stages.length; i++) {
      const s = stages[i]!;
      if (s.us !== undefined) {
        totalUs += s.us;
        stageBy.get(s.stage).observe(s.us / 1e6);
      }
    }
    callLatencyBy.get(method).observe(totalUs / 1e6);

    if (ctx.upstreamError !== undefined || (code !== undefined && code.startsWith('WARDEN_UPSTREAM_'))) {
      upstreamBy.get(ctx.tool?.upstream ?? 'unknown').get(code ?? 'jsonrpc-error').inc();
    }
  }

  return {
    registry,
    calls,
    denials,
    stageLatency,
    callLatency,
    limitRejections,
    piiFindings,
    upstreamErrors,
    limitsStoreUp,
    limitsFallbacks,
    observeCall,
    rejectLimit: (scope) => scopeBy.get(scope).inc(),
    countPii: (type, direction, n = 1) => piiBy.get(type)[direction].inc(n),
    async handler(_req, res) {
      try {
        const body = await registry.metrics();
        res.statusCode = 200;
        res.setHeader('Content-Type', registry.contentType);
        res.end(body);
      } catch (err) {
        res.statusCode = 500;
        res.setHeader('Content-Type', 'text/plain');
        res.end(`metrics collection failed: ${err instanceof Error ? err.message : String(err)}\n`);
      }
    },
  };
}

/** The process-wide metrics (with process metrics); what `GET /metrics` serves. */
export const metrics: WardenMetrics = createMetrics({ collectDefault: true });

/** Records one settled call in the process-wide metrics. */
export function observeCall(ctx: CallContext): void {
  metrics.observeCall(ctx);
}

/** `GET /metrics` handler for the process-wide registry (works as an express handler). */
export function metricsHandler(req: IncomingMessage, res: ServerResponse): Promise<void> {
  return metrics.handler(req, res);
}
