/**
 * Upstream MCP servers as stdio child processes. A stdio server serves exactly one
 * client, so each warden session gets its own child: sessions can never see each
 * other's progress, notifications or server→client requests.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { WardenError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import { isMessage, isResponse, progressTokenOf, type JsonRpcId, type JsonRpcMessage, type JsonRpcResponse } from '../protocol/mcp/jsonrpc.ts';
import { stringifyJson } from '../protocol/json.ts';
import type { ConnectOptions, StdioUpstreamConfig, UpstreamConnection, UpstreamListener, UpstreamRequestOptions } from './upstream.ts';

/** Environment variables a child inherits; secrets in warden's environment stay out of upstreams. */
const INHERITED_ENV = process.platform === 'win32' ? ['APPDATA', 'HOMEDRIVE', 'HOMEPATH', 'PATH', 'SYSTEMROOT', 'TEMP', 'USERNAME', 'USERPROFILE'] : ['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER', 'LANG', 'TMPDIR'];

/** How long a freshly started child may take to answer initialize. */
const STARTUP_GRACE_MS = 30_000;

interface Pending {
  resolve: (response: JsonRpcResponse) => void;
  reject: (err: WardenError) => void;
  listener: UpstreamListener | undefined;
  progressToken: JsonRpcId | undefined;
  touch: () => void;
}

/** One configured stdio upstream; `connect` starts a child for a session. */
export class StdioUpstream {
  readonly config: StdioUpstreamConfig;
  constructor(config: StdioUpstreamConfig) {
    this.config = config;
  }

  async connect(options: ConnectOptions): Promise<UpstreamConnection> {
    const conn = new StdioUpstreamConnection(this.config, options.logger, options.initParams);
    await conn.start(Boolean(options.resume));
    return conn;
  }

  async close(): Promise<void> {}
}

class StdioUpstreamConnection implements UpstreamConnection {
  readonly name: string;
  readonly sessionId = undefined;
  protocolVersion = '';
  initializeResult: Record<string, unknown> | undefined;
  onmessage: ((message: JsonRpcMessage) => void) | undefined;
  readonly #config: StdioUpstreamConfig;
  readonly #logger: Logger;
  readonly #initParams: Record<string, unknown>;
  #child: ChildProcessWithoutNullStreams | undefined;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #restarts = 0;
  #closed = false;
  #clientInitialized = false;

  constructor(config: StdioUpstreamConfig, logger: Logger, initParams: Record<string, unknown>) {
    this.#config = config;
    this.name = config.name;
    this.#logger = logger;
    this.#initParams = initParams;
  }

