/**
 * The contract between the protocol layer and the security stages.
 *
 * Protocol code (MCP, A2A) builds a CallContext for each call and runs the
 * pipeline; stages read and annotate the context and deny by throwing a
 * WardenError. Stages know nothing about transports.
 */
import type { DecisionRecord } from './decision.ts';

/** The workload (agent) making the call. */
export interface AgentPrincipal {
  /** Stable agent id: manifest name when one matches, else the SPIFFE ID / client id. */
  id: string;
  /** How the identity was established. */
  kind: 'spiffe-jwt' | 'spiffe-x509' | 'oidc' | 'dev' | 'anonymous';
  spiffeId?: string;
  clientId?: string;
  trustDomain?: string;
  /** Manifest data for the agent, when one matched (see agents/). */
  manifest?: AgentManifestRef;
}

/** What the policy needs from an agent manifest. */
export interface AgentManifestRef {
  name: string;
  owner?: string;
  upstreams?: string[];
  tools?: string[];
  taskKinds?: string[];
  limits?: Record<string, unknown>;
}

/** The human (or service) on whose behalf the agent acts (RFC 8693 sub/act). */
export interface UserPrincipal {
  sub: string;
  issuer?: string;
}

/** Facts about the verified credential. */
export interface TokenFacts {
  issuer?: string;
  /** Seconds since `iat`. */
  ageS: number;
  scopes: string[];
  /** Unix seconds. */
  expiresAt?: number;
}

/** A tool allowed inside a task, with optional argument constraints. */
export interface TaskTool {
  name: string;
  /** JSON-Schema-like constraints per argument (see docs/task-scope.md). */
  constraints?: Record<string, unknown>;
}

/** The current task scope from a verified task token. */
export interface TaskScope {
  id: string;
  purpose?: string;
  kind?: string;
  tools: TaskTool[];
  /** Unix seconds. */
  expiresAt: number;
  /** Maximum number of calls, if budgeted. */
  budget?: number;
  /** The agent the token is bound to. */
  boundTo: string;
}

export interface ToolRef {
  /** The name the client used (namespaced `<upstream>__<tool>` when aggregated). */
  name: string;
  /** The name the upstream knows. */
  upstreamName: string;
  upstream: string;
  annotations?: Record<string, unknown>;
}

export interface RequestFacts {
  protocol: 'mcp' | 'a2a';
  /** JSON-RPC method, e.g. tools/call. */
  method: string;
  transport: 'streamable-http' | 'sse' | 'stdio' | 'http';
  ip: string;
  /** Unix milliseconds when the call arrived. */
  time: number;
  /** Lower-cased HTTP headers of the inbound request (empty for stdio). */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The peer certificate for mTLS callers (DER), if any. */
  peerCertificate?: Uint8Array;
  /** The gateway's resource identifier (RFC 8707) for audience checks. */
  resource?: string;
  sessionId?: string;
}

/** The obligations a policy decision can attach. */
export interface Obligations {
  redact?: string[];
  require_approval?: boolean;
  limits?: Record<string, unknown>;
}

/** Everything a stage can see about one call. Stages annotate it as they go. */
export interface CallContext {
  readonly decision: DecisionRecord;
  readonly request: RequestFacts;
  agent?: AgentPrincipal;
  user?: UserPrincipal;
  token?: TokenFacts;
  task?: TaskScope;
  tool?: ToolRef;
  /** Tool arguments (tools/call) or method params; stages may replace them (PII scrub). */
  arguments?: unknown;
  /** The upstream's result; set by forward, possibly rewritten on the way back. */
  result?: unknown;
  /** Set when the upstream answered with a JSON-RPC error. */
  upstreamError?: unknown;
  obligations?: Obligations;
  /**
   * Sends the (possibly rewritten) arguments upstream; set by the protocol layer,
   * called by the forward stage. Resolves with the upstream result, or rejects.
   */
  forward?: (ctx: CallContext) => Promise<unknown>;
  /** Free-form per-stage facts that end up in the audit record (limit state, PII counts…). */
  readonly facts: Record<string, unknown>;
}

/** Result of a stage that can complete synchronously on its fast path. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * One pipeline stage. Deny by throwing a WardenError.
 * Returning a non-promise keeps the call on the synchronous fast path.
 */
export interface Stage {
  readonly name: StageName;
  /** Runs on the way to the upstream, in pipeline order. */
  onRequest?(ctx: CallContext): MaybePromise<void>;
  /** Runs on the way back (only when the upstream answered), in pipeline order: pii, then audit. */
  onResponse?(ctx: CallContext): MaybePromise<void>;
  /** Runs once per call after the outcome is known (answered, denied or failed). */
  onSettled?(ctx: CallContext): MaybePromise<void>;
}

export type StageName = 'identity' | 'task-scope' | 'policy' | 'rate-limit' | 'pii' | 'audit' | 'forward';
