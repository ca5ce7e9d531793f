/**
 * One live warden MCP session on this replica: its upstream connections, the
 * client's standalone stream, and the id maps that keep server→client traffic
 * routed to this client only.
 */
import type { ServerResponse } from 'node:http';
import type { Logger } from '../../observability/logger.ts';
import type { ToolRef } from '../../pipeline/types.ts';
import { startSse, writeSseMessage } from '../../transport/sse.ts';
import type { Cancellation, UpstreamConnection, UpstreamListener } from '../../transport/upstream.ts';
import type { CallChannel } from './channel.ts';
import { isRequest, type JsonRpcId, type JsonRpcMessage } from './jsonrpc.ts';
import type { SessionRecord } from './session-store.ts';

/** Events kept for replay when the client resumes its standalone stream (Last-Event-ID). */
const REPLAY_EVENTS = 256;
/** Server→client requests awaiting the client's answer, per session. */
const MAX_PENDING_SERVER_REQUESTS = 1000;
/** Interval of SSE comment lines on an idle standalone stream. */
const KEEPALIVE_MS = 25_000;
/** Messages kept while the client has no stream open to receive them. */
const BACKLOG_MESSAGES = 100;

interface ServerRequestRoute {
  conn: UpstreamConnection;
  upstreamId: JsonRpcId;
}

export class McpSession {
  readonly record: SessionRecord;
  /** Upstream connections by upstream name, in configuration order. */
  readonly connections: Map<string, UpstreamConnection>;
  /** Aggregated endpoint with more than one upstream: names carry `<upstream>__`. */
  readonly namespaced: boolean;
  lastSeen = Date.now();
  /** Client-facing tool name → ToolRef, filled from tools/list answers. */
  readonly tools = new Map<string, ToolRef>();
  toolsLoaded = false;
  /** Resource URI (or URI-template prefix) → upstream name, for routing in aggregated sessions. */
  readonly resourceRoutes = new Map<string, string>();
  readonly templateRoutes: Array<{ prefix: string; upstream: string }> = [];
  resourcesLoaded = false;
  /** Client request id → controller that cancels the upstream call. */
  readonly inflight = new Map<JsonRpcId, Cancellation>();
  readonly #logger: Logger;
  readonly #serverRequests = new Map<JsonRpcId, ServerRequestRoute>();
  readonly #channels = new Set<CallChannel>();
  #nextServerRequestId = 0;
  #stream: ServerResponse | undefined;
  readonly #replay: Array<{ id: number; json: string }> = [];
  #eventSeq = 0;
  #backlog: string[] = [];
  #closed = false;

