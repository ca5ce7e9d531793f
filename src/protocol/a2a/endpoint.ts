/**
 * The A2A JSON-RPC endpoint (`POST /a2a/<agent>`): one request per HTTP exchange,
 * run through the pipeline like an MCP tool call, then relayed to the upstream
 * agent. Streams (`SendStreamingMessage`, `SubscribeToTask` and their v0.3 names)
 * are relayed event by event, each event scrubbed by the pii stage; the call is
 * audited once, when the stream ends.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { asWardenError, WardenError } from '../../errors.ts';
import type { Logger } from '../../observability/logger.ts';
import { newDecisionRecord } from '../../pipeline/decision.ts';
import type { Pipeline } from '../../pipeline/pipeline.ts';
import type { CallContext, Stage } from '../../pipeline/types.ts';
import { startSse } from '../../transport/sse.ts';
import type { AuthResult } from '../mcp/endpoint.ts';
import { rewriteAgentCard } from './card.ts';
import { a2aMethod, asksForPushCallback, type A2aMethod } from './methods.ts';
import { TaskOwners } from './tasks.ts';
import type { A2aUpstream } from './upstream.ts';
import { a2aErrorResponse, drained, drainSse, parseEvent, readRequest, relayedHeaders, writeError, writeJson, type A2aRequest, type JsonRpcId } from './wire.ts';

export interface A2aEndpointOptions {
  pipeline: Pipeline;
  /** Authenticates the HTTP request before the pipeline (the gateway's authenticator); the identity stage alone when omitted. */
  authenticate?: (req: IncomingMessage, method: string) => AuthResult | Promise<AuthResult>;
  /** The RFC 8707 resource tokens must name (the identity stage checks the audience). */
  resource: () => string | undefined;
  /** This agent's URL at warden (`<base>/a2a/<name>`), for rewriting extended agent cards. */
  wardenUrl: (req: IncomingMessage) => string;
  bodyLimitBytes: number;
  logger: Logger;
}

/** Handles one POST to `/a2a/<agent>`; never throws. */
export type A2aEndpoint = (req: IncomingMessage, res: ServerResponse, upstream: A2aUpstream) => Promise<void>;

