import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newDecisionRecord } from '../../../src/pipeline/decision.ts';
import { createPipeline } from '../../../src/pipeline/pipeline.ts';
import type { CallContext } from '../../../src/pipeline/types.ts';
import { createPolicyEngine, type PolicyEngine } from '../../../src/policy/engine.ts';
import { policyStage } from '../../../src/stages/policy/index.ts';

let engine: PolicyEngine;
beforeAll(async () => {
  engine = await createPolicyEngine({ config: { dir: 'rego', entrypoint: 'warden/decision', hotReload: false } });
});
afterAll(() => engine.close());

function call(tool: string, annotations: Record<string, unknown> = {}): CallContext {
  return {
    decision: newDecisionRecord(),
    request: { protocol: 'mcp', method: 'tools/call', transport: 'streamable-http', ip: '127.0.0.1', time: Date.now(), headers: {} },
    agent: { id: 'reader', kind: 'oidc', manifest: { name: 'reader', tools: ['get_*', 'delete_*'], upstreams: ['*'] } },
    token: { ageS: 5, scopes: [] },
    tool: { name: tool, upstreamName: tool, upstream: 'demo', annotations },
    arguments: {},
    facts: {},
  };
}

describe('policy stage', () => {
  it('denies with WARDEN_POLICY_DENIED, the policy reason and the policy version; the decision record says so', async () => {
    const stage = policyStage({ engine });
    const ctx = call('echo');
    await expect(createPipeline([stage]).run(ctx)).rejects.toMatchObject({ code: 'WARDEN_POLICY_DENIED', message: 'agent reader may not use tool echo', data: { policyVersion: engine.version } });
    expect(ctx.decision).toMatchObject({ allow: false, code: 'WARDEN_POLICY_DENIED' });
  });

  it('allows, attaches obligations and counts the call in the history', async () => {
    const stage = policyStage({ engine });
    const ctx = call('get_customer');
    ctx.forward = async () => ({ content: [] });
    await createPipeline([stage, { name: 'forward', onRequest: async (c) => void (c.result = await c.forward!(c)) }]).run(ctx);
    expect(ctx.obligations).toEqual({ redact: ['EMAIL_ADDRESS', 'PHONE_NUMBER'], require_approval: false });
    expect(stage.history.snapshot('reader').tools).toEqual({ get_customer: 1 });
  });

  it('does not count denied calls in the history', async () => {
    const stage = policyStage({ engine });
    await createPipeline([stage]).run(call('echo')).catch(() => undefined);
    expect(stage.history.snapshot('reader').total).toBe(0);
  });

  it('hides from tools/list what the policy would deny', () => {
    const stage = policyStage({ engine });
    const ctx = call('x');
    const visible = (name: string, annotations = {}) => stage.toolVisibility(ctx, { name, upstreamName: name, upstream: 'demo', annotations });
    expect(visible('get_customer')).toBe(true);
    expect(visible('echo')).toBe(false);
    expect(visible('delete_records', { destructiveHint: true })).toBe(false);
  });
});
