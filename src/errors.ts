/**
 * The one catalogue of warden's error codes.
 *
 * Every rejection warden makes carries one of these codes. The code is stable
 * (clients and dashboards key on it); the message is for humans and may change.
 * `docs/errors.md` documents each code and a test keeps the two in step.
 */

/** JSON-RPC error codes used on the wire (MCP and A2A both speak JSON-RPC 2.0). */
export const JSONRPC = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  /** Implementation-defined server errors live in -32000..-32099. */
  SERVER_ERROR: -32000,
} as const;

interface CodeSpec {
  /** HTTP status when the error ends an HTTP exchange. */
  readonly http: number;
  /** JSON-RPC error code when the error answers a JSON-RPC request. */
  readonly rpc: number;
  /** One line for the docs table. */
  readonly summary: string;
}

export const ERROR_CODES = {
  // request shape
  WARDEN_BAD_REQUEST: { http: 400, rpc: JSONRPC.INVALID_REQUEST, summary: 'The request is not valid JSON-RPC / HTTP for this endpoint.' },
  WARDEN_PARSE_ERROR: { http: 400, rpc: JSONRPC.PARSE_ERROR, summary: 'The request body is not valid JSON.' },
  WARDEN_BODY_TOO_LARGE: { http: 413, rpc: JSONRPC.INVALID_REQUEST, summary: 'The request body exceeds the configured size limit.' },
  WARDEN_BATCH_REJECTED: { http: 400, rpc: JSONRPC.INVALID_REQUEST, summary: 'JSON-RPC batches are not allowed in the negotiated protocol version.' },
  WARDEN_UNSUPPORTED_PROTOCOL_VERSION: { http: 400, rpc: JSONRPC.INVALID_REQUEST, summary: 'The MCP-Protocol-Version header names a version warden does not speak.' },
  WARDEN_ORIGIN_REJECTED: { http: 403, rpc: JSONRPC.INVALID_REQUEST, summary: 'Origin or Host header not allowed (DNS-rebinding protection).' },
  WARDEN_NOT_ACCEPTABLE: { http: 406, rpc: JSONRPC.INVALID_REQUEST, summary: 'The Accept header does not allow the response types MCP requires.' },
  WARDEN_METHOD_NOT_ALLOWED: { http: 405, rpc: JSONRPC.INVALID_REQUEST, summary: 'HTTP method not supported on this endpoint.' },
  WARDEN_SESSION_REQUIRED: { http: 400, rpc: JSONRPC.INVALID_REQUEST, summary: 'A request other than initialize arrived without Mcp-Session-Id.' },
  WARDEN_SESSION_NOT_FOUND: { http: 404, rpc: JSONRPC.INVALID_REQUEST, summary: 'The Mcp-Session-Id is unknown or expired; start a new session.' },
  WARDEN_SESSION_FORBIDDEN: { http: 403, rpc: JSONRPC.INVALID_REQUEST, summary: 'The MCP session or A2A task belongs to another identity.' },
  WARDEN_UNKNOWN_TOOL: { http: 200, rpc: JSONRPC.INVALID_PARAMS, summary: 'The tool name does not resolve to any upstream tool.' },
  WARDEN_UNKNOWN_UPSTREAM: { http: 404, rpc: JSONRPC.INVALID_REQUEST, summary: 'No upstream with that name is configured.' },

  // identity
  WARDEN_UNAUTHENTICATED: { http: 401, rpc: -32001, summary: 'No credential was presented and anonymous access is not allowed.' },
  WARDEN_TOKEN_INVALID: { http: 401, rpc: -32001, summary: 'The token is malformed, badly signed, or uses a disallowed algorithm.' },
  WARDEN_TOKEN_EXPIRED: { http: 401, rpc: -32001, summary: 'The token is expired or not yet valid.' },
  WARDEN_TOKEN_STALE: { http: 401, rpc: -32001, summary: 'The token is older than the configured maximum token age.' },
  WARDEN_TOKEN_AUDIENCE: { http: 401, rpc: -32001, summary: 'The token audience is not this gateway (RFC 8707 resource).' },
  WARDEN_TOKEN_ISSUER: { http: 401, rpc: -32001, summary: 'The token issuer is not trusted.' },
  WARDEN_TOKEN_TOO_LARGE: { http: 401, rpc: -32001, summary: 'The token exceeds the maximum accepted size.' },
  WARDEN_SPIFFE_UNTRUSTED: { http: 401, rpc: -32001, summary: 'The SPIFFE ID or certificate is not from an allowed trust domain.' },
  WARDEN_INSUFFICIENT_SCOPE: { http: 403, rpc: -32003, summary: 'The token lacks a scope required for this tool.' },
  WARDEN_UNKNOWN_AGENT: { http: 403, rpc: -32003, summary: 'The caller is authenticated but no agent manifest matches it.' },

  // task scope
  WARDEN_TASK_REQUIRED: { http: 403, rpc: -32003, summary: 'The policy requires a task token and none was presented.' },
  WARDEN_TASK_INVALID: { http: 403, rpc: -32003, summary: 'The task token is invalid, expired, or bound to another agent.' },
  WARDEN_TASK_SCOPE: { http: 403, rpc: -32003, summary: 'The call is outside the current task scope (tool or argument constraint).' },
  WARDEN_TASK_WIDENING: { http: 400, rpc: JSONRPC.INVALID_PARAMS, summary: 'A token exchange asked for a wider task than the subject token grants.' },
  WARDEN_TASK_BUDGET: { http: 429, rpc: -32004, summary: 'The task call budget is used up.' },

  // policy
  WARDEN_POLICY_DENIED: { http: 403, rpc: -32003, summary: 'The Rego policy denied the call; the reason comes from the policy.' },
  WARDEN_POLICY_ERROR: { http: 500, rpc: -32003, summary: 'The policy failed to evaluate; warden fails closed and denies.' },
  WARDEN_APPROVAL_REQUIRED: { http: 403, rpc: -32003, summary: 'The policy requires a human approval before this call may proceed.' },

  // limits
  WARDEN_RATE_LIMITED: { http: 429, rpc: -32004, summary: 'A rate, burst or concurrency limit was hit; `data.retryAfterMs` says when to retry.' },
  WARDEN_QUOTA_EXCEEDED: { http: 429, rpc: -32004, summary: 'A daily quota is used up; `data.retryAfterMs` says when it resets.' },
  WARDEN_OVERLOADED: { http: 503, rpc: -32005, summary: 'The upstream is saturated and warden is shedding load.' },
  WARDEN_LIMITS_UNAVAILABLE: { http: 503, rpc: -32005, summary: 'The shared limit store (Redis) is unreachable and limits are configured fail-closed.' },

  // pii
  WARDEN_PII_BLOCKED: { http: 403, rpc: -32003, summary: 'The arguments or result contain data whose configured action is block.' },
  WARDEN_PII_DETOKENIZE_DENIED: { http: 403, rpc: -32003, summary: 'The caller may not reverse PII tokens (its agent manifest does not allow detokenize).' },

  // a2a
  WARDEN_PUSH_NOT_ALLOWED: { http: 403, rpc: -32003, summary: 'An A2A push-notification config was refused: the agent would call back a URL warden cannot see.' },

  // upstream
  WARDEN_UPSTREAM_UNAVAILABLE: { http: 502, rpc: -32002, summary: 'The upstream could not be reached or its process is not running.' },
  WARDEN_UPSTREAM_TIMEOUT: { http: 504, rpc: -32002, summary: 'The upstream did not answer within the configured timeout.' },
  WARDEN_UPSTREAM_ERROR: { http: 502, rpc: -32002, summary: 'The upstream answered with something that is not valid MCP / A2A.' },

  // gateway internals and configuration
  WARDEN_CONFIG_INVALID: { http: 500, rpc: JSONRPC.INTERNAL_ERROR, summary: 'The configuration file failed validation (the message names the path).' },
  WARDEN_AUDIT_UNAVAILABLE: { http: 503, rpc: JSONRPC.INTERNAL_ERROR, summary: 'The audit sink cannot accept records; warden refuses calls it cannot audit.' },
  WARDEN_INTERNAL: { http: 500, rpc: JSONRPC.INTERNAL_ERROR, summary: 'An unexpected error inside warden; the decision id finds it in the log.' },

  // replay (test cassettes)
  WARDEN_REPLAY_NOT_RECORDED: { http: 200, rpc: -32001, summary: 'The replay server has no recorded exchange matching this request (method + canonical params).' },
  WARDEN_REPLAY_CASSETTE_INVALID: { http: 500, rpc: JSONRPC.INTERNAL_ERROR, summary: 'A cassette file is unreadable or a line is not a cassette entry (the message names file:line).' },
} as const satisfies Record<string, CodeSpec>;

