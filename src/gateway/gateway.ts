/**
 * Gateway assembly: configuration + stages → pipeline → upstreams → HTTP server.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WardenConfig } from '../config/schema.ts';
import { WardenError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import { metrics as processMetrics, type WardenMetrics } from '../observability/metrics.ts';
import { detokenizeRoute } from '../pii/detokenize.ts';
import type { TokenVault } from '../pii/vault.ts';
import { newDecisionRecord } from '../pipeline/decision.ts';
import { createPipeline } from '../pipeline/pipeline.ts';
import type { CallContext, Stage } from '../pipeline/types.ts';
import { createMcpEndpoint, type AuthResult } from '../protocol/mcp/endpoint.ts';
import type { ToolVisibility } from '../protocol/mcp/router.ts';
import { MemorySessionStore, type SessionStore } from '../protocol/mcp/session-store.ts';
import { SessionManager } from '../protocol/mcp/sessions.ts';
import { forwardStage } from '../stages/forward/index.ts';
import { recordCall } from './observe.ts';
import { createHttpServer, peerCertificateOf, type SideRoute } from '../transport/http-server.ts';
import type { UpstreamAuth } from '../transport/upstream.ts';
import { createUpstreams } from '../transport/upstreams.ts';

export interface GatewayOptions {
  config: Readonly<WardenConfig>;
  /** Security stages (any order; the pipeline sorts them). A forward stage is added when missing. */
  stages: Stage[];
  /** Extra HTTP routes beside /mcp (health, metrics, well-known documents, token endpoints). */
  routes?: SideRoute[];
  toolVisibility?: ToolVisibility;
  /** How warden authenticates to upstreams that need credentials (src/identity/upstream-auth.ts). */
  upstreamAuth?: UpstreamAuth;
  /** Where session records live; in memory unless given (e.g. Redis for several replicas). */
  sessionStore?: SessionStore;
  logger: Logger;
  /** Where calls are counted and what `config.metrics.path` serves (default: the process-wide metrics). */
  metrics?: WardenMetrics;
  /** The PII token vault; when given, `POST /pii/detokenize` is served to agents whose manifest says `detokenize: true`. */
  detokenizeVault?: TokenVault;
}

export interface Gateway {
  /** Starts listening; resolves with the MCP endpoint URL. */
  listen(): Promise<{ url: string }>;
  /** The MCP endpoint URL as clients should name it (RFC 8707 resource); the real port once listening. */
  resource(): string;
  /** Stops accepting, finishes in-flight calls, closes sessions, stages and upstreams. */
  close(): Promise<void>;
}

/** How long close() waits for in-flight calls before cutting them off. */
const DRAIN_MS = 10_000;

