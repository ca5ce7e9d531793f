/**
 * Task tokens: JWTs in the style of RFC 9068 (`typ: at+jwt`) carrying one
 * `authorization_details` entry of type `agent_task` (RFC 9396). warden signs
 * them with its task issuer key; tokens from configured external authorization
 * servers are accepted too. `azp` names the agent the task is bound to.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { WardenError } from '../errors.ts';
import type { TaskScope, TaskTool } from '../pipeline/types.ts';
import type { IdentityConfig } from './config.ts';
import { keySetFor } from './jwks.ts';
import { verifyJwt } from './jwt.ts';
import { loadOrCreateSigningKey, type SigningKey } from './keys.ts';
import { compileTaskTool, taskToolSchema, type CompiledTaskTool } from './task-constraints.ts';
import { TokenCache, tokenCacheKey } from './token-cache.ts';

export const TASK_TOKEN_TYP = 'at+jwt';
/** How many times a task may be narrowed for sub-agents, one below the other. */
export const MAX_DELEGATION_DEPTH = 8;
export const AGENT_TASK_TYPE = 'agent_task';

/** One `agent_task` authorization detail as requested or carried in a token. */
export const agentTaskDetailSchema = z.strictObject({
  type: z.literal(AGENT_TASK_TYPE),
  task_id: z.string().min(1).max(128).regex(/^[A-Za-z0-9._:/-]+$/, 'letters, digits and . _ : / - only').optional(),
  purpose: z.string().max(512).optional(),
  kind: z.string().max(128).optional(),
  tools: z.array(taskToolSchema).max(256).optional(),
  budget: z.number().int().positive().optional(),
  /** Absolute expiry (Unix seconds) or lifetime; the earlier wins. */
  exp: z.number().int().positive().optional(),
  expires_in: z.number().int().positive().optional(),
  parent_task_id: z.string().optional(),
  /** The tasks this one was narrowed from, root first: their budgets bound this task's calls too. */
  ancestors: z
    .array(z.strictObject({ task_id: z.string(), budget: z.number().int().positive().optional(), exp: z.number().int().positive() }))
    .max(MAX_DELEGATION_DEPTH)
    .optional(),
});
export type TaskAncestor = NonNullable<AgentTaskDetail['ancestors']>[number];
export type AgentTaskDetail = z.infer<typeof agentTaskDetailSchema>;

/** A verified task token, compiled for per-call checks. Shared: read-only. */
export interface VerifiedTask {
  readonly scope: TaskScope;
  readonly tools: ReadonlyMap<string, CompiledTaskTool>;
  readonly claims: JWTPayload;
  readonly expiresAt: number;
  readonly userSub: string | undefined;
  readonly parentTaskId: string | undefined;
  readonly ancestors: readonly TaskAncestor[];
  /** Length of the token this came from (cache check). */
  readonly tokenLength: number;
}

export interface IssueTaskRequest {
  agentId: string;
  userSub?: string | undefined;
  taskId: string;
  purpose?: string | undefined;
  kind?: string | undefined;
  tools: TaskTool[];
  budget?: number | undefined;
  expiresAt: number;
  parentTaskId?: string | undefined;
  ancestors?: TaskAncestor[] | undefined;
  /** RFC 8693 `act` chain: who delegated (the parent agent). */
  act?: Record<string, unknown> | undefined;
  cnf?: Record<string, unknown> | undefined;
}

/** The `iss` of task tokens warden signs: the gateway's origin (its token endpoint lives there). */
export function taskIssuerFor(resource: string): string {
  return new URL(resource).origin;
}

export class TaskTokens {
  private readonly key: SigningKey;
  private readonly external = new Map<string, JWTVerifyGetKey>();
  private readonly cache: TokenCache<VerifiedTask>;
  private readonly pending = new Map<string, Promise<VerifiedTask>>();

  constructor(private readonly config: IdentityConfig) {
    this.key = loadOrCreateSigningKey(config.task.issuerKeyFile);
    this.cache = new TokenCache(config.tokenCacheSize);
    const allowedHosts = [...config.jwksAllowedHosts, ...config.task.trustedIssuers.flatMap((i) => safeHost(i.issuer))];
    for (const t of config.task.trustedIssuers) {
      this.external.set(t.issuer, keySetFor(t, { allowedHosts, cooldownMs: config.jwksCooldownS * 1000, label: `task issuer ${t.issuer}` }));
    }
  }

  /** The task issuer's public key, for the JWKS document. */
  get publicJwk(): SigningKey['publicJwk'] {
    return this.key.publicJwk;
  }

