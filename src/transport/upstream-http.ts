/** Upstream MCP servers over Streamable HTTP: one undici Pool per upstream, one connection per warden session. */
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import { WardenError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import { isMessage, isResponse, type JsonRpcMessage, type JsonRpcResponse } from '../protocol/mcp/jsonrpc.ts';
import { stringifyJson } from '../protocol/json.ts';
import { readSse } from './sse.ts';
import type { ConnectOptions, HttpUpstreamConfig, UpstreamAuth, UpstreamConnection, UpstreamRequestOptions } from './upstream.ts';

const RESUME_ATTEMPTS = 3;
const STREAM_RECONNECT_ATTEMPTS = 5;

/** One configured HTTP upstream: its connection pools, shared by all sessions. */
export class HttpUpstream {
  readonly config: HttpUpstreamConfig;
  readonly url: URL;
  /** Short request/response exchanges, kept alive. */
  readonly pool: Pool;
  /** Long-lived standalone SSE streams; kept apart so they never starve calls. */
  readonly streamPool: Pool;
  /** How warden authenticates to this upstream; undefined when it needs no credentials. */
  readonly auth: UpstreamAuth | undefined;

  constructor(config: HttpUpstreamConfig, auth?: UpstreamAuth) {
    this.config = config;
    this.auth = config.auth.type === 'none' ? undefined : auth;
    if (config.auth.type !== 'none' && !auth) throw new Error(`upstream ${config.name}: auth ${config.auth.type} needs the identity module`);
    this.url = new URL(config.url);
    this.pool = new Pool(this.url.origin, { connections: 128, keepAliveTimeout: 30_000 });
    this.streamPool = new Pool(this.url.origin, { connections: null, bodyTimeout: 0, headersTimeout: config.timeoutMs });
  }

  /** Opens (initializes, or resumes) an upstream session. */
  async connect(options: ConnectOptions): Promise<UpstreamConnection> {
    const conn = new HttpUpstreamConnection(this, options.logger, options.subjectToken);
    if (options.resume) conn.resume(options.resume.sessionId, options.resume.protocolVersion);
    else await conn.initialize(options.initParams);
    return conn;
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.pool.close(), this.streamPool.close()]);
  }
}

class HttpUpstreamConnection implements UpstreamConnection {
  readonly name: string;
  sessionId: string | undefined;
  protocolVersion = '';
  initializeResult: Record<string, unknown> | undefined;
  onmessage: ((message: JsonRpcMessage) => void) | undefined;
  readonly #upstream: HttpUpstream;
  readonly #logger: Logger;
  readonly #path: string;
  #headers: Record<string, string>;
  #nextId = 0;
  #closed = false;
  #streamOpen = false;
  readonly #closing = new AbortController();
  /** The token of the client that opened the session, for token exchange when a call brings none. */
  readonly #subjectToken: string | undefined;

