/**
 * The MCP Streamable HTTP endpoint (`/mcp`, `/mcp/<upstream>`) on raw node:http:
 * POST carries client messages, GET opens the server→client stream, DELETE ends the
 * session. Every client request except initialize and ping runs through the pipeline.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { asWardenError, jsonRpcErrorResponse, WardenError } from '../../errors.ts';
import type { Logger } from '../../observability/logger.ts';
import { newDecisionRecord } from '../../pipeline/decision.ts';
import type { Pipeline } from '../../pipeline/pipeline.ts';
import type { CallContext, RequestFacts } from '../../pipeline/types.ts';
import { readBody } from '../../transport/body.ts';
import { Cancellation } from '../../transport/upstream.ts';
import { CallChannel } from './channel.ts';
import { isMessage, isNotification, isRequest, isResponse, type JsonRpcId, type JsonRpcMessage, type JsonRpcRequest } from './jsonrpc.ts';
import { routeRequest, type ToolVisibility } from './router.ts';
import type { McpSession } from './session.ts';
import type { SessionManager } from './sessions.ts';
import { batchesAllowed, isSupportedVersion } from './versions.ts';

/** Who is calling, established once per HTTP request (copied into each call context). */
export type AuthResult = Pick<CallContext, 'agent' | 'user' | 'token' | 'task'>;

export interface McpEndpointOptions {
  sessions: SessionManager;
  pipeline: Pipeline;
  /** Authenticates one HTTP request; throws a WardenError (401/403) to refuse it. */
  authenticate: (req: IncomingMessage, method: string) => AuthResult | Promise<AuthResult>;
  toolVisibility?: ToolVisibility;
  /** The gateway's public MCP URL (the RFC 8707 resource). */
  resource: string;
  bodyLimitBytes: number;
  knownUpstreams: ReadonlySet<string>;
  logger: Logger;
  /** The mTLS client certificate (DER) of the connection, if any (identity and task-scope read it). */
  peerCertificate?: (req: IncomingMessage) => Uint8Array | undefined;
  /**
   * Called once per call after it settled (answered, denied or failed): metrics, and the audit
   * record for refusals made before the pipeline ran (`inPipeline` false: unknown tool, unroutable method).
   */
  observe?: (ctx: CallContext, inPipeline: boolean) => void;
}

/** JSON-RPC refusals that also get an HTTP Retry-After header. */
const RETRY_CODES: ReadonlySet<string> = new Set(['WARDEN_RATE_LIMITED', 'WARDEN_QUOTA_EXCEEDED']);

/** Handles one HTTP request to `/mcp` (route null) or `/mcp/<upstream>`. */
export type McpEndpoint = (req: IncomingMessage, res: ServerResponse, route: string | null) => Promise<void>;