  /** Signs a task token for `resource`. */
  async issue(req: IssueTaskRequest, resource: string): Promise<string> {
    const detail: Record<string, unknown> = { type: AGENT_TASK_TYPE, task_id: req.taskId, tools: req.tools };
    if (req.purpose !== undefined) detail.purpose = req.purpose;
    if (req.kind !== undefined) detail.kind = req.kind;
    if (req.budget !== undefined) detail.budget = req.budget;
    if (req.parentTaskId !== undefined) detail.parent_task_id = req.parentTaskId;
    if (req.ancestors?.length) detail.ancestors = req.ancestors;
    const claims: JWTPayload = { authorization_details: [detail], azp: req.agentId, client_id: req.agentId };
    if (req.act) claims.act = req.act;
    if (req.cnf) claims.cnf = req.cnf;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: this.key.alg, kid: this.key.kid, typ: TASK_TOKEN_TYP })
      .setIssuer(taskIssuerFor(resource))
      .setAudience(resource)
      .setSubject(req.userSub ?? req.agentId)
      .setIssuedAt()
      .setExpirationTime(req.expiresAt)
      .setJti(randomUUID())
      .sign(this.key.privateKey);
  }

  /** Verifies a task token; synchronous on a cache hit. Every failure is WARDEN_TASK_INVALID. */
  verify(token: string, resource: string, nowS: number): VerifiedTask | Promise<VerifiedTask> {
    if (token.length > this.config.maxTokenBytes) throw new WardenError('WARDEN_TASK_INVALID', `task token is ${token.length} bytes; the limit is ${this.config.maxTokenBytes}`);
    const hit = this.cache.get(tokenCacheKey(token), nowS);
    if (hit !== undefined && hit.tokenLength === token.length && audienceHas(hit.claims.aud, resource)) return hit;
    let inflight = this.pending.get(token);
    if (inflight === undefined) {
      inflight = this.verifyUncached(token, resource).finally(() => this.pending.delete(token));
      this.pending.set(token, inflight);
    }
    return inflight;
  }

  private async verifyUncached(token: string, resource: string): Promise<VerifiedTask> {
    const own = taskIssuerFor(resource);
    let iss: unknown;
    try {
      iss = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')).iss;
    } catch {
      throw new WardenError('WARDEN_TASK_INVALID', 'task token is not a well-formed JWT');
    }
    const keys = iss === own ? this.key.publicKey : typeof iss === 'string' ? this.external.get(iss) : undefined;
    if (!keys) throw new WardenError('WARDEN_TASK_INVALID', `task token issuer ${String(iss)} is not trusted`);
    const { payload } = await verifyJwt(token, {
      keys,
      issuer: iss as string,
      audiences: [resource],
      algorithms: this.config.algorithms,
      // A task token lives at most maxLifetimeS; its own exp is the real limit.
      maxTokenAgeS: this.config.task.maxLifetimeS + this.config.clockToleranceS,
      clockToleranceS: this.config.clockToleranceS,
      typ: TASK_TOKEN_TYP,
      label: 'task token',
      invalidCode: 'WARDEN_TASK_INVALID',
    });
    const verified = compileVerifiedTask(payload, token.length);
    this.cache.set(tokenCacheKey(token), verified);
    return verified;
  }
}

/** Reads the agent_task detail out of verified claims and compiles its tools. */
export function compileVerifiedTask(payload: JWTPayload, tokenLength = 0): VerifiedTask {
  const details = payload.authorization_details;
  const entries = Array.isArray(details) ? details.filter((d) => (d as { type?: unknown })?.type === AGENT_TASK_TYPE) : [];
  if (entries.length !== 1) throw new WardenError('WARDEN_TASK_INVALID', 'task token must carry exactly one agent_task authorization detail');
  const parsed = agentTaskDetailSchema.safeParse(entries[0]);
  if (!parsed.success) throw new WardenError('WARDEN_TASK_INVALID', `task token's agent_task detail is malformed: ${parsed.error.issues[0]?.message}`);
  const d = parsed.data;
  const taskId = d.task_id;
  if (!taskId) throw new WardenError('WARDEN_TASK_INVALID', "task token's agent_task detail has no task_id");
  const boundTo = typeof payload.azp === 'string' ? payload.azp : typeof payload.client_id === 'string' ? payload.client_id : undefined;
  if (!boundTo) throw new WardenError('WARDEN_TASK_INVALID', `task ${d.task_id}: token names no agent (azp)`);
  const tools: TaskTool[] = (d.tools ?? []).map((t) => (t.constraints ? { name: t.name, constraints: t.constraints } : { name: t.name }));
  const compiled = new Map<string, CompiledTaskTool>();
  for (const t of tools) compiled.set(t.name, compileTaskTool(t));
  const expiresAt = payload.exp!;
  const scope: TaskScope = {
    id: taskId,
    tools,
    expiresAt,
    boundTo,
    ...(d.purpose !== undefined ? { purpose: d.purpose } : {}),
    ...(d.kind !== undefined ? { kind: d.kind } : {}),
    ...(d.budget !== undefined ? { budget: d.budget } : {}),
  };
  const sub = typeof payload.sub === 'string' ? payload.sub : undefined;
  return Object.freeze({
    scope: Object.freeze(scope),
    tools: compiled,
    claims: payload,
    expiresAt,
    userSub: sub !== undefined && sub !== boundTo ? sub : undefined,
    parentTaskId: d.parent_task_id,
    ancestors: d.ancestors ?? [],
    tokenLength,
  });
}

function audienceHas(aud: JWTPayload['aud'], resource: string): boolean {
  return aud === resource || (Array.isArray(aud) && aud.includes(resource));
}

function safeHost(url: string): string[] {
  try {
    return [new URL(url).host];
  } catch {
    return [];
  }
}