  constructor(upstream: HttpUpstream, logger: Logger, subjectToken: string | undefined) {
    this.#upstream = upstream;
    this.#subjectToken = subjectToken;
    this.name = upstream.config.name;
    this.#logger = logger;
    this.#path = upstream.url.pathname + upstream.url.search;
    this.#headers = { ...upstream.config.headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  }

  async initialize(params: Record<string, unknown>): Promise<void> {
    const response = await this.#exchange('initialize', params, undefined, (headers) => {
      const sid = headers['mcp-session-id'];
      if (typeof sid === 'string') this.sessionId = sid;
    });
    if (response.error !== undefined || typeof response.result !== 'object' || response.result === null) {
      const message = typeof response.error === 'object' && response.error !== null ? String((response.error as { message?: unknown }).message) : 'no result';
      throw new WardenError('WARDEN_UPSTREAM_ERROR', `upstream ${this.name} refused initialize: ${message}`, { upstream: this.name, upstreamError: response.error });
    }
    this.initializeResult = response.result as Record<string, unknown>;
    const version = this.initializeResult.protocolVersion;
    this.resume(this.sessionId, typeof version === 'string' ? version : String(params.protocolVersion));
  }

  /** Base headers plus warden's own credentials for this upstream (cached by the identity module). */
  async #headersFor(subjectToken: string | undefined, extra?: Record<string, string>): Promise<Record<string, string>> {
    const auth = this.#upstream.auth;
    if (!auth) return extra ? { ...this.#headers, ...extra } : this.#headers;
    return { ...this.#headers, ...extra, ...(await auth(this.#upstream.config, { subjectToken: subjectToken ?? this.#subjectToken })) };
  }

  resume(sessionId: string | undefined, protocolVersion: string): void {
    this.sessionId = sessionId;
    this.protocolVersion = protocolVersion;
    this.#headers = { ...this.#headers, 'mcp-protocol-version': protocolVersion, ...(sessionId ? { 'mcp-session-id': sessionId } : {}) };
  }

  request(method: string, params: Record<string, unknown> | undefined, options?: UpstreamRequestOptions): Promise<JsonRpcResponse> {
    return this.#exchange(method, params, options);
  }

  async #exchange(
    method: string,
    params: Record<string, unknown> | undefined,
    options: UpstreamRequestOptions | undefined,
    onHeaders?: (headers: Dispatcher.ResponseData['headers']) => void,
  ): Promise<JsonRpcResponse> {
    if (this.#closed) throw new WardenError('WARDEN_UPSTREAM_UNAVAILABLE', `upstream ${this.name} session is closed`, { upstream: this.name });
    const id = ++this.#nextId;
    const call = new UpstreamCall(this, id, method, this.#upstream.config.timeoutMs);
    const cancel = options?.cancel;
    cancel?.add(call);
    try {
      const body = stringifyJson({ jsonrpc: '2.0', id, method, params });
      let res: Dispatcher.ResponseData;
      try {
        const base = this.#upstream.auth ? await this.#headersFor(options?.subjectToken) : this.#headers;
        const headers = options?.trace ? { ...base, ...options.trace } : base;
        res = await this.#upstream.pool.request({ path: this.#path, method: 'POST', headers, body, signal: call });
      } catch (err) {
        if (err instanceof WardenError) throw err;
        throw call.reason ?? new WardenError('WARDEN_UPSTREAM_UNAVAILABLE', `upstream ${this.name} unreachable: ${(err as Error).message}`, { upstream: this.name });
      }
      onHeaders?.(res.headers);
      const type = String(res.headers['content-type'] ?? '');
      try {
        if (res.statusCode === 200 && type.startsWith('text/event-stream')) {
          const listener = options?.listener;
          listener?.stream?.();
          const onMessage = (msg: JsonRpcMessage): void => {
            // Progress keeps a long call alive, as the spec allows.
            if (msg.method === 'notifications/progress') call.restartTimer();
            if (listener) listener.message(msg);
            else this.onmessage?.(msg);
          };
          return await this.#readStreamFor(id, res, onMessage);
        }
        const text = await res.body.text();
        let parsed: unknown;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          parsed = undefined;
        }
        if (res.statusCode === 404 && this.sessionId) {
          // The upstream ended or forgot its session (restart, expiry): so does warden's, and the client re-initializes.
          throw new WardenError('WARDEN_SESSION_NOT_FOUND', `upstream ${this.name} ended its session; initialize a new one`, { upstream: this.name });
        }
        if (isMessage(parsed) && isResponse(parsed)) return parsed;
        throw new WardenError('WARDEN_UPSTREAM_ERROR', `upstream ${this.name} answered ${method} with HTTP ${res.statusCode} and no JSON-RPC response`, {
          upstream: this.name,
          status: res.statusCode,
        });
      } catch (err) {
        if (call.reason) throw call.reason;
        if (err instanceof WardenError) throw err;
        throw new WardenError('WARDEN_UPSTREAM_UNAVAILABLE', `upstream ${this.name} connection failed: ${(err as Error).message}`, { upstream: this.name });
      }
    } finally {
      call.settle();
      cancel?.remove(call);
    }
  }

  /** Reads an SSE response until the response to `id` arrives, resuming with Last-Event-ID if the stream breaks. */
  async #readStreamFor(id: number, first: Dispatcher.ResponseData, onMessage: (msg: JsonRpcMessage) => void): Promise<JsonRpcResponse> {
    let response: JsonRpcResponse | undefined;
    let lastEventId: string | undefined;
    let res = first;
    for (let attempt = 0; ; attempt++) {
      try {
        await readSse(res.body, (event) => {
          if (event.id) lastEventId = event.id;
          if (!event.data) return; // priming events carry only an id
          const msg = parseMessage(event.data);
          if (!msg) return;
          if (isResponse(msg) && msg.id === id) response = msg;
          else onMessage(msg);
        });
      } catch (err) {
        if (response) return response;
        if (!lastEventId) throw err;
      }
      if (response) return response;
      if (!lastEventId || attempt >= RESUME_ATTEMPTS || this.#closed) {
        throw new WardenError('WARDEN_UPSTREAM_ERROR', `upstream ${this.name} closed the stream without answering`, { upstream: this.name });
      }
      res = await this.#upstream.streamPool.request({
        path: this.#path,
        method: 'GET',
        headers: await this.#headersFor(undefined, { accept: 'text/event-stream', 'last-event-id': lastEventId }),
      });
      if (res.statusCode !== 200) {
        await res.body.dump();
        throw new WardenError('WARDEN_UPSTREAM_ERROR', `upstream ${this.name} cannot resume the stream (HTTP ${res.statusCode})`, { upstream: this.name });
      }
    }
  }

  /** Tells the upstream to stop working on request `id` (timeout, client cancel). */
  cancelUpstream(id: number, reason: string): void {
    this.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason } }).catch(() => {});
  }

  async send(message: JsonRpcMessage): Promise<void> {
    if (this.#closed) return;
    let res: Dispatcher.ResponseData;
    try {
      res = await this.#upstream.pool.request({
        path: this.#path,
        method: 'POST',
        headers: await this.#headersFor(undefined),
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(this.#upstream.config.timeoutMs),
      });
    } catch (err) {
      throw new WardenError('WARDEN_UPSTREAM_UNAVAILABLE', `upstream ${this.name} unreachable: ${(err as Error).message}`, { upstream: this.name });
    }
    await res.body.dump();
    if (res.statusCode >= 300) {
      this.#logger.debug({ upstream: this.name, status: res.statusCode, method: message.method }, 'upstream refused a message');
    }
  }

  openStream(): void {
    if (this.#streamOpen || this.#closed) return;
    this.#streamOpen = true;
    void this.#runStream();
  }

  async #runStream(): Promise<void> {
    let lastEventId: string | undefined;
    for (let failures = 0; !this.#closed && failures < STREAM_RECONNECT_ATTEMPTS; ) {
      try {
        const res = await this.#upstream.streamPool.request({
          path: this.#path,
          method: 'GET',
          headers: await this.#headersFor(undefined, { accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) }),
          signal: this.#closing.signal,
        });
        if (res.statusCode !== 200) {
          // 405: the upstream has no standalone stream; nothing to relay.
          await res.body.dump();
          return;
        }
        failures = 0;
        await readSse(res.body, (event) => {
          if (event.id) lastEventId = event.id;
          const msg = event.data ? parseMessage(event.data) : undefined;
          if (msg) this.onmessage?.(msg);
        });
      } catch (err) {
        if (this.#closed) return;
        this.#logger.debug({ upstream: this.name, err: (err as Error).message }, 'upstream stream broke');
      }
      failures++;
      await new Promise((resolve) => setTimeout(resolve, 200 * failures));
    }
    this.#streamOpen = false;
  }

  async close(options?: { keepSession?: boolean }): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.abort();
    if (!this.sessionId || options?.keepSession) return;
    try {
      const res = await this.#upstream.pool.request({ path: this.#path, method: 'DELETE', headers: await this.#headersFor(undefined), signal: AbortSignal.timeout(2000) });
      await res.body.dump();
    } catch {
      // The upstream may already be gone; its session expires on its own.
    }
  }
}

