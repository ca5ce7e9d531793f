/**
 * The standard stage list from configuration: identity → task-scope → policy →
 * rate-limit → pii → audit (forward is added by the gateway). Each stage module is
 * imported if present, so the gateway runs while areas are still being built.
 */
import type { WardenConfig } from '../config/schema.ts';
import type { Logger } from '../observability/logger.ts';
import type { CallContext, Stage, ToolRef } from '../pipeline/types.ts';
import type { SideRoute } from '../transport/http-server.ts';
import type { UpstreamAuth } from '../transport/upstream.ts';

export interface StandardStages {
  stages: Stage[];
  /** Routes the stages serve beside /mcp (protected-resource metadata, token exchange, JWKS…). */
  routes: SideRoute[];
  toolVisibility?: (ctx: CallContext, tool: ToolRef) => boolean;
  /** How warden authenticates to upstreams (client credentials, token exchange), when the identity module is present. */
  upstreamAuth?: UpstreamAuth;
  /** Areas that could not be loaded, with why (the caller decides whether that is fatal). */
  missing: Array<{ area: string; reason: string }>;
}

export interface StandardStageOptions {
  logger: Logger;
  /** The gateway's MCP URL (RFC 8707 resource). */
  resource: string;
}

async function optionalImport<T>(specifier: string): Promise<T | Error> {
  try {
    return (await import(specifier)) as T;
  } catch (err) {
    return err as Error;
  }
}

/** Builds every security stage the configuration asks for. */
export async function buildStandardStages(config: Readonly<WardenConfig>, opts: StandardStageOptions): Promise<StandardStages> {
  const { logger, resource } = opts;
  const out: StandardStages = { stages: [], routes: [], missing: [] };
  const miss = (area: string, err: unknown): void => {
    out.missing.push({ area, reason: err instanceof Error ? err.message : String(err) });
  };

  // identity + task scope share the agent registry, authenticator and task-token verifier.
  type IdentityModule = typeof import('../identity/index.ts');
  type IdentityStageModule = typeof import('../stages/identity/index.ts');
  type TaskStageModule = typeof import('../stages/task-scope/index.ts');
  const identity = await optionalImport<IdentityModule>('../identity/index.ts');
  const identityStageMod = await optionalImport<IdentityStageModule>('../stages/identity/index.ts');
  const taskStageMod = await optionalImport<TaskStageModule>('../stages/task-scope/index.ts');
  if (identity instanceof Error) miss('identity', identity);
  else if (identityStageMod instanceof Error) miss('identity', identityStageMod);
  else {
    const agents = identity.loadAgents(config.agentsDir);
    const authenticator = new identity.Authenticator({ config: config.identity, agents });
    const taskTokens = new identity.TaskTokens(config.identity);
    out.stages.push(identityStageMod.identityStage({ config: config.identity, agents, logger, resource, authenticator }));
    if (taskStageMod instanceof Error) miss('task-scope', taskStageMod);
    else out.stages.push(taskStageMod.taskScopeStage({ config: config.identity, logger, resource, taskTokens }));
    out.upstreamAuth = identity.upstreamAuthHeaders;
    out.routes.push(...identity.identityRoutes({ config: config.identity, agents, resource, logger, authenticator, taskTokens }));
  }

  type EngineModule = typeof import('../policy/engine.ts');
  type PolicyStageModule = typeof import('../stages/policy/index.ts');
  const engineMod = await optionalImport<EngineModule>('../policy/engine.ts');
  const policyMod = await optionalImport<PolicyStageModule>('../stages/policy/index.ts');
  let policyVersion: (() => string) | undefined;
  const engine =
    engineMod instanceof Error
      ? engineMod
      : await engineMod.createPolicyEngine({ config: config.policy, logger }).catch((err: NodeJS.ErrnoException) => {
          // A part of the policy toolchain not present yet counts as missing; a bad policy is fatal (fail closed).
          if (err.code === 'ERR_MODULE_NOT_FOUND') return err;
          throw err;
        });
  if (engine instanceof Error) miss('policy', engine);
  else if (policyMod instanceof Error) miss('policy', policyMod);
  else {
    const stage = policyMod.policyStage({ engine });
    out.stages.push(Object.assign(stage, { close: () => engine.close() }));
    out.toolVisibility = (ctx, tool) => stage.toolVisibility(ctx, tool);
    policyVersion = () => engine.version;
  }

  type RateModule = typeof import('../stages/rate-limit/index.ts');
  const rate = await optionalImport<RateModule>('../stages/rate-limit/index.ts');
  if (rate instanceof Error) miss('rate-limit', rate);
  else out.stages.push(rate.rateLimitStage({ config: config.limits, logger }));

  type PiiModule = typeof import('../stages/pii/index.ts');
  const pii = await optionalImport<PiiModule>('../stages/pii/index.ts');
  if (pii instanceof Error) miss('pii', pii);
  else if (config.pii.enabled) out.stages.push(pii.piiStage({ config: config.pii, logger }));

  type AuditModule = typeof import('../stages/audit/index.ts');
  const audit = await optionalImport<AuditModule>('../stages/audit/index.ts');
  if (audit instanceof Error) miss('audit', audit);
  else if (config.audit.enabled) out.stages.push(audit.auditStage({ config: config.audit, logger, ...(policyVersion ? { policyVersion } : {}) }));

  return out;
}
