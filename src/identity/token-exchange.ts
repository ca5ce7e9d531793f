/**
 * RFC 8693 token exchange issuing task tokens.
 *
 *   subject_token = the agent's access token  → a task token for that agent
 *   subject_token = a parent task token (+ actor_token = the sub-agent's own token)
 *                 → a task token for the sub-agent, never wider than the parent:
 *                   subset of tools, tighter constraints, earlier expiry, smaller budget.
 *
 * The requested task is one `authorization_details` entry of type `agent_task` (RFC 9396).
 */
import { randomBytes } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import { WardenError, asWardenError, type WardenErrorCode } from '../errors.ts';
import { matchesAnyGlob, type AgentManifest } from './agents.ts';
import type { Authenticator, Identity } from './authenticate.ts';
import type { IdentityConfig } from './config.ts';
import { compileTaskTool, narrowTools } from './task-constraints.ts';
import { agentTaskDetailSchema, AGENT_TASK_TYPE, MAX_DELEGATION_DEPTH, TASK_TOKEN_TYP, type AgentTaskDetail, type TaskTokens, type VerifiedTask } from './task-token.ts';
import type { TaskTool } from '../pipeline/types.ts';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const JWT_TYPE = 'urn:ietf:params:oauth:token-type:jwt';

/** An RFC 6749 §5.2 error, carrying the WARDEN code too. */
export class OAuthError extends Error {
  constructor(
    readonly error: 'invalid_request' | 'invalid_grant' | 'invalid_target' | 'unsupported_grant_type' | 'invalid_client',
    readonly code: WardenErrorCode,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }

  body(): Record<string, string> {
    return { error: this.error, error_description: this.message, warden_code: this.code };
  }
}

export interface TokenExchangeOptions {
  config: IdentityConfig;
  authenticator: Authenticator;
  taskTokens: TaskTokens;
  /** This gateway's resource URL: audience and issuer of task tokens. */
  resource: string;
}

export interface TokenExchangeResponse {
  access_token: string;
  issued_token_type: string;
  token_type: 'N_A';
  expires_in: number;
  authorization_details: Record<string, unknown>[];
}

/** Runs one exchange on already-parsed form parameters. Throws OAuthError. */
export async function exchangeToken(params: Record<string, string | undefined>, opts: TokenExchangeOptions): Promise<TokenExchangeResponse> {
  if (params.grant_type !== TOKEN_EXCHANGE_GRANT) {
    throw new OAuthError('unsupported_grant_type', 'WARDEN_BAD_REQUEST', `grant_type must be ${TOKEN_EXCHANGE_GRANT}`);
  }
  const subject = params.subject_token;
  if (!subject) throw new OAuthError('invalid_request', 'WARDEN_BAD_REQUEST', 'subject_token is required');
  if (params.subject_token_type && params.subject_token_type !== ACCESS_TOKEN_TYPE && params.subject_token_type !== JWT_TYPE) {
    throw new OAuthError('invalid_request', 'WARDEN_BAD_REQUEST', `subject_token_type must be ${ACCESS_TOKEN_TYPE} or ${JWT_TYPE}`);
  }
  if (params.resource && params.resource !== opts.resource) {
    throw new OAuthError('invalid_target', 'WARDEN_TOKEN_AUDIENCE', `task tokens are only issued for resource ${opts.resource}`);
  }
  const requested = parseDetail(params.authorization_details);
  const nowS = Math.floor(Date.now() / 1000);
  try {
    return isTaskToken(subject, opts.resource)
      ? await narrowParent(subject, params.actor_token, requested, nowS, opts)
      : await issueRoot(subject, params.actor_token, requested, nowS, opts);
  } catch (err) {
    throw toOAuthError(err);
  }
}

