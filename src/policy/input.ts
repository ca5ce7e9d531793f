/**
 * The policy input document (version 1), built once per call without copying
 * what the call context already holds. Schema: docs/policy-input.schema.json.
 */
import type { InputReads } from '../compiler/input-reads.ts';
import type { CallContext } from '../pipeline/types.ts';
import type { HistorySnapshot } from './history.ts';

export const POLICY_INPUT_VERSION = 1;

export interface PolicyInput {
  version: 1;
  agent?: {
    id: string;
    kind: string;
    spiffe_id?: string;
    client_id?: string;
    trust_domain?: string;
    manifest?: unknown;
  };
  user?: { sub: string; issuer?: string };
  task?: { id: string; purpose?: string; kind?: string; tools: unknown[]; expires_at: number; budget?: number };
  tool?: { name: string; upstream: string; upstream_name: string; annotations: Record<string, unknown> };
  arguments?: unknown;
  request: { protocol: string; method: string; transport: string; ip: string; time: string; session_id?: string };
  token?: { issuer?: string; age_s: number; scopes: string[] };
  history: HistorySnapshot;
}

const EMPTY_ANNOTATIONS: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/**
 * Builds the input document for one call. References, never clones, the context's values.
 * With `reads` (what the policy can read, see src/compiler/input-reads.ts), top-level members
 * the policy never reads are not built at all; the engine trims the rest.
 */
export function buildPolicyInput(ctx: CallContext, history: HistorySnapshot | (() => HistorySnapshot), reads: InputReads = 'all'): PolicyInput {
  const { agent, user, task, tool, token, request } = ctx;
  const all = reads === 'all';
  const input = { version: 1 } as PolicyInput;
  if (all || reads.request !== undefined) {
    input.request = {
      protocol: request.protocol,
      method: request.method,
      transport: request.transport,
      ip: request.ip,
      time: new Date(request.time).toISOString(),
      ...(request.sessionId ? { session_id: request.sessionId } : {}),
    };
  }
  if (all || reads.history !== undefined) input.history = typeof history === 'function' ? history() : history;
  if (agent && (all || reads.agent !== undefined)) {
    input.agent = {
      id: agent.id,
      kind: agent.kind,
      ...(agent.spiffeId ? { spiffe_id: agent.spiffeId } : {}),
      ...(agent.clientId ? { client_id: agent.clientId } : {}),
      ...(agent.trustDomain ? { trust_domain: agent.trustDomain } : {}),
      ...(agent.manifest ? { manifest: agent.manifest } : {}),
    };
  }
  if (user) input.user = user;
  if (task && (all || reads.task !== undefined)) {
    input.task = {
      id: task.id,
      tools: task.tools,
      expires_at: task.expiresAt,
      ...(task.purpose !== undefined ? { purpose: task.purpose } : {}),
      ...(task.kind !== undefined ? { kind: task.kind } : {}),
      ...(task.budget !== undefined ? { budget: task.budget } : {}),
    };
  }
  if (tool && (all || reads.tool !== undefined)) {
    input.tool = { name: tool.name, upstream: tool.upstream, upstream_name: tool.upstreamName, annotations: tool.annotations ?? EMPTY_ANNOTATIONS };
  }
  if (ctx.arguments !== undefined && (all || reads.arguments !== undefined)) input.arguments = ctx.arguments;
  if (token && (all || reads.token !== undefined)) input.token = { age_s: token.ageS, scopes: token.scopes, ...(token.issuer ? { issuer: token.issuer } : {}) };
  return input;
}
