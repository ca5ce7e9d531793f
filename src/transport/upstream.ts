/**
 * The seam between warden's MCP sessions and upstream MCP servers: one
 * `UpstreamConnection` per (warden session, upstream), speaking JSON-RPC messages.
 * Implementations: Streamable HTTP (upstream-http.ts) and stdio (upstream-stdio.ts).
 */
import type { UpstreamConfig } from '../config/server.ts';
import type { Logger } from '../observability/logger.ts';
import type { JsonRpcMessage, JsonRpcResponse } from '../protocol/mcp/jsonrpc.ts';

/** Receives what an upstream sends while answering one request. */
export interface UpstreamListener {
  /** Every other message the upstream sends while answering (progress, server→client requests, logs). */
  message(message: JsonRpcMessage): void;
  /** The upstream answers with an SSE stream, so the client's answer can be one too. */
  stream?(): void;
}

export interface UpstreamRequestOptions {
  listener?: UpstreamListener;
  /** The caller's bearer token, for upstreams that authenticate by token exchange (never sent upstream itself). */
  subjectToken?: string | undefined;
  /** Cancelling sends notifications/cancelled upstream and rejects the call. */
  cancel?: Cancellation;
  /** W3C trace context of the inbound request (traceparent, tracestate), passed on to HTTP upstreams. */
  trace?: Record<string, string> | undefined;
}

/**
 * A client's cancellation of one call. Cheaper than an AbortController per call, which
 * costs more than the rest of routing; most calls are never cancelled.
 */
export class Cancellation {
  cancelled = false;
  reason: unknown;
  #handlers: Array<CancelHandler> | undefined;

  /** Registers what to do on cancel; returns the function that unregisters it. */
  onCancel(fn: (reason: unknown) => void): () => void {
    this.add(fn);
    return () => this.remove(fn);
  }

  /** Registers a handler without making an unregister closure (the per-call path). */
  add(handler: CancelHandler): void {
    (this.#handlers ??= []).push(handler);
  }

  remove(handler: CancelHandler): void {
    const i = this.#handlers?.indexOf(handler) ?? -1;
    if (i >= 0) this.#handlers!.splice(i, 1);
  }

  cancel(reason: unknown): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.reason = reason;
    const handlers = this.#handlers;
    this.#handlers = undefined;
    if (!handlers) return;
    for (const h of handlers) {
      if (typeof h === 'function') h(reason);
      else h.cancelled(reason);
    }
  }
}

/** What a cancellation notifies: a function, or an object (no closure per call). */
export type CancelHandler = ((reason: unknown) => void) | { cancelled(reason: unknown): void };

export interface UpstreamConnection {
  readonly name: string;
  /** The upstream's Mcp-Session-Id, when it issued one. */
  readonly sessionId: string | undefined;
  /** The version negotiated with this upstream (may differ from the client's). */
  readonly protocolVersion: string;
  /** The upstream's `initialize` result as sent (undefined when resumed from a stored session). */
  readonly initializeResult: Record<string, unknown> | undefined;
  /**
   * Sends a request with an id of the connection's own and resolves with the upstream's
   * response message (result or error member, parsed once). Rejects with a WardenError on
   * transport failure, timeout or cancellation.
   */
  request(method: string, params: Record<string, unknown> | undefined, options?: UpstreamRequestOptions): Promise<JsonRpcResponse>;
  /** Sends a notification, or a response to a server→client request. */
  send(message: JsonRpcMessage): Promise<void>;
  /** Messages the upstream sends outside any request (standalone stream / stdio). */
  onmessage: ((message: JsonRpcMessage) => void) | undefined;
  /** Opens the upstream's standalone server→client stream if it has one and it is not open. */
  openStream(): void;
  /**
   * Ends the upstream session (HTTP DELETE, child process exit). With `keepSession` an HTTP
   * upstream session is only let go, so another replica can continue it.
   */
  close(options?: { keepSession?: boolean }): Promise<void>;
}

export interface ConnectOptions {
  /** The params of the `initialize` request to send (client capabilities and info, protocol version). */
  initParams: Record<string, unknown>;
  /** The caller's bearer token, for token-exchange upstreams. */
  subjectToken?: string | undefined;
  /** Continue an existing upstream session instead of initializing (another replica created it). */
  resume?: { sessionId?: string; protocolVersion: string };
  logger: Logger;
}

export type HttpUpstreamConfig = Extract<UpstreamConfig, { url: string }>;
export type StdioUpstreamConfig = Extract<UpstreamConfig, { command: string }>;

export function isHttpUpstream(cfg: UpstreamConfig): cfg is HttpUpstreamConfig {
  return 'url' in cfg;
}

/** Headers with which warden authenticates itself to an upstream (src/identity/upstream-auth.ts). */
export type UpstreamAuth = (upstream: UpstreamConfig, ctx: { subjectToken?: string | undefined }) => Promise<Record<string, string>>;

/** One configured upstream (its pools or command), shared by all sessions. */
export interface Upstream {
  readonly config: UpstreamConfig;
  /** Opens a session with the upstream for one warden session. */
  connect(options: ConnectOptions): Promise<UpstreamConnection>;
  close(): Promise<void>;
}