async function issueRoot(subject: string, actor: string | undefined, req: AgentTaskDetail, nowS: number, opts: TokenExchangeOptions): Promise<TokenExchangeResponse> {
  if (actor) throw new OAuthError('invalid_request', 'WARDEN_BAD_REQUEST', 'actor_token is only used when the subject_token is a parent task token');
  const caller = await opts.authenticator.verifyToken(subject, opts.resource, nowS);
  if (!req.tools?.length) throw new OAuthError('invalid_request', 'WARDEN_BAD_REQUEST', 'authorization_details.tools must name at least one tool');
  const tools = req.tools.map((t): TaskTool => (t.constraints ? { name: t.name, constraints: t.constraints } : { name: t.name }));
  checkManifest(caller, tools, req.kind);
  const cap = nowS + opts.config.task.maxLifetimeS;
  const expiresAt = Math.min(cap, req.exp ?? cap, req.expires_in !== undefined ? nowS + req.expires_in : cap, caller.expiresAt);
  return respond(opts, nowS, {
    agentId: caller.agent.id,
    userSub: caller.user?.sub,
    taskId: req.task_id ?? `t-${randomBytes(6).toString('hex')}`,
    purpose: req.purpose,
    kind: req.kind,
    tools,
    budget: req.budget,
    expiresAt,
    ...(caller.agent.spiffeId ? { cnf: { spiffe_id: caller.agent.spiffeId } } : {}),
  });
}

async function narrowParent(subject: string, actor: string | undefined, req: AgentTaskDetail, nowS: number, opts: TokenExchangeOptions): Promise<TokenExchangeResponse> {
  const parent: VerifiedTask = await opts.taskTokens.verify(subject, opts.resource, nowS);
  if (nowS - opts.config.clockToleranceS >= parent.expiresAt) throw new WardenError('WARDEN_TASK_INVALID', `task ${parent.scope.id} expired`);
  // Without an actor token the holder narrows the task for the same agent.
  const child: Identity | undefined = actor ? await opts.authenticator.verifyToken(actor, opts.resource, nowS) : undefined;
  const agentId = child?.agent.id ?? parent.scope.boundTo;
  const p = parent.scope;
  if (parent.ancestors.length >= MAX_DELEGATION_DEPTH) throw new OAuthError('invalid_request', 'WARDEN_TASK_WIDENING', `task ${p.id} is already ${MAX_DELEGATION_DEPTH} delegations deep`);
  const tools = narrowTools(p.tools, req.tools?.map((t): TaskTool => (t.constraints ? { name: t.name, constraints: t.constraints } : { name: t.name })));
  if (child) checkManifest(child, tools, req.kind ?? p.kind);
  if (req.kind !== undefined && p.kind !== undefined && req.kind !== p.kind) throw widen(`kind ${req.kind} differs from the parent's ${p.kind}`);
  const wantExp = Math.min(req.exp ?? Infinity, req.expires_in !== undefined ? nowS + req.expires_in : Infinity);
  if (wantExp !== Infinity && wantExp > p.expiresAt) throw widen(`expiry ${wantExp} is later than the parent's ${p.expiresAt}`);
  if (p.budget !== undefined && req.budget !== undefined && req.budget > p.budget) throw widen(`budget ${req.budget} exceeds the parent's ${p.budget}`);
  const budget = req.budget ?? p.budget;
  const expiresAt = Math.min(wantExp, p.expiresAt, child?.expiresAt ?? Infinity);
  const parentAct = parent.claims.act as Record<string, unknown> | undefined;
  return respond(opts, nowS, {
    agentId,
    userSub: parent.userSub,
    taskId: req.task_id ?? `${p.id}.${randomBytes(3).toString('hex')}`,
    purpose: req.purpose ?? p.purpose,
    kind: req.kind ?? p.kind,
    tools,
    budget,
    expiresAt,
    parentTaskId: p.id,
    ancestors: [...parent.ancestors, { task_id: p.id, exp: p.expiresAt, ...(p.budget !== undefined ? { budget: p.budget } : {}) }],
    act: { sub: p.boundTo, ...(parentAct ? { act: parentAct } : {}) },
    ...(child?.agent.spiffeId ? { cnf: { spiffe_id: child.agent.spiffeId } } : {}),
  });
}