export type WardenErrorCode = keyof typeof ERROR_CODES;

/** An error with a stable code, safe to show to the caller. */
export class WardenError extends Error {
  override readonly name = 'WardenError';
  readonly code: WardenErrorCode;
  /** Extra structured detail for the caller (e.g. retryAfterMs). Never secrets. */
  readonly data: Record<string, unknown> | undefined;

  constructor(code: WardenErrorCode, message: string, data?: Record<string, unknown>, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.data = data;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }

  get rpcCode(): number {
    return ERROR_CODES[this.code].rpc;
  }

  /** The JSON-RPC `error` member for this error. */
  toJsonRpcError(decisionId?: string): { code: number; message: string; data: Record<string, unknown> } {
    return {
      code: this.rpcCode,
      message: `${this.code}: ${this.message}`,
      data: { code: this.code, reason: this.message, ...(decisionId ? { decisionId } : {}), ...this.data },
    };
  }
}

/** Narrows anything thrown into a WardenError; unknown errors become WARDEN_INTERNAL. */
export function asWardenError(err: unknown): WardenError {
  if (err instanceof WardenError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new WardenError('WARDEN_INTERNAL', message, undefined, { cause: err });
}

/** A JSON-RPC error response carrying a WardenError. */
export function jsonRpcErrorResponse(id: string | number | null, err: WardenError, decisionId?: string) {
  return { jsonrpc: '2.0' as const, id, error: err.toJsonRpcError(decisionId) };
}
