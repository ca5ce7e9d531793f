/**
 * Policy stage: builds the input document, evaluates the Rego decision in Wasm,
 * attaches obligations, and denies with the policy's reason.
 */
import { WardenError } from '../../errors.ts';
import type { CallContext, Stage, ToolRef } from '../../pipeline/types.ts';
import { CallHistory } from '../../policy/history.ts';
import { buildPolicyInput } from '../../policy/input.ts';
import type { PolicyEngine } from '../../policy/engine.ts';

export interface PolicyStageOptions {
  engine: PolicyEngine;
  history?: CallHistory;
}

export interface PolicyStage extends Stage {
  /** Whether `tool` should appear in this caller's tools/list (same decision as a call without arguments). */
  toolVisibility(ctx: CallContext, tool: ToolRef): boolean;
  readonly history: CallHistory;
}

export function policyStage(options: PolicyStageOptions): PolicyStage {
  const { engine } = options;
  const history = options.history ?? new CallHistory();

  return {
    name: 'policy',
    history,
    onRequest(ctx) {
      const input = buildPolicyInput(ctx, () => history.snapshot(ctx.agent?.id, ctx.request.time), engine.inputReads);
      const decision = engine.decide(input);
      ctx.obligations = decision.obligations;
      ctx.facts.policy = { version: engine.version, reason: decision.reason };
      if (!decision.allow) throw new WardenError('WARDEN_POLICY_DENIED', decision.reason, { policyVersion: engine.version });
      if (decision.obligations.require_approval === true) {
        throw new WardenError('WARDEN_APPROVAL_REQUIRED', `${decision.reason}; a human approval is required`, { policyVersion: engine.version });
      }
    },
    onSettled(ctx) {
      // Count calls that reached the upstream: history is what the agent actually did.
      if (ctx.decision.allow && ctx.agent) history.record(ctx.agent.id, ctx.tool?.name, ctx.task?.id, ctx.request.time);
    },
    toolVisibility(ctx, tool) {
      const probe: CallContext = { ...ctx, tool, arguments: undefined, request: { ...ctx.request, method: 'tools/list' } };
      try {
        return engine.decide(buildPolicyInput(probe, () => history.snapshot(ctx.agent?.id, ctx.request.time), engine.inputReads)).allow;
      } catch {
        return false; // fail closed: a tool the policy cannot judge stays hidden
      }
    },
  };
}
