/** Builds CallContexts for limit tests: an agent (with optional manifest limits) calling a tool. */
import { newDecisionRecord } from '../../src/pipeline/decision.ts';
import type { CallContext, TaskScope } from '../../src/pipeline/types.ts';

export interface CallSpec {
  agent?: string;
  limits?: Record<string, unknown>;
  tool?: string;
  upstream?: string;
  sessionId?: string;
  task?: Partial<TaskScope> & { id: string };
  obligationLimits?: Record<string, unknown>;
  method?: string;
}

/** One call's context, as the protocol layer and identity stage would leave it. */
export function callContext(spec: CallSpec = {}): CallContext {
  const ctx: CallContext = {
    decision: newDecisionRecord(),
    request: {
      protocol: 'mcp',
      method: spec.method ?? 'tools/call',
      transport: 'streamable-http',
      ip: '127.0.0.1',
      time: Date.now(),
      headers: {},
      sessionId: spec.sessionId ?? 'session-1',
    },
    facts: {},
  };
  if (spec.agent) {
    ctx.agent = { id: spec.agent, kind: 'dev' };
    if (spec.limits) ctx.agent.manifest = { name: spec.agent, limits: spec.limits };
  }
  const tool = spec.tool ?? 'echo';
  const upstream = spec.upstream ?? 'everything';
  ctx.tool = { name: `${upstream}__${tool}`, upstreamName: tool, upstream };
  if (spec.task) {
    ctx.task = { tools: [], expiresAt: Math.floor(Date.now() / 1000) + 3600, boundTo: spec.agent ?? 'x', ...spec.task };
  }
  if (spec.obligationLimits) ctx.obligations = { limits: spec.obligationLimits };
  return ctx;
}