/** The JSON-RPC handler for A2A agents: builds the call context, runs the pipeline, relays the answer. */
export function createA2aEndpoint(opts: A2aEndpointOptions): A2aEndpoint {
  const { pipeline, logger } = opts;
  const piiStages: Stage[] = pipeline.stages.filter((s) => s.name === 'pii' && s.onResponse);
  const hasIdentity = pipeline.stages.some((s) => s.name === 'identity' && s.onRequest);
  const taskOwners = new Map<A2aUpstream, TaskOwners>();
  const ownersOf = (upstream: A2aUpstream): TaskOwners => {
    let owners = taskOwners.get(upstream);
    if (!owners) taskOwners.set(upstream, (owners = new TaskOwners()));
    return owners;
  };

  async function handle(req: IncomingMessage, res: ServerResponse, upstream: A2aUpstream): Promise<void> {
    let id: JsonRpcId = null;
    let ctx: CallContext | undefined;
    const call = new StreamState();
    try {
      const msg = await readRequest(req, opts.bodyLimitBytes);
      id = msg.id;
      const method = a2aMethod(msg.method);
      ctx = {
        decision: newDecisionRecord(),
        request: {
          protocol: 'a2a',
          method: msg.method,
          transport: method.streaming ? 'sse' : 'http',
          ip: req.socket.remoteAddress ?? '',
          time: Date.now(),
          headers: req.headers,
          ...resourceFact(opts.resource()),
        },
        tool: { name: `${upstream.name}:${method.name}`, upstreamName: msg.method, upstream: upstream.name },
        arguments: msg.params,
        facts: { originalArguments: msg.params },
      };
      if (opts.authenticate) {
        const authed = opts.authenticate(req, msg.method);
        Object.assign(ctx, authed instanceof Promise ? await authed : authed);
      } else if (!hasIdentity) {
        // No way to know the caller: refuse rather than forward anonymously.
        throw new WardenError('WARDEN_UNAUTHENTICATED', 'warden has no identity stage configured for A2A calls');
      }
      const headers = relayedHeaders(req, method);
      ctx.forward = method.streaming
        ? (c) => forwardStream(c, msg, method, upstream, headers, req, res, call)
        : (c) => forwardUnary(c, msg, method, upstream, headers, req);
      await pipeline.run(ctx);
      if (call.started || call.clientGone) {
        res.end();
        return;
      }
      const answer = ctx.upstreamError !== undefined ? { jsonrpc: '2.0', id, error: ctx.upstreamError } : { jsonrpc: '2.0', id, result: ctx.result };
      writeJson(res, 200, answer);
    } catch (err) {
      const failure = asWardenError(err);
      if (call.clientGone) return;
      if (failure.code === 'WARDEN_INTERNAL') logger.error({ err, decision: ctx?.decision.id }, 'A2A call failed inside warden');
      const body = a2aErrorResponse(id, failure, ctx?.decision.id);
      if (call.started) {
        // Mid-stream: the status is sent; the error travels as the stream's last event.
        if (!res.writableEnded) res.end(`data: ${JSON.stringify(body)}\n\n`);
        return;
      }
      writeError(res, failure, body);
    }
  }

  async function forwardUnary(ctx: CallContext, msg: A2aRequest, method: A2aMethod, upstream: A2aUpstream, headers: Record<string, string>, req: IncomingMessage): Promise<unknown> {
    refusePush(ctx, method, upstream);
    const owners = ownersOf(upstream);
    const agentId = ctx.agent?.id ?? '';
    owners.check(method, ctx.arguments, agentId, upstream.name);
    const answer = await upstream.send(outbound(msg, ctx), headers);
    const json = answer.kind === 'json' ? answer.json : await drainSse(answer.body, upstream.name);
    const result = unwrap(ctx, json, upstream.name);
    if (result === undefined) return result;
    if (method.kind === 'card') return rewriteAgentCard(result, opts.wardenUrl(req));
    if (method.name === 'ListTasks') return owners.filterList(result, agentId);
    owners.note(result, agentId);
    return result;
  }

  async function forwardStream(
    ctx: CallContext,
    msg: A2aRequest,
    method: A2aMethod,
    upstream: A2aUpstream,
    headers: Record<string, string>,
    req: IncomingMessage,
    res: ServerResponse,
    call: StreamState,
  ): Promise<unknown> {
    refusePush(ctx, method, upstream);
    const owners = ownersOf(upstream);
    const agentId = ctx.agent?.id ?? '';
    owners.check(method, ctx.arguments, agentId, upstream.name);
    const abort = new AbortController();
    const onClose = (): void => {
      if (!res.writableFinished) {
        call.clientGone = true;
        abort.abort();
      }
    };
    res.once('close', onClose);
    const totals: Record<string, number> = {};
    let last: unknown;
    let count = 0;
    try {
      const answer = await upstream.send(outbound(msg, ctx), headers, abort.signal);
      // An upstream that refuses to stream answers with one JSON-RPC response.
      if (answer.kind === 'json') {
        const result = unwrap(ctx, answer.json, upstream.name);
        owners.note(result, agentId);
        return result;
      }
      startSse(res);
      call.started = true;
      const queue: EventSourceMessage[] = [];
      const parser = createParser({ onEvent: (ev) => queue.push(ev) });
      const decoder = new TextDecoder();
      for await (const chunk of answer.body) {
        parser.feed(decoder.decode(chunk, { stream: true }));
        for (let i = 0; i < queue.length; i++) {
          const event = parseEvent(queue[i]!.data, upstream.name);
          if (event.error !== undefined) {
            // The upstream ended the stream with an error: relay it and stop.
            ctx.upstreamError = event.error;
            res.write(`data: ${JSON.stringify({ jsonrpc: '2.0', id: msg.id, error: event.error })}\n\n`);
            abort.abort();
            return last;
          }
          if (count === 0) owners.note(event.result, agentId);
          const result = piiStages.length ? await scrubEvent(ctx, event.result, totals) : event.result;
          if (call.clientGone) return last;
          last = result;
          count++;
          if (!res.write(`data: ${JSON.stringify({ jsonrpc: '2.0', id: msg.id, result })}\n\n`)) await drained(res);
        }
        queue.length = 0;
        if (call.clientGone) return last;
      }
      return last;
    } catch (err) {
      // The caller hung up: the call was allowed and relayed as far as it went; not a denial.
      if (call.clientGone) return last;
      throw err;
    } finally {
      res.off('close', onClose);
      ctx.facts.a2aStream = call.clientGone ? { events: count, callerClosed: true } : { events: count };
      if (Object.keys(totals).length) ((ctx.facts.pii ??= {}) as Record<string, unknown>).result = totals;
    }
  }

  /** Runs the pii stage's response scrub on one stream event; counts findings into `totals`. */
  async function scrubEvent(ctx: CallContext, result: unknown, totals: Record<string, number>): Promise<unknown> {
    const scratch: CallContext = { ...ctx, result, facts: {} };
    for (const stage of piiStages) {
      const pending = stage.onResponse!(scratch);
      if (pending) await pending;
    }
    const counts = (scratch.facts.pii as { result?: Record<string, number> } | undefined)?.result;
    if (counts) for (const [type, n] of Object.entries(counts)) totals[type] = (totals[type] ?? 0) + n;
    return scratch.result;
  }

  return handle;
}

/** Per-call stream bookkeeping shared by the handler and its forward function. */
class StreamState {
  /** SSE headers are sent: errors must travel as events. */
  started = false;
  /** The caller went away: nothing more to write. */
  clientGone = false;
}

function resourceFact(resource: string | undefined): { resource?: string } {
  return resource === undefined ? {} : { resource };
}

/** The request as the upstream sees it: the caller's envelope (unknown members kept) with the scrubbed params. */
function outbound(msg: A2aRequest, ctx: CallContext): string {
  return JSON.stringify(ctx.arguments === msg.params ? msg : { ...msg, params: ctx.arguments });
}

function refusePush(ctx: CallContext, method: A2aMethod, upstream: A2aUpstream): void {
  if (upstream.config.allowPushNotifications) return;
  if (method.kind === 'push' || asksForPushCallback(ctx.arguments)) {
    throw new WardenError(
      'WARDEN_PUSH_NOT_ALLOWED',
      `push notifications to A2A agent ${upstream.name} are refused: the agent would call back a URL warden cannot see (set allowPushNotifications for this agent to allow them)`,
      { upstream: upstream.name },
    );
  }
}

/** The result of an upstream JSON-RPC response; its error goes to ctx.upstreamError. */
function unwrap(ctx: CallContext, json: unknown, name: string): unknown {
  if (typeof json !== 'object' || json === null) throw new WardenError('WARDEN_UPSTREAM_ERROR', `A2A agent ${name} answered with something that is not a JSON-RPC response`, { upstream: name });
  const r = json as { result?: unknown; error?: unknown };
  if (r.error !== undefined) {
    ctx.upstreamError = r.error;
    return undefined;
  }
  if (!('result' in r)) throw new WardenError('WARDEN_UPSTREAM_ERROR', `A2A agent ${name} answered without a result or an error`, { upstream: name });
  return r.result;
}

