/**
 * Prometheus metrics: one prom-client Registry and the metric objects stages increment.
 *
 * `observeCall(ctx)` runs once per call (the gateway calls it after the pipeline
 * settles) and only touches precreated label children: no label objects or strings
 * are built per call. Label values that come from outside (methods, upstreams) are
 * capped so a client cannot blow up cardinality.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
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

/**
 * Counts in a plain number and hands the total to prom-client at scrape time:
 * a prom-client child `inc()` costs ~400 ns (it hashes its labels on every call).
 */
class PendingCount implements Child {
  n = 0;
  constructor(readonly target: { inc(n: number): void }) {}
  inc(n = 1): void {
    this.n += n;
  }
  flush(): void {
    if (this.n !== 0) {
      this.target.inc(this.n);
      this.n = 0;
    }
  }
}

/** Creates PendingCounts for one prom-client Counter and flushes them from its `collect`. */
class PendingCounts {
  readonly #all: PendingCount[] = [];
  of(target: { inc(n: number): void }): PendingCount {
    const c = new PendingCount(target);
    this.#all.push(c);
    return c;
  }
  flush(): void {
    for (const c of this.#all) c.flush();
  }
}

/** One labelled series of a FastHistogram. */
class HistogramSeries implements Observer {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length);
  }
  observe(v: number): void {
    const b = this.bounds;
    for (let i = 0; i < b.length; i++) {
      if (v <= b[i]!) {
        this.counts[i]!++;
        break;
      }
    }
    this.sum += v;
    this.count++;
  }
}

interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName: string;
}

/**
 * A Prometheus histogram with one label, registered in a prom-client Registry like any
 * metric. Observing is a bucket search and three additions (prom-client's Histogram
 * costs ~1.3 µs per observe); the text is rendered at scrape time.
 */
export class FastHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #series = new Map<string, HistogramSeries>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelName: string,
    readonly buckets: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** The series for one label value (create once, keep, observe often). */
  labels(value: string): HistogramSeries {
    let s = this.#series.get(value);
    if (!s) {
      s = new HistogramSeries(this.buckets);
      this.#series.set(value, s);
    }
    return s;
  }

  async get(): Promise<{ name: string; help: string; type: 'histogram'; values: MetricValue[]; aggregator: 'sum' }> {
    const values: MetricValue[] = [];
    for (const [label, s] of this.#series) {
      let acc = 0;
      for (let i = 0; i < this.buckets.length; i++) {
        acc += s.counts[i]!;
        values.push({ value: acc, labels: { le: this.buckets[i]!, [this.labelName]: label }, metricName: `${this.name}_bucket` });
      }
      values.push({ value: s.count, labels: { le: '+Inf', [this.labelName]: label }, metricName: `${this.name}_bucket` });
      values.push({ value: s.sum, labels: { [this.labelName]: label }, metricName: `${this.name}_sum` });
      values.push({ value: s.count, labels: { [this.labelName]: label }, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: 'histogram', values, aggregator: 'sum' };
  }

  reset(): void {
    this.#series.clear();
  }
}

export interface WardenMetrics {
  readonly registry: Registry;
  readonly calls: Counter<'method' | 'outcome'>;
  readonly denials: Counter<'code'>;
  readonly stageLatency: FastHistogram;
  readonly callLatency: FastHistogram;
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

  const pending = { calls: new PendingCounts(), denials: new PendingCounts(), scopes: new PendingCounts(), upstream: new PendingCounts() };
  const calls = new Counter({ name: `${p}calls_total`, help: 'Calls through the pipeline, by JSON-RPC method and outcome (allowed, denied, error).', labelNames: ['method', 'outcome'] as const, registers, collect: () => pending.calls.flush() });
  const denials = new Counter({ name: `${p}denials_total`, help: 'Calls refused, by WARDEN_* code.', labelNames: ['code'] as const, registers, collect: () => pending.denials.flush() });
  const stageLatency = new FastHistogram(`${p}stage_duration_seconds`, 'Time spent in each pipeline stage.', 'stage', LATENCY_BUCKETS, registry);
  const callLatency = new FastHistogram(`${p}call_duration_seconds`, 'Time a call spent in the pipeline end to end (all stages, including the upstream round trip).', 'method', LATENCY_BUCKETS, registry);
  const limitRejections = new Counter({ name: `${p}limit_rejections_total`, help: 'Calls refused by a limit, by scope (agent, agent-tool, upstream, task, obligation, quota, concurrency, upstream-concurrency).', labelNames: ['scope'] as const, registers, collect: () => pending.scopes.flush() });
  const piiFindings = new Counter({ name: `${p}pii_findings_total`, help: 'PII and secret findings, by type and direction.', labelNames: ['type', 'direction'] as const, registers });
  const upstreamErrors = new Counter({ name: `${p}upstream_errors_total`, help: 'Upstream failures (unreachable, timeout, bad answer, JSON-RPC error), by upstream and code.', labelNames: ['upstream', 'code'] as const, registers, collect: () => pending.upstream.flush() });
  const limitsStoreUp = new Gauge({ name: `${p}limits_store_up`, help: '1 when the shared limit store (Redis) is reachable, 0 when limits run on local fallback or refuse (fail-closed).', registers });
  const limitsFallbacks = new Counter({ name: `${p}limits_fallback_total`, help: 'Limit decisions taken locally because the shared store was down (fail-open).', registers });

  type ByOutcome = { allowed: Child; denied: Child; error: Child };
  const byMethod = new Children<ByOutcome>((method) => ({
    allowed: pending.calls.of(calls.labels(method, 'allowed')),
    denied: pending.calls.of(calls.labels(method, 'denied')),
    error: pending.calls.of(calls.labels(method, 'error')),
  }));
  const callLatencyBy = new Children<Observer>((method) => callLatency.labels(method));
  const denialBy = new Children<Child>((code) => pending.denials.of(denials.labels(code)));
  const stageBy = new Children<Observer>((stage) => stageLatency.labels(stage));
  const scopeBy = new Children<Child>((scope) => pending.scopes.of(limitRejections.labels(scope)));
  const upstreamBy = new Children<Children<Child>>((upstream) => new Children((code) => pending.upstream.of(upstreamErrors.labels(upstream, code))));
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