  constructor(record: SessionRecord, connections: Map<string, UpstreamConnection>, logger: Logger) {
    this.record = record;
    this.connections = connections;
    this.namespaced = record.route === null && connections.size > 1;
    this.#logger = logger;
    for (const conn of connections.values()) conn.onmessage = (msg) => this.#fromUpstream(conn, msg, undefined);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** What relays an upstream's messages while it answers one client request. */
  relayFor(conn: UpstreamConnection, channel: CallChannel): UpstreamListener {
    return new CallRelay(this, conn, channel);
  }

  /** Delivers one upstream message (ids rewritten) on `channel` if still open, else elsewhere. */
  relay(conn: UpstreamConnection, msg: JsonRpcMessage, channel: CallChannel | undefined): void {
    this.#fromUpstream(conn, msg, channel);
  }

  trackChannel(channel: CallChannel): void {
    this.#channels.add(channel);
  }

  untrackChannel(channel: CallChannel): void {
    this.#channels.delete(channel);
  }

  /** Rewrites server→client ids into this session's id space, then delivers the message. */
  #fromUpstream(conn: UpstreamConnection, msg: JsonRpcMessage, channel: CallChannel | undefined): void {
    if (this.#closed) return;
    if (isRequest(msg)) {
      const id = ++this.#nextServerRequestId;
      // A client that never answers must not grow this map without bound: forget the oldest.
      if (this.#serverRequests.size >= MAX_PENDING_SERVER_REQUESTS) this.#serverRequests.delete(this.#serverRequests.keys().next().value!);
      this.#serverRequests.set(id, { conn, upstreamId: msg.id });
      msg.id = id;
    } else if (msg.method === 'notifications/cancelled' && msg.params) {
      // The upstream cancels one of its own requests: name it by the id the client saw.
      const upstreamId = msg.params.requestId;
      for (const [id, route] of this.#serverRequests) {
        if (route.conn === conn && route.upstreamId === upstreamId) {
          msg.params.requestId = id;
          this.#serverRequests.delete(id);
          break;
        }
      }
    } else if (msg.method === 'notifications/tools/list_changed') {
      this.tools.clear();
      this.toolsLoaded = false;
    } else if (msg.method === 'notifications/resources/list_changed') {
      this.resourcesLoaded = false;
    }
    if (channel?.open && channel.send(msg)) return;
    this.#deliver(msg);
  }

  /** Sends on the standalone stream, else on any open call stream, else keeps it for later. */
  #deliver(msg: JsonRpcMessage): void {
    const json = JSON.stringify(msg);
    if (this.#stream && !this.#stream.writableEnded) {
      this.#writeEvent(json);
      return;
    }
    for (const channel of this.#channels) {
      if (channel.open && channel.send(msg)) return;
    }
    if (this.#backlog.length < BACKLOG_MESSAGES) this.#backlog.push(json);
    else this.#logger.debug({ session: this.record.id, method: msg.method }, 'backlog full; dropping a server message');
  }

  #writeEvent(json: string): void {
    const id = ++this.#eventSeq;
    this.#replay.push({ id, json });
    if (this.#replay.length > REPLAY_EVENTS) this.#replay.shift();
    writeSseMessage(this.#stream!, json, String(id));
  }

  /** The route of a client's response to a server→client request, consumed once. */
  takeServerRequest(id: JsonRpcId): ServerRequestRoute | undefined {
    const route = this.#serverRequests.get(id);
    if (route) this.#serverRequests.delete(id);
    return route;
  }

  /** True while the client has its standalone (GET) stream open. */
  get hasStream(): boolean {
    return this.#stream !== undefined && !this.#stream.writableEnded && !this.#stream.destroyed;
  }

  /** Attaches the client's GET stream, replaying after `lastEventId` and flushing the backlog. */
  attachStream(res: ServerResponse, headers: Record<string, string>, lastEventId: string | undefined): void {
    if (this.#stream && this.#stream !== res) this.#stream.end();
    startSse(res, headers);
    this.#stream = res;
    // A comment line now and then keeps idle proxies from cutting a quiet stream.
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEPALIVE_MS).unref();
    res.once('close', () => {
      clearInterval(keepAlive);
      if (this.#stream === res) this.#stream = undefined;
    });
    if (lastEventId !== undefined) {
      const after = Number(lastEventId);
      for (const event of this.#replay) if (event.id > after) writeSseMessage(res, event.json, String(event.id));
    }
    const backlog = this.#backlog;
    this.#backlog = [];
    for (const json of backlog) this.#writeEvent(json);
    for (const conn of this.connections.values()) conn.openStream();
  }

  /** Closes client streams and upstream sessions (only lets HTTP upstream sessions go with `keepSession`). */
  async close(options?: { keepSession?: boolean }): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const cancel of this.inflight.values()) cancel.cancel('session closed');
    this.#stream?.end();
    await Promise.allSettled([...this.connections.values()].map((c) => c.close(options)));
  }
}

/** The listener for one call: a small object rather than closures (it is made on every call). */
class CallRelay implements UpstreamListener {
  readonly #session: McpSession;
  readonly #conn: UpstreamConnection;
  readonly #channel: CallChannel;
  constructor(session: McpSession, conn: UpstreamConnection, channel: CallChannel) {
    this.#session = session;
    this.#conn = conn;
    this.#channel = channel;
  }
  message(msg: JsonRpcMessage): void {
    this.#session.relay(this.#conn, msg, this.#channel);
  }
  stream(): void {
    this.#channel.startStream();
  }
}