async function respond(opts: TokenExchangeOptions, nowS: number, issue: Parameters<TaskTokens['issue']>[0]): Promise<TokenExchangeResponse> {
  for (const t of issue.tools) compileTaskTool(t); // rejects unsafe patterns before signing
  const token = await opts.taskTokens.issue(issue, opts.resource);
  if (token.length > opts.config.maxTokenBytes) {
    throw new OAuthError('invalid_request', 'WARDEN_TOKEN_TOO_LARGE', `the task token would be ${token.length} bytes, over the ${opts.config.maxTokenBytes}-byte limit: ask for fewer tools or constraints`);
  }
  const detail: Record<string, unknown> = { type: AGENT_TASK_TYPE, task_id: issue.taskId, tools: issue.tools, exp: issue.expiresAt };
  if (issue.purpose !== undefined) detail.purpose = issue.purpose;
  if (issue.budget !== undefined) detail.budget = issue.budget;
  if (issue.parentTaskId !== undefined) detail.parent_task_id = issue.parentTaskId;
  return { access_token: token, issued_token_type: ACCESS_TOKEN_TYPE, token_type: 'N_A', expires_in: Math.max(0, issue.expiresAt - nowS), authorization_details: [detail] };
}

// The agent's manifest bounds what any task may grant it.
function checkManifest(caller: Identity, tools: readonly TaskTool[], kind: string | undefined): void {
  const manifest = caller.agent.manifest as AgentManifest | undefined;
  if (!manifest) return;
  for (const t of tools) {
    if (!matchesAnyGlob(manifest.tools, t.name)) throw widen(`agent ${manifest.name}'s manifest does not allow tool ${t.name}`);
  }
  if (kind !== undefined && manifest.taskKinds.length && !manifest.taskKinds.includes(kind)) throw widen(`agent ${manifest.name} may not run tasks of kind ${kind}`);
}

function parseDetail(raw: string | undefined): AgentTaskDetail {
  if (!raw) throw new OAuthError('invalid_request', 'WARDEN_BAD_REQUEST', 'authorization_details is required (one entry of type agent_task)');
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new OAuthError('invalid_request', 'WARDEN_BAD_REQUEST', 'authorization_details is not valid JSON');
  }
  const list = Array.isArray(value) ? value : [value];
  if (list.length !== 1) throw new OAuthError('invalid_request', 'WARDEN_BAD_REQUEST', 'authorization_details must hold exactly one agent_task entry');
  const parsed = agentTaskDetailSchema.safeParse(list[0]);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OAuthError('invalid_request', 'WARDEN_BAD_REQUEST', `authorization_details${issue?.path.length ? '.' + issue.path.join('.') : ''}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function isTaskToken(token: string, resource: string): boolean {
  try {
    const header = decodeProtectedHeader(token);
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { authorization_details?: unknown; iss?: unknown };
    // Ours, or an external AS's: either way an at+jwt carrying authorization_details.
    return header.typ === TASK_TOKEN_TYP && Array.isArray(payload.authorization_details) && (payload.iss === new URL(resource).origin || payload.authorization_details.length > 0);
  } catch {
    return false;
  }
}

function widen(reason: string): WardenError {
  return new WardenError('WARDEN_TASK_WIDENING', `requested task is wider than allowed: ${reason}`);
}

function toOAuthError(err: unknown): OAuthError {
  if (err instanceof OAuthError) return err;
  const w = asWardenError(err);
  if (w.code === 'WARDEN_TASK_WIDENING' || w.code === 'WARDEN_TASK_INVALID' && /pattern/.test(w.message)) return new OAuthError('invalid_target', w.code, w.message);
  if (w.code === 'WARDEN_INTERNAL') return new OAuthError('invalid_request', w.code, 'internal error', 500);
  return new OAuthError('invalid_grant', w.code, w.message);
}