export function createMcpEndpoint(opts: McpEndpointOptions): McpEndpoint {
  const { sessions, pipeline, logger } = opts;

  async function post(req: IncomingMessage, res: ServerResponse, route: string | null): Promise<void> {
    const accept = req.headers.accept ?? '';
    if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
      throw new WardenError('WARDEN_NOT_ACCEPTABLE', 'Accept must list both application/json and text/event-stream');
    }
    if (!(req.headers['content-type'] ?? '').includes('application/json')) {
      throw new WardenError('WARDEN_BAD_REQUEST', 'Content-Type must be application/json');
    }
    const body = await readBody(req, opts.bodyLimitBytes);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw new WardenError('WARDEN_PARSE_ERROR', `request body is not valid JSON: ${(err as Error).message}`);
    }
    const batch = Array.isArray(parsed);
    const messages = (batch ? parsed : [parsed]) as unknown[];
    if (messages.length === 0 || !messages.every(isMessage)) throw new WardenError('WARDEN_BAD_REQUEST', 'the body must be a JSON-RPC 2.0 message');
    const msgs = messages as JsonRpcMessage[];
    const first = msgs[0]!;
    const authed = opts.authenticate(req, first.method ?? 'response');
    const auth = authed instanceof Promise ? await authed : authed;
    const agentId = auth.agent?.id;
    if (!agentId) throw new WardenError('WARDEN_UNAUTHENTICATED', 'the caller has no identity');

    if (hasInitialize(msgs)) {
      if (batch || !isRequest(first)) throw new WardenError('WARDEN_BAD_REQUEST', 'initialize must be sent alone, as a request');
      const { session, result } = await sessions.create(route, first, agentId, bearerOf(req));
      new CallChannel(res, { 'mcp-session-id': session.record.id }).finish({ jsonrpc: '2.0', id: first.id, result });
      return;
    }

    const found = sessionFor(req, route, agentId);
    const session = found instanceof Promise ? await found : found;
    if (batch && !batchesAllowed(session.record.protocolVersion)) {
      throw new WardenError('WARDEN_BATCH_REJECTED', `JSON-RPC batches are not allowed in protocol version ${session.record.protocolVersion}`);
    }
    const channel = new CallChannel(res, NO_HEADERS);
    const requests: JsonRpcRequest[] = [];
    for (const msg of msgs) {
      if (isRequest(msg)) requests.push(msg);
      else if (isResponse(msg)) answerServerRequest(session, msg);
      else if (isNotification(msg)) notifyUpstreams(session, msg);
      else throw new WardenError('WARDEN_BAD_REQUEST', 'a message is neither request, notification nor response');
    }
    if (requests.length === 0) {
      channel.finish(undefined);
      return;
    }
    session.trackChannel(channel);
    try {
      if (!batch) {
        const answer = await call(session, requests[0]!, channel, auth, req);
        if ((answer?.error as { data?: { code?: string } } | undefined)?.data?.code === 'WARDEN_SESSION_NOT_FOUND') {
          // An upstream session is gone: end this one too and say so the way MCP clients expect (HTTP 404).
          await sessions.remove(session);
          channel.finish(answer, 404);
          return;
        }
        const retryAfterMs = retryAfterOf(answer);
        if (retryAfterMs !== undefined) res.setHeader('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
        channel.finish(answer);
        return;
      }
      const answers = await Promise.all(requests.map((r) => call(session, r, channel, auth, req)));
      channel.finish(answers.filter((a): a is JsonRpcMessage => a !== undefined));
    } finally {
      session.untrackChannel(channel);
    }
  }

  /** One client request through the pipeline; undefined when the client cancelled it. */
  async function call(session: McpSession, msg: JsonRpcRequest, channel: CallChannel, auth: AuthResult, req: IncomingMessage): Promise<JsonRpcMessage | undefined> {
    if (msg.method === 'ping') return { jsonrpc: '2.0', id: msg.id, result: {} };
    const params = msg.params;
    const peerCertificate = opts.peerCertificate?.(req);
    const cancel = new Cancellation();
    session.inflight.set(msg.id, cancel);
    const time = Date.now();
    const request: RequestFacts = {
      protocol: 'mcp',
      method: msg.method,
      transport: 'streamable-http',
      ip: req.socket.remoteAddress ?? '',
      time,
      headers: req.headers,
      resource: opts.resource,
      sessionId: session.record.id,
    };
    if (peerCertificate) request.peerCertificate = peerCertificate;
    const ctx: CallContext = {
      decision: newDecisionRecord(time),
      request,
      agent: auth.agent,
      user: auth.user,
      token: auth.token,
      task: auth.task,
      arguments: msg.method === 'tools/call' ? params?.arguments : params,
      // A reference, not a copy: audit digests what the caller sent, before any scrubbing.
      facts: msg.method === 'tools/call' ? { originalArguments: params?.arguments } : {},
    };
    let inPipeline = false;
    try {
      if (msg.method === 'initialize') throw new WardenError('WARDEN_BAD_REQUEST', 'the session is already initialized');
      const routing = routeRequest(msg, { session, channel, cancel, toolVisibility: opts.toolVisibility, subjectToken: bearerOf(req), trace: traceContextOf(req) });
      const routed = routing instanceof Promise ? await routing : routing;
      if (routed.tool) ctx.tool = routed.tool;
      ctx.forward = routed.forward;
      inPipeline = true;
      await pipeline.run(ctx);
      if (cancel.cancelled) return undefined;
      if (ctx.upstreamError !== undefined) return { jsonrpc: '2.0', id: msg.id, error: ctx.upstreamError };
      return { jsonrpc: '2.0', id: msg.id, result: ctx.result };
    } catch (err) {
      if (cancel.cancelled) return undefined;
      const failure = asWardenError(err);
      if (failure.code === 'WARDEN_INTERNAL') logger.error({ err, decision: ctx.decision.id, method: msg.method }, 'call failed inside warden');
      if (!inPipeline) refuseBeforePipeline(ctx, failure);
      return jsonRpcErrorResponse(msg.id, failure, ctx.decision.id);
    } finally {
      session.inflight.delete(msg.id);
      if (opts.observe) {
        try {
          opts.observe(ctx, inPipeline);
        } catch (err) {
          logger.warn({ err: (err as Error).message }, 'call observer failed');
        }
      }
    }
  }

  function answerServerRequest(session: McpSession, msg: JsonRpcMessage): void {
    const route = msg.id === undefined || msg.id === null ? undefined : session.takeServerRequest(msg.id);
    if (!route) {
      logger.debug({ session: session.record.id, id: msg.id }, 'response to an unknown server request dropped');
      return;
    }
    msg.id = route.upstreamId;
    route.conn.send(msg).catch((err: Error) => logger.warn({ upstream: route.conn.name, err: err.message }, 'could not deliver a client response upstream'));
  }

  function notifyUpstreams(session: McpSession, msg: JsonRpcMessage): void {
    if (msg.method === 'notifications/cancelled') {
      // The connection cancels with the id it used upstream.
      const id = msg.params?.requestId as JsonRpcId | undefined;
      if (id !== undefined) session.inflight.get(id)?.cancel(msg.params?.reason ?? 'cancelled by the client');
      return;
    }
    for (const conn of session.connections.values()) {
      conn.send(msg).catch((err: Error) => logger.warn({ upstream: conn.name, err: err.message }, 'could not deliver a client notification upstream'));
    }
  }

  /** The session named by Mcp-Session-Id, owned by this agent, on this route (synchronous when live here). */
  function sessionFor(req: IncomingMessage, route: string | null, agentId: string): McpSession | Promise<McpSession> {
    const id = req.headers['mcp-session-id'];
    if (typeof id !== 'string' || id === '') throw new WardenError('WARDEN_SESSION_REQUIRED', 'Mcp-Session-Id header is required after initialize');
    const version = req.headers['mcp-protocol-version'];
    if (version !== undefined && !isSupportedVersion(version)) {
      throw new WardenError('WARDEN_UNSUPPORTED_PROTOCOL_VERSION', `MCP-Protocol-Version ${String(version)} is not supported`, { supported: ['2025-11-25', '2025-06-18', '2025-03-26'] });
    }
    const found = sessions.get(id);
    return found instanceof Promise ? found.then((s) => checkSession(s, route, agentId)) : checkSession(found, route, agentId);
  }

  function checkSession(session: McpSession | undefined, route: string | null, agentId: string): McpSession {
    if (!session || session.closed || session.record.route !== route) throw new WardenError('WARDEN_SESSION_NOT_FOUND', 'unknown or expired session; initialize a new one');
    if (session.record.ownerAgentId !== agentId) throw new WardenError('WARDEN_SESSION_FORBIDDEN', 'this session belongs to another agent');
    return session;
  }

  async function get(req: IncomingMessage, res: ServerResponse, route: string | null): Promise<void> {
    if (!(req.headers.accept ?? '').includes('text/event-stream')) throw new WardenError('WARDEN_NOT_ACCEPTABLE', 'Accept must list text/event-stream');
    const auth = await opts.authenticate(req, 'GET');
    const session = await sessionFor(req, route, auth.agent?.id ?? '');
    const lastEventId = req.headers['last-event-id'];
    // A resuming client replaces its old stream (the server may not have noticed it died yet).
    if (session.hasStream && typeof lastEventId !== 'string') {
      writeError(res, new WardenError('WARDEN_BAD_REQUEST', 'only one standalone stream is allowed per session'), null, 409);
      return;
    }
    session.attachStream(res, { 'mcp-session-id': session.record.id }, typeof lastEventId === 'string' ? lastEventId : undefined);
  }

  async function del(req: IncomingMessage, res: ServerResponse, route: string | null): Promise<void> {
    const auth = await opts.authenticate(req, 'DELETE');
    const session = await sessionFor(req, route, auth.agent?.id ?? '');
    await sessions.remove(session);
    res.writeHead(200).end();
  }

  return async (req, res, route) => {
    try {
      if (route !== null && !opts.knownUpstreams.has(route)) throw new WardenError('WARDEN_UNKNOWN_UPSTREAM', `no upstream named ${route}`, { upstream: route });
      if (req.method === 'POST') await post(req, res, route);
      else if (req.method === 'GET') await get(req, res, route);
      else if (req.method === 'DELETE') await del(req, res, route);
      else {
        res.setHeader('allow', 'GET, POST, DELETE');
        throw new WardenError('WARDEN_METHOD_NOT_ALLOWED', `${req.method ?? 'this method'} is not supported on the MCP endpoint`);
      }
    } catch (err) {
      const failure = asWardenError(err);
      if (failure.code === 'WARDEN_INTERNAL') logger.error({ err }, 'MCP endpoint failed');
      writeError(res, failure, null);
    }
  };
}

