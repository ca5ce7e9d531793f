/**
 * The standard stage list from configuration: identity → task-scope → policy →
 * rate-limit → pii → audit (forward is added by the gateway). Every stage is built
 * or start-up fails: a missing or broken part never leaves a weaker pipeline behind.
 */
import type { WardenConfig } from '../config/schema.ts';
import { WardenError } from '../errors.ts';
import { Authenticator, identityRoutes, loadAgents, TaskTokens, upstreamAuthHeaders, type AgentRegistry } from '../identity/index.ts';
import { redisTaskBudget } from '../limits/task-budget.ts';
import type { Logger } from '../observability/logger.ts';
import type { CallContext, Stage, ToolRef } from '../pipeline/types.ts';
import { createPolicyEngine } from '../policy/engine.ts';
import { auditStage, type AuditStage } from '../stages/audit/index.ts';
import { identityStage } from '../stages/identity/index.ts';
import { piiStage, type PiiStage } from '../stages/pii/index.ts';
import { policyStage } from '../stages/policy/index.ts';
import { rateLimitStage, type RateLimitStage } from '../stages/rate-limit/index.ts';
import { inProcessTaskBudget } from '../stages/task-scope/budget.ts';
import { taskScopeStage } from '../stages/task-scope/index.ts';
import type { SideRoute } from '../transport/http-server.ts';
import type { UpstreamAuth } from '../transport/upstream.ts';

export interface StandardStages {
  stages: Stage[];
  /** Routes the stages serve beside /mcp (protected-resource metadata, token exchange, JWKS…). */
  routes: SideRoute[];
  toolVisibility: (ctx: CallContext, tool: ToolRef) => boolean;
  /** How warden authenticates to upstreams (client credentials, token exchange); never the caller's token. */
  upstreamAuth: UpstreamAuth;
  agents: AgentRegistry;
  rateLimit: RateLimitStage;
  /** Absent when `pii.enabled` is false. */
  pii?: PiiStage;
  /** Absent when `audit.enabled` is false. */
  audit?: AuditStage;
  /** Always empty (a part that cannot be built is a start-up error); kept for callers that still list it. */
  missing: ReadonlyArray<{ area: string; reason: string }>;
}

export interface StandardStageOptions {
  logger: Logger;
  /** The gateway's MCP URL (RFC 8707 resource); a getter when the port is known only after listen. */
  resource: string | (() => string);
}

/** Builds every security stage the configuration asks for; throws WARDEN_CONFIG_INVALID naming the part that cannot be built. */
export async function buildStandardStages(config: Readonly<WardenConfig>, opts: StandardStageOptions): Promise<StandardStages> {
  const { logger } = opts;
  const resourceNow = typeof opts.resource === 'function' ? opts.resource : () => opts.resource as string;
  const built: Stage[] = [];
  const part = async <T>(area: string, build: () => T | Promise<T>): Promise<T> => {
    try {
      return await build();
    } catch (err) {
      // Stages built so far may hold workers or sockets.
      await closeStages(built);
      const reason = err instanceof Error ? err.message : String(err);
      throw new WardenError('WARDEN_CONFIG_INVALID', `cannot start the ${area} stage: ${reason}`, { area }, { cause: err });
    }
  };

  // identity + task scope share the agent registry, authenticator and task-token verifier.
  const agents = await part('identity', () => loadAgents(config.agentsDir));
  const authenticator = await part('identity', () => new Authenticator({ config: config.identity, agents }));
  const taskTokens = await part('task-scope', () => new TaskTokens(config.identity));
  const keepCallerToken = config.upstreams.some((u) => 'url' in u && u.auth.type === 'token_exchange');
  built.push(await part('identity', () => identityStage({ config: config.identity, agents, logger, resource: resourceNow(), authenticator, keepCallerToken })));
  const routes: SideRoute[] = await part('identity', () => identityRoutes({ config: config.identity, agents, resource: resourceNow, logger, authenticator, taskTokens }));

  const engine = await part('policy', () => createPolicyEngine({ config: config.policy, logger }));
  const policy = await part('policy', () => policyStage({ engine }));
  built.push(Object.assign(policy, { close: () => engine.close() }));

  // Task budgets are counted once, by task-scope (it also charges a sub-task's ancestors);
  // with Redis the count is shared by every replica through the rate-limit stage's store.
  const rateLimit = await part('rate-limit', () => rateLimitStage({ config: { ...config.limits, taskBudgets: false }, logger }));
  built.push(rateLimit);
  const budget = rateLimit.store ? redisTaskBudget(rateLimit.store, inProcessTaskBudget()) : inProcessTaskBudget();
  built.push(await part('task-scope', () => taskScopeStage({ config: config.identity, logger, resource: resourceNow(), taskTokens, budget })));

  let pii: PiiStage | undefined;
  if (config.pii.enabled) built.push((pii = await part('pii', () => piiStage({ config: config.pii, logger }))));

  let audit: AuditStage | undefined;
  if (config.audit.enabled) {
    audit = await part('audit', () => auditStage({ config: config.audit, logger, policyVersion: () => engine.version }));
    built.push(audit);
    // A bad signing key or unwritable directory fails start-up, not the first call.
    await part('audit', () => audit!.writer?.ready());
  }

  return {
    stages: built,
    routes,
    toolVisibility: (ctx, tool) => policy.toolVisibility(ctx, tool),
    upstreamAuth: upstreamAuthHeaders,
    agents,
    rateLimit,
    missing: [],
    ...(pii ? { pii } : {}),
    ...(audit ? { audit } : {}),
  };
}

/** Closes stages that hold resources (policy engine, Redis, audit writer), logging none of the failures. */
export async function closeStages(stages: readonly Stage[]): Promise<void> {
  for (const stage of stages) {
    const close = (stage as { close?: () => unknown }).close;
    if (typeof close === 'function') await Promise.resolve(close.call(stage)).catch(() => undefined);
  }
}