export function createGateway(options: GatewayOptions): Gateway {
  const { config, logger } = options;
  const stages = options.stages.some((s) => s.name === 'forward') ? options.stages : [...options.stages, forwardStage()];
  const pipeline = createPipeline(stages);
  const upstreams = createUpstreams(config.upstreams, options.upstreamAuth);
  const store: SessionStore = options.sessionStore ?? new MemorySessionStore();
  const sessions = new SessionManager({
    upstreams,
    store,
    idleTimeoutS: config.server.sessionIdleTimeoutS,
    logger,
    serverInfo: { name: 'warden', version: '0.1.0' },
  });
  let resource = publicBase(config, config.server.port) + '/mcp';
  const authenticate = createAuthenticator(stages, config, () => resource);
  const metrics = options.metrics ?? processMetrics;
  const audit = stages.find((s) => s.name === 'audit' && s.onSettled);
  const observe = (ctx: CallContext, inPipeline: boolean): void => {
    // Refusals made before the pipeline (unknown tool, unroutable method) are audited here.
    if (!inPipeline && audit) void Promise.resolve(audit.onSettled!(ctx)).catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'audit of a refused call failed'));
    if (config.metrics.enabled) recordCall(metrics, ctx);
  };
  const routes: SideRoute[] = [...(options.routes ?? [])];
  if (config.metrics.enabled) routes.push({ method: 'GET', path: config.metrics.path, handler: (req, res) => metrics.handler(req, res) });
  if (options.detokenizeVault) {
    routes.push(
      detokenizeRoute({
        vault: options.detokenizeVault,
        logger,
        async authorize(req) {
          const auth = await authenticate(req, 'pii/detokenize');
          return (auth.agent?.manifest as { detokenize?: boolean } | undefined)?.detokenize === true;
        },
      }),
    );
  }
  const endpoint = createMcpEndpoint({
    sessions,
    pipeline,
    authenticate,
    ...(options.toolVisibility ? { toolVisibility: options.toolVisibility } : {}),
    get resource() {
      return resource;
    },
    bodyLimitBytes: config.server.bodyLimitBytes,
    knownUpstreams: new Set(upstreams.keys()),
    logger,
    peerCertificate: peerCertificateOf,
    observe,
  });
  let inflight = 0;
  let drained: (() => void) | undefined;
  const server: Server = createHttpServer({
    mcp: async (req, res, route) => {
      inflight++;
      try {
        await endpoint(req, res, route);
      } finally {
        if (--inflight === 0) drained?.();
      }
    },
    routes,
    ...(config.server.tls ? { tls: config.server.tls } : {}),
    origin: { bindHost: config.server.host, allowedOrigins: config.server.allowedOrigins, allowedHosts: config.server.allowedHosts },
    logger,
  });

  return {
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.server.port, config.server.host, () => {
          server.off('error', reject);
          const { port } = server.address() as AddressInfo;
          resource = publicBase(config, port) + '/mcp';
          const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
          resolve({ url: `${config.server.tls ? 'https' : 'http'}://${host}:${port}/mcp` });
        });
      }),
    resource: () => resource,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inflight > 0) {
        await Promise.race([new Promise<void>((resolve) => (drained = resolve)), new Promise((resolve) => setTimeout(resolve, DRAIN_MS).unref())]);
      }
      // A store of our own dies with this process; a shared one outlives it.
      await sessions.closeAll({ keepSessions: options.sessionStore !== undefined });
      server.closeAllConnections();
      await closed;
      for (const stage of stages) {
        const close = (stage as { close?: () => unknown }).close;
        if (typeof close === 'function') {
          try {
            await close.call(stage);
          } catch (err) {
            logger.warn({ stage: stage.name, err: (err as Error).message }, 'stage failed to close');
          }
        }
      }
      await Promise.allSettled([...upstreams.values()].map((u) => u.close()));
      await store.close?.();
    },
  };
}

function publicBase(config: Readonly<WardenConfig>, port: number): string {
  if (config.server.publicUrl) return config.server.publicUrl.replace(/\/+$/, '');
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  return `${config.server.tls ? 'https' : 'http'}://${host}:${port}`;
}

/**
 * Authentication per HTTP request: the identity stage's onRequest on a context of its
 * own (it is idempotent, so the pipeline run skips it). Without an identity stage only
 * the configured anonymous / loopback mappings admit a caller; everything else is refused.
 */
function createAuthenticator(stages: readonly Stage[], config: Readonly<WardenConfig>, resource: () => string) {
  const identity = stages.find((s) => s.name === 'identity' && s.onRequest);
  const { allowAnonymous, anonymousAgent, loopbackAgent } = config.identity;
  const pick = (ctx: CallContext): AuthResult => ({ agent: ctx.agent, user: ctx.user, token: ctx.token, task: ctx.task });

  return (req: IncomingMessage, method: string): AuthResult | Promise<AuthResult> => {
    if (!identity) {
      const ip = req.socket.remoteAddress ?? '';
      if (loopbackAgent && !req.headers.authorization && isLoopbackIp(ip)) return { agent: { id: loopbackAgent, kind: 'anonymous' } };
      if (allowAnonymous && !req.headers.authorization) return { agent: { id: anonymousAgent, kind: 'anonymous' } };
      throw new WardenError('WARDEN_UNAUTHENTICATED', 'a bearer token is required', { wwwAuthenticate: 'Bearer' });
    }
    const ctx: CallContext = {
      decision: newDecisionRecord(),
      request: {
        protocol: 'mcp',
        method,
        transport: 'streamable-http',
        ip: req.socket.remoteAddress ?? '',
        time: Date.now(),
        headers: req.headers,
        resource: resource(),
      },
      facts: {},
    };
    const peer = peerCertificateOf(req);
    if (peer) (ctx.request as { peerCertificate?: Uint8Array }).peerCertificate = peer;
    const pending = identity.onRequest!(ctx);
    return pending ? pending.then(() => pick(ctx)) : pick(ctx);
  };
}

function isLoopbackIp(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}

