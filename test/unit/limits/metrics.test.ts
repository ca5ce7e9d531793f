import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/observability/metrics.ts';
import type { CallContext } from '../../../src/pipeline/types.ts';
import { callContext } from '../../helpers/call-context.ts';

function settled(outcome: { allow: boolean; code?: string; method?: string; stagesUs?: Array<[string, number]>; upstreamError?: unknown }): CallContext {
  const ctx = callContext({ agent: 'a', method: outcome.method ?? 'tools/call', upstream: 'files' });
  ctx.decision.allow = outcome.allow;
  if (outcome.code) ctx.decision.code = outcome.code;
  for (const [stage, us] of outcome.stagesUs ?? []) ctx.decision.stages.push({ stage: stage as 'policy', outcome: 'pass', us });
  if (outcome.upstreamError !== undefined) ctx.upstreamError = outcome.upstreamError;
  return ctx;
}

describe('metrics', () => {
  it('counts calls by method and outcome, and denials by code', async () => {
    const m = createMetrics();
    m.observeCall(settled({ allow: true }));
    m.observeCall(settled({ allow: true }));
    m.observeCall(settled({ allow: false, code: 'WARDEN_RATE_LIMITED' }));
    m.observeCall(settled({ allow: false, code: 'WARDEN_UPSTREAM_TIMEOUT' }));
    m.observeCall(settled({ allow: true, method: 'tools/list' }));
    const text = await m.registry.metrics();
    expect(text).toContain('warden_calls_total{method="tools/call",outcome="allowed"} 2');
    expect(text).toContain('warden_calls_total{method="tools/call",outcome="denied"} 1');
    expect(text).toContain('warden_calls_total{method="tools/call",outcome="error"} 1');
    expect(text).toContain('warden_calls_total{method="tools/list",outcome="allowed"} 1');
    expect(text).toContain('warden_denials_total{code="WARDEN_RATE_LIMITED"} 1');
    expect(text).toContain('warden_upstream_errors_total{upstream="files",code="WARDEN_UPSTREAM_TIMEOUT"} 1');
    // Counts keep accumulating across scrapes.
    m.observeCall(settled({ allow: true }));
    expect(await m.registry.metrics()).toContain('warden_calls_total{method="tools/call",outcome="allowed"} 3');
  });

  it('records per-stage and end-to-end latency histograms from the decision record', async () => {
    const m = createMetrics();
    m.observeCall(settled({ allow: true, stagesUs: [['policy', 10], ['forward', 3000]] }));
    m.observeCall(settled({ allow: true, stagesUs: [['policy', 300], ['forward', 1000]] }));
    const text = await m.registry.metrics();
    expect(text).toContain('# TYPE warden_stage_duration_seconds histogram');
    expect(text).toContain('warden_stage_duration_seconds_bucket{le="0.00002",stage="policy"} 1');
    expect(text).toContain('warden_stage_duration_seconds_bucket{le="0.0005",stage="policy"} 2');
    expect(text).toContain('warden_stage_duration_seconds_bucket{le="+Inf",stage="policy"} 2');
    expect(text).toContain('warden_stage_duration_seconds_count{stage="forward"} 2');
    expect(text).toMatch(/warden_stage_duration_seconds_sum\{stage="forward"\} 0\.004\b/);
    expect(text).toContain('warden_call_duration_seconds_bucket{le="0.001",method="tools/call"} 0');
    expect(text).toContain('warden_call_duration_seconds_bucket{le="0.005",method="tools/call"} 2');
  });

  it('caps label values a client controls, so odd methods cannot explode cardinality', async () => {
    const m = createMetrics();
    for (let i = 0; i < 500; i++) m.observeCall(settled({ allow: false, code: 'WARDEN_BAD_REQUEST', method: `junk/${i}` }));
    const text = await m.registry.metrics();
    const series = text.split('\n').filter((l) => l.startsWith('warden_calls_total{'));
    expect(series.length).toBeLessThanOrEqual(3 * 65);
    expect(text).toMatch(/warden_calls_total\{method="other",outcome="denied"\} 43\d/);
  });

  it('counts limit rejections by scope and PII findings by type', async () => {
    const m = createMetrics();
    m.rejectLimit('quota');
    m.rejectLimit('quota');
    m.countPii('email', 'response', 3);
    const text = await m.registry.metrics();
    expect(text).toContain('warden_limit_rejections_total{scope="quota"} 2');
    expect(text).toContain('warden_pii_findings_total{type="email",direction="response"} 3');
  });

  it('serves GET /metrics in the Prometheus text format', async () => {
    const m = createMetrics({ collectDefault: true });
    m.observeCall(settled({ allow: true }));
    const server = createServer((req, res) => void m.handler(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const body = await res.text();
      expect(body).toContain('warden_calls_total{method="tools/call",outcome="allowed"} 1');
      expect(body).toContain('warden_process_cpu_seconds_total');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