/**
 * One upstream request in flight: its timeout, its client cancellation, and its abort signal in
 * the EventTarget shape undici accepts for `signal`. One object instead of an AbortController and
 * closures per call (an AbortController alone costs more than the rest of the call's bookkeeping).
 */
class UpstreamCall {
  aborted = false;
  /** Why the call was aborted; what the call rejects with. */
  reason: WardenError | undefined = undefined;
  readonly #conn: HttpUpstreamConnection;
  readonly #id: number;
  readonly #method: string;
  readonly #timeoutMs: number;
  #timer: ReturnType<typeof setTimeout>;
  #listeners: Array<() => void> | undefined;

  constructor(conn: HttpUpstreamConnection, id: number, method: string, timeoutMs: number) {
    this.#conn = conn;
    this.#id = id;
    this.#method = method;
    this.#timeoutMs = timeoutMs;
    this.#timer = setTimeout(fireTimeout, timeoutMs, this);
  }

  /** Progress keeps a long call alive, as the spec allows. */
  restartTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(fireTimeout, this.#timeoutMs, this);
  }

  /** The call ended, one way or another. */
  settle(): void {
    clearTimeout(this.#timer);
  }

  timedOut(): void {
    const name = this.#conn.name;
    this.#abort(new WardenError('WARDEN_UPSTREAM_TIMEOUT', `upstream ${name} did not answer ${this.#method} within ${this.#timeoutMs} ms`, { upstream: name, timeoutMs: this.#timeoutMs }));
    this.#conn.cancelUpstream(this.#id, 'timeout');
  }

  /** The client cancelled the call (a Cancellation handler). */
  cancelled(why: unknown): void {
    this.#abort(new WardenError('WARDEN_UPSTREAM_UNAVAILABLE', `${this.#method} was cancelled by the client`, { upstream: this.#conn.name, cancelled: true }));
    this.#conn.cancelUpstream(this.#id, String(why ?? 'cancelled'));
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    (this.#listeners ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const listeners = this.#listeners;
    if (!listeners) return;
    const i = listeners.indexOf(listener);
    if (i >= 0) listeners.splice(i, 1);
  }

  #abort(reason: WardenError): void {
    this.reason = reason;
    if (this.aborted) return;
    this.aborted = true;
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners) for (const fn of listeners) fn();
  }
}

function fireTimeout(call: UpstreamCall): void {
  call.timedOut();
}

function parseMessage(data: string): JsonRpcMessage | undefined {
  try {
    const value: unknown = JSON.parse(data);
    return isMessage(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
