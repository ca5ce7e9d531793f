/**
 * The seam between warden's MCP sessions and upstream MCP servers: one
 * `UpstreamConnection` per (warden session, upstream), speaking JSON-RPC messages.
 * Implementations: Streamable HTTP (upstream-http.ts) and stdio (upstream-stdio.ts).
 */
import type { UpstreamConfig } from '../config/server.ts';
import type { Logger } from '../observability/logger.ts';
import type { JsonRpcMessage, JsonRpcResponse } from '../protocol/mcp/jsonrpc.ts';

export interface UpstreamRequestOptions {
  /** Every other message the upstream sends while answering (progress, server→client requests, logs). */
  onMessage?: (message: JsonRpcMessage) => void;
  /** Aborting sends notifications/cancelled upstream and rejects the call. */
  signal?: AbortSignal;
  /** Called when the upstream answers with an SSE stream, so the client's answer can be one too. */
  onStream?: () => void;
}

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
  /** Ends the upstream session (HTTP DELETE, child process exit). */
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** The params of the `initialize` request to send (client capabilities and info, protocol version). */
  initParams: Record<string, unknown>;
  /** Continue an existing upstream session instead of initializing (another replica created it). */
  resume?: { sessionId?: string; protocolVersion: string };
  logger: Logger;
}

export type HttpUpstreamConfig = Extract<UpstreamConfig, { url: string }>;
export type StdioUpstreamConfig = Extract<UpstreamConfig, { command: string }>;

export function isHttpUpstream(cfg: UpstreamConfig): cfg is HttpUpstreamConfig {
  return 'url' in cfg;
}

/** One configured upstream (its pools or command), shared by all sessions. */
export interface Upstream {
  readonly config: UpstreamConfig;
  /** Opens a session with the upstream for one warden session. */
  connect(options: ConnectOptions): Promise<UpstreamConnection>;
  close(): Promise<void>;
}