/** Fills the decision record of a call refused before the pipeline (routing), so it is observed like any denial. */
function refuseBeforePipeline(ctx: CallContext, failure: WardenError): void {
  const record = ctx.decision;
  record.allow = false;
  record.code = failure.code;
  record.reason = failure.message;
  record.stages.push({ stage: 'forward', outcome: failure.code === 'WARDEN_INTERNAL' ? 'error' : 'deny', code: failure.code, reason: failure.message });
}

function retryAfterOf(answer: JsonRpcMessage | undefined): number | undefined {
  const data = (answer?.error as { data?: { code?: string; retryAfterMs?: unknown } } | undefined)?.data;
  if (data?.code === undefined || !RETRY_CODES.has(data.code)) return undefined;
  return typeof data.retryAfterMs === 'number' && Number.isFinite(data.retryAfterMs) ? data.retryAfterMs : 1000;
}

const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

function hasInitialize(msgs: JsonRpcMessage[]): boolean {
  for (let i = 0; i < msgs.length; i++) if (msgs[i]!.method === 'initialize') return true;
  return false;
}

/** The caller's bearer token, if any (only ever exchanged at a token endpoint, never sent upstream). */
function bearerOf(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  return auth !== undefined && auth.length > 7 && auth.slice(0, 7).toLowerCase() === 'bearer ' ? auth.slice(7).trim() : undefined;
}

/** An HTTP-level refusal: the code's status, a JSON-RPC error body, WWW-Authenticate when given. */
export function writeError(res: ServerResponse, err: WardenError, id: JsonRpcId | null, status = err.httpStatus): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const json = JSON.stringify(jsonRpcErrorResponse(id, err));
  const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) };
  const challenge = err.data?.wwwAuthenticate;
  if (typeof challenge === 'string') headers['www-authenticate'] = challenge;
  if (err.code === 'WARDEN_BODY_TOO_LARGE') headers.connection = 'close';
  res.writeHead(status === 200 ? 400 : status, headers).end(json);
}

/** The W3C trace context headers of a request, or undefined when it carries none. */
function traceContextOf(req: IncomingMessage): Record<string, string> | undefined {
  const traceparent = req.headers.traceparent;
  if (typeof traceparent !== 'string') return undefined;
  const tracestate = req.headers.tracestate;
  return typeof tracestate === 'string' ? { traceparent, tracestate } : { traceparent };
}