  /** Spawns the child and initializes it; `initialized` says the client already finished its handshake. */
  async start(initialized: boolean): Promise<void> {
    this.#spawn();
    // Starting a process is not a call: give it a start-up grace beyond the per-call timeout.
    const response = await this.#request('initialize', this.#initParams, undefined, Math.max(this.#config.timeoutMs, STARTUP_GRACE_MS));
    if (response.error !== undefined || typeof response.result !== 'object' || response.result === null) {
      throw new WardenError('WARDEN_UPSTREAM_ERROR', `upstream ${this.name} refused initialize`, { upstream: this.name, upstreamError: response.error });
    }
    this.initializeResult = response.result as Record<string, unknown>;
    const version = this.initializeResult.protocolVersion;
    this.protocolVersion = typeof version === 'string' ? version : String(this.#initParams.protocolVersion);
    if (initialized) {
      this.#clientInitialized = true;
      this.#write({ jsonrpc: '2.0', method: 'notifications/initialized' });
    }
  }

  #spawn(): void {
    const env: Record<string, string> = {};
    for (const key of INHERITED_ENV) {
      const value = process.env[key];
      if (value !== undefined && !value.startsWith('()')) env[key] = value;
    }
    Object.assign(env, this.#config.env);
    const child = spawn(this.#config.command, this.#config.args, { env, cwd: this.#config.cwd, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    this.#child = child;
    child.stdin.on('error', () => {}); // a dead child is reported by 'exit'
    createInterface({ input: child.stdout }).on('line', (line) => this.#onLine(line));
    createInterface({ input: child.stderr }).on('line', (line) => this.#logger.info({ upstream: this.name }, line));
    child.on('error', (err) => {
      this.#logger.error({ upstream: this.name, err: err.message }, 'upstream process failed to start');
      this.#failPending(`upstream ${this.name} could not start: ${err.message}`);
    });
    child.on('exit', (code, signal) => this.#onExit(child, code, signal));
  }

  #onExit(child: ChildProcessWithoutNullStreams, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#child !== child) return;
    this.#child = undefined;
    this.#failPending(`upstream ${this.name} process exited (${signal ?? `code ${code}`})`);
    if (this.#closed) return;
    const { policy, maxRestarts, backoffMs } = this.#config.restart;
    const failed = code !== 0;
    if (policy === 'never' || (policy === 'on-failure' && !failed) || this.#restarts >= maxRestarts) {
      this.#logger.warn({ upstream: this.name, code, signal }, 'upstream process exited; not restarting');
      return;
    }
    this.#restarts++;
    this.#logger.warn({ upstream: this.name, code, signal, restart: this.#restarts }, 'upstream process exited; restarting');
    setTimeout(() => {
      if (this.#closed) return;
      this.start(this.#clientInitialized).catch((err: Error) => this.#logger.error({ upstream: this.name, err: err.message }, 'upstream restart failed'));
    }, backoffMs * this.#restarts).unref();
  }

  #failPending(message: string): void {
    for (const pending of this.#pending.values()) pending.reject(new WardenError('WARDEN_UPSTREAM_UNAVAILABLE', message, { upstream: this.name }));
    this.#pending.clear();
  }

  #onLine(line: string): void {
    if (!line.trim()) return;
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      this.#logger.warn({ upstream: this.name, line: line.slice(0, 200) }, 'upstream wrote a non-JSON line on stdout');
      return;
    }
    if (!isMessage(msg)) return;
    if (isResponse(msg) && typeof msg.id === 'number') {
      const pending = this.#pending.get(msg.id);
      if (pending) {
        this.#pending.delete(msg.id);
        pending.resolve(msg);
        return;
      }
    }
    if (msg.method === 'notifications/progress') {
      const token = (msg.params as { progressToken?: JsonRpcId } | undefined)?.progressToken;
      for (const pending of this.#pending.values()) {
        if (pending.progressToken !== undefined && pending.progressToken === token) {
          pending.touch();
          pending.listener?.message(msg);
          return;
        }
      }
    }
    this.onmessage?.(msg);
  }

  #write(message: JsonRpcMessage): void {
    const child = this.#child;
    if (!child || !child.stdin.writable) throw new WardenError('WARDEN_UPSTREAM_UNAVAILABLE', `upstream ${this.name} process is not running`, { upstream: this.name });
    child.stdin.write(stringifyJson(message) + '\n');
  }

  request(method: string, params: Record<string, unknown> | undefined, options?: UpstreamRequestOptions): Promise<JsonRpcResponse> {
    return this.#request(method, params, options, this.#config.timeoutMs);
  }

  #request(method: string, params: Record<string, unknown> | undefined, options: UpstreamRequestOptions | undefined, timeoutMs: number): Promise<JsonRpcResponse> {
    const id = ++this.#nextId;
    return new Promise<JsonRpcResponse>((resolve, reject) => {
      let timer: NodeJS.Timeout;
      let unregister: (() => void) | undefined;
      const cleanup = (): void => {
        clearTimeout(timer);
        unregister?.();
      };
      const fail = (err: WardenError, cancelReason: string): void => {
        if (!this.#pending.delete(id)) return;
        cleanup();
        try {
          this.#write({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: cancelReason } });
        } catch {
          // the child is gone; nothing to cancel
        }
        reject(err);
      };
      const onTimeout = (): void =>
        fail(new WardenError('WARDEN_UPSTREAM_TIMEOUT', `upstream ${this.name} did not answer ${method} within ${timeoutMs} ms`, { upstream: this.name, timeoutMs }), 'timeout');
      const onCancel = (why: unknown): void =>
        fail(new WardenError('WARDEN_UPSTREAM_UNAVAILABLE', `${method} was cancelled by the client`, { upstream: this.name, cancelled: true }), String(why ?? 'cancelled'));
      timer = setTimeout(onTimeout, timeoutMs);
      unregister = options?.cancel?.onCancel(onCancel);
      this.#pending.set(id, {
        resolve: (r) => {
          cleanup();
          resolve(r);
        },
        reject: (e) => {
          cleanup();
          reject(e);
        },
        listener: options?.listener,
        progressToken: progressTokenOf(params),
        touch: () => {
          clearTimeout(timer);
          timer = setTimeout(onTimeout, timeoutMs);
        },
      });
      try {
        this.#write({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
      } catch (err) {
        this.#pending.delete(id);
        cleanup();
        reject(err);
      }
    });
  }

  async send(message: JsonRpcMessage): Promise<void> {
    if (message.method === 'notifications/initialized') this.#clientInitialized = true;
    this.#write(message);
  }

  openStream(): void {
    // stdout is the standalone stream; it is always open.
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const child = this.#child;
    this.#failPending(`upstream ${this.name} session closed`);
    if (!child) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 2000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.stdin.end();
      child.kill('SIGTERM');
    });
  }
}
