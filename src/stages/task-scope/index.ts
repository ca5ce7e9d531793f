/**
 * The task-scope stage: the call must fit the task the agent is working on.
 * The task comes only from a signed task token in the `x-warden-task` header
 * (never from unsigned headers or `_meta`), bound to the calling agent; tools
 * outside the task, arguments outside its constraints, calls past its budget
 * and calls after its expiry are denied.
 */
import { createHash } from 'node:crypto';
import { WardenError } from '../../errors.ts';
import type { IdentityConfig } from '../../identity/config.ts';
import { TaskTokens, type VerifiedTask } from '../../identity/task-token.ts';
import type { Logger } from '../../observability/logger.ts';
import type { CallContext, MaybePromise, Stage } from '../../pipeline/types.ts';
import { inProcessTaskBudget, type TaskBudget } from './budget.ts';

/** The header carrying the task token. */
export const TASK_HEADER = 'x-warden-task';

export interface TaskScopeStageOptions {
  config: IdentityConfig;
  logger?: Logger;
  /** This gateway's resource URL, used when `ctx.request.resource` is not set. */
  resource?: string;
  /** Share the task token verifier (and its cache) with the token endpoint. */
  taskTokens?: TaskTokens;
  /** Where call counts live (default: in-process); false leaves budgets to the rate-limit stage. */
  budget?: TaskBudget | false;
}

export function taskScopeStage(opts: TaskScopeStageOptions): Stage {
  const { config } = opts;
  const tokens = opts.taskTokens ?? new TaskTokens(config);
  const budget = opts.budget === false ? undefined : (opts.budget ?? inProcessTaskBudget());

  function enforce(ctx: CallContext, task: VerifiedTask, nowS: number): MaybePromise<void> {
    const scope = task.scope;
    const agentId = ctx.agent?.id;
    if (agentId === undefined || scope.boundTo !== agentId) {
      throw new WardenError('WARDEN_TASK_INVALID', `task ${scope.id} is bound to agent ${scope.boundTo}, not ${agentId ?? '(unauthenticated)'}`);
    }
    checkConfirmation(ctx, task);
    if (nowS - config.clockToleranceS >= task.expiresAt) throw new WardenError('WARDEN_TASK_INVALID', `task ${scope.id} expired`);
    ctx.task = scope;
    if (ctx.request.method !== 'tools/call' || !ctx.tool) return;
    const tool = task.tools.get(ctx.tool.name);
    if (!tool) throw new WardenError('WARDEN_TASK_SCOPE', `task ${scope.id} does not allow tool ${ctx.tool.name}`, { taskId: scope.id, tool: ctx.tool.name });
    const violation = tool.check(ctx.arguments);
    if (violation) throw new WardenError('WARDEN_TASK_SCOPE', `task ${scope.id}: ${violation}`, { taskId: scope.id, tool: ctx.tool.name });
    if (budget === undefined) return;
    // A sub-task's calls also spend its ancestors' budgets, so delegation cannot multiply them.
    if (task.ancestors.length) return takeAncestors(budget, ctx, task, 0);
    return takeOwn(budget, ctx, scope);
  }

  return {
    name: 'task-scope',
    onRequest(ctx): MaybePromise<void> {
      const header = ctx.request.headers[TASK_HEADER];
      if (header === undefined || header === '') {
        if (config.task.required && ctx.request.method === 'tools/call') {
          throw new WardenError('WARDEN_TASK_REQUIRED', `a task token is required: send it in the ${TASK_HEADER} header (get one from /oauth/token)`);
        }
        return;
      }
      if (Array.isArray(header)) throw new WardenError('WARDEN_TASK_INVALID', `more than one ${TASK_HEADER} header`);
      const resource = ctx.request.resource ?? opts.resource ?? '';
      if (!resource) throw new WardenError('WARDEN_TASK_INVALID', 'this gateway has no resource URL to check task tokens against');
      const nowS = Math.floor(ctx.request.time / 1000);
      const task = tokens.verify(header, resource, nowS);
      if (task instanceof Promise) return task.then((t) => enforce(ctx, t, nowS));
      return enforce(ctx, task, nowS);
    },
  };
}

function takeOwn(budget: TaskBudget, ctx: CallContext, scope: VerifiedTask['scope']): MaybePromise<void> {
  if (scope.budget === undefined) return;
  const taken = budget.take(scope.id, scope.budget, scope.expiresAt);
  if (taken instanceof Promise) return taken.then((n) => recordBudget(ctx, scope.id, scope.budget!, n));
  recordBudget(ctx, scope.id, scope.budget, taken);
}

function takeAncestors(budget: TaskBudget, ctx: CallContext, task: VerifiedTask, from: number): MaybePromise<void> {
  for (let i = from; i < task.ancestors.length; i++) {
    const a = task.ancestors[i]!;
    if (a.budget === undefined) continue;
    const taken = budget.take(a.task_id, a.budget, a.exp);
    const check = (n: number | false) => {
      if (n === false) throw new WardenError('WARDEN_TASK_BUDGET', `task ${task.scope.id}: parent task ${a.task_id} has used its budget of ${a.budget} calls`, { taskId: a.task_id, budget: a.budget });
    };
    if (taken instanceof Promise) return taken.then((n) => {
      check(n);
      return takeAncestors(budget, ctx, task, i + 1);
    });
    check(taken);
  }
  return takeOwn(budget, ctx, task.scope);
}

function recordBudget(ctx: CallContext, taskId: string, limit: number, taken: number | false): void {
  if (taken === false) throw new WardenError('WARDEN_TASK_BUDGET', `task ${taskId} has used its budget of ${limit} calls`, { taskId, budget: limit });
  ctx.facts['task.callsUsed'] = taken;
}

// RFC 8705 certificate binding: a token with cnf.x5t#S256 is only good over mTLS with that certificate.
function checkConfirmation(ctx: CallContext, task: VerifiedTask): void {
  const cnf = task.claims.cnf as Record<string, unknown> | undefined;
  if (!cnf || typeof cnf !== 'object') return;
  const thumb = cnf['x5t#S256'];
  if (thumb !== undefined) {
    const cert = ctx.request.peerCertificate;
    if (!cert || createHash('sha256').update(cert).digest('base64url') !== thumb) {
      throw new WardenError('WARDEN_TASK_INVALID', `task ${task.scope.id} is bound to a client certificate this connection does not present`);
    }
  }
  const spiffeId = cnf.spiffe_id;
  if (spiffeId !== undefined && ctx.agent?.spiffeId !== spiffeId) {
    throw new WardenError('WARDEN_TASK_INVALID', `task ${task.scope.id} is bound to ${String(spiffeId)}, not ${ctx.agent?.spiffeId ?? 'this caller'}`);
  }
}

