/**
 * Creating, finding and ending warden MCP sessions. Live sessions are kept in
 * memory; the SessionStore lets a session created on another replica continue here.
 */
import { randomBytes } from 'node:crypto';
import { WardenError } from '../../errors.ts';
import type { Logger } from '../../observability/logger.ts';
import type { Upstream, UpstreamConnection } from '../../transport/upstream.ts';
import type { JsonRpcRequest } from './jsonrpc.ts';
import { McpSession } from './session.ts';
import type { SessionRecord, SessionStore } from './session-store.ts';
import { negotiateVersion } from './versions.ts';

export interface SessionManagerOptions {
  upstreams: ReadonlyMap<string, Upstream>;
  store: SessionStore;
  idleTimeoutS: number;
  logger: Logger;
  /** serverInfo for aggregated sessions. */
  serverInfo: { name: string; version: string };
}

export class SessionManager {
  readonly #opts: SessionManagerOptions;
  readonly #live = new Map<string, McpSession>();
  readonly #loading = new Map<string, Promise<McpSession | undefined>>();
  readonly #sweep: NodeJS.Timeout;

  constructor(opts: SessionManagerOptions) {
    this.#opts = opts;
    this.#sweep = setInterval(() => this.#closeIdle(), Math.min(60_000, opts.idleTimeoutS * 500)).unref();
  }

  get size(): number {
    return this.#live.size;
  }

  /** Handles `initialize`: connects the route's upstreams and answers for them. */
  async create(route: string | null, init: JsonRpcRequest, ownerAgentId: string, subjectToken?: string): Promise<{ session: McpSession; result: Record<string, unknown> }> {
    const params = init.params ?? {};
    const version = negotiateVersion(params.protocolVersion);
    const initParams = { ...params, protocolVersion: version };
    const names = route === null ? [...this.#opts.upstreams.keys()] : [route];
    const { logger } = this.#opts;
    const settled = await Promise.allSettled(names.map((name) => this.#opts.upstreams.get(name)!.connect({ initParams, logger, subjectToken })));
    const connections = new Map<string, UpstreamConnection>();
    let failure: unknown;
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') connections.set(names[i]!, s.value);
      else {
        failure ??= s.reason;
        logger.warn({ upstream: names[i], err: (s.reason as Error).message }, 'upstream did not initialize');
      }
    });
    if (connections.size === 0 || (names.length === 1 && failure)) {
      throw failure instanceof WardenError ? failure : new WardenError('WARDEN_UPSTREAM_UNAVAILABLE', `no upstream could be reached: ${(failure as Error)?.message}`);
    }
    const record: SessionRecord = {
      id: randomBytes(24).toString('base64url'),
      ownerAgentId,
      protocolVersion: version,
      clientCapabilities: (params.capabilities as Record<string, unknown> | undefined) ?? {},
      route,
      upstreams: {},
      createdAt: Date.now(),
    };
    if (params.clientInfo && typeof params.clientInfo === 'object') record.clientInfo = params.clientInfo as Record<string, unknown>;
    for (const [name, conn] of connections) record.upstreams[name] = { protocolVersion: conn.protocolVersion, ...(conn.sessionId ? { sessionId: conn.sessionId } : {}) };
    const session = new McpSession(record, connections, logger);
    await this.#opts.store.put(record, this.#opts.idleTimeoutS);
    this.#live.set(record.id, session);
    return { session, result: this.#initializeResult(session, version) };
  }

  #initializeResult(session: McpSession, version: string): Record<string, unknown> {
    const results = [...session.connections.values()].map((c) => c.initializeResult ?? {});
    if (!session.namespaced) return { ...results[0], protocolVersion: version };
    const capabilities: Record<string, unknown> = {};
    for (const r of results) mergeCapabilities(capabilities, (r.capabilities as Record<string, unknown> | undefined) ?? {});
    const instructions = [...session.connections.keys()]
      .map((name, i) => (typeof results[i]?.instructions === 'string' ? `[${name}] ${results[i]!.instructions as string}` : ''))
      .filter(Boolean)
      .join('\n\n');
    return { protocolVersion: version, capabilities, serverInfo: this.#opts.serverInfo, ...(instructions ? { instructions } : {}) };
  }

  /** The live session, resumed from the store if another replica created it; undefined if unknown. */
  get(id: string): McpSession | Promise<McpSession | undefined> | undefined {
    const live = this.#live.get(id);
    if (live) {
      live.lastSeen = Date.now();
      return live;
    }
    let loading = this.#loading.get(id);
    if (!loading) {
      loading = this.#resume(id).finally(() => this.#loading.delete(id));
      this.#loading.set(id, loading);
    }
    return loading;
  }

  async #resume(id: string): Promise<McpSession | undefined> {
    const record = await this.#opts.store.get(id);
    if (!record) return undefined;
    const { logger } = this.#opts;
    const initParams = { protocolVersion: record.protocolVersion, capabilities: record.clientCapabilities, clientInfo: record.clientInfo ?? { name: 'warden-resumed', version: '0' } };
    const connections = new Map<string, UpstreamConnection>();
    for (const [name, up] of Object.entries(record.upstreams)) {
      const upstream = this.#opts.upstreams.get(name);
      if (!upstream) continue;
      connections.set(name, await upstream.connect({ initParams, logger, resume: up }));
    }
    const session = new McpSession(record, connections, logger);
    this.#live.set(id, session);
    logger.info({ session: id }, 'resumed a session created on another replica');
    return session;
  }

  /** Ends a session everywhere (client DELETE). */
  async remove(session: McpSession): Promise<void> {
    this.#live.delete(session.record.id);
    await Promise.allSettled([session.close(), this.#opts.store.delete(session.record.id)]);
  }

  #closeIdle(): void {
    const cutoff = Date.now() - this.#opts.idleTimeoutS * 1000;
    for (const session of this.#live.values()) {
      if (session.lastSeen < cutoff && !session.hasStream && session.inflight.size === 0) void this.remove(session);
    }
  }

  /**
   * Shutdown. With a shared store (`keepSessions`) records and HTTP upstream sessions stay
   * for the other replicas; otherwise every session ends here.
   */
  async closeAll(options?: { keepSessions?: boolean }): Promise<void> {
    clearInterval(this.#sweep);
    const sessions = [...this.#live.values()];
    this.#live.clear();
    await Promise.allSettled(sessions.map((s) => s.close({ keepSession: options?.keepSessions === true })));
  }
}

/** Union of capabilities: objects merge, booleans OR. */
function mergeCapabilities(into: Record<string, unknown>, from: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(from)) {
    const existing = into[key];
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const target = typeof existing === 'object' && existing !== null ? (existing as Record<string, unknown>) : {};
      mergeCapabilities(target, value as Record<string, unknown>);
      into[key] = target;
    } else if (typeof value === 'boolean') into[key] = existing === true || value;
    else if (existing === undefined) into[key] = value;
  }
}
