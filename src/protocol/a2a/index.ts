/**
 * A2A termination: for each configured agent `<name>`, warden serves
 *   GET  /a2a/<name>/.well-known/agent-card.json   (and the older agent.json)
 *   POST /a2a/<name>                               (JSON-RPC, unary and SSE)
 * as side routes of the gateway's HTTP server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WardenConfig } from '../../config/schema.ts';
import { asWardenError, WardenError } from '../../errors.ts';
import type { Logger } from '../../observability/logger.ts';
import type { Pipeline } from '../../pipeline/pipeline.ts';
import type { SideRoute } from '../../transport/http-server.ts';
import { createOriginCheck } from '../../transport/origin.ts';
import type { AuthResult } from '../mcp/endpoint.ts';
import { rewriteAgentCard } from './card.ts';
import { createA2aEndpoint } from './endpoint.ts';
import { A2aUpstream } from './upstream.ts';
import { a2aErrorResponse } from './wire.ts';

export { rewriteAgentCard } from './card.ts';
export { a2aMethod } from './methods.ts';

export interface A2aOptions {
  config: Readonly<WardenConfig>;
  /** The gateway's pipeline (or one built from the same stages, with a forward stage). */
  pipeline: Pipeline;
  /** The gateway's per-request authenticator; without it the pipeline's identity stage authenticates each call. */
  authenticate?: (req: IncomingMessage, method: string) => AuthResult | Promise<AuthResult>;
  /** The RFC 8707 resource for token audience checks (the gateway's resource). */
  resource?: string | (() => string);
  logger: Logger;
}

export interface A2aMount {
  routes: SideRoute[];
  /**
   * Refuses new calls, waits for in-flight ones (streams are cut after 10 s), then closes the
   * upstream pools. Call it before the gateway's close(), which closes the stages (audit).
   */
  close(): Promise<void>;
}

/** How long close() lets in-flight calls run before cutting them off. */
const DRAIN_MS = 10_000;

/** The A2A side routes, and a close that drains their calls and closes their upstream pools. */
export function mountA2a(opts: A2aOptions): A2aMount {
  const { config, logger } = opts;
  const checkOrigin = createOriginCheck({ bindHost: config.server.host, allowedOrigins: config.server.allowedOrigins, allowedHosts: config.server.allowedHosts });
  const publicUrl = config.server.publicUrl?.replace(/\/+$/, '');
  const baseOf = (req: IncomingMessage): string => publicUrl ?? `http://${req.headers.host ?? `${config.server.host}:${config.server.port}`}`;
  const resource = typeof opts.resource === 'function' ? opts.resource : () => opts.resource as string | undefined;
  const upstreams = config.a2a.agents.map((agent) => new A2aUpstream(agent));
  const routes: SideRoute[] = [];
  // In-flight calls, so close() can let them finish (and be audited) before the stages close.
  let inflight = 0;
  let closing = false;
  let drained: (() => void) | undefined;

  for (const upstream of upstreams) {
    const path = `/a2a/${upstream.name}`;
    const wardenUrl = (req: IncomingMessage): string => baseOf(req) + path;
    const endpoint = createA2aEndpoint({ pipeline: opts.pipeline, ...(opts.authenticate ? { authenticate: opts.authenticate } : {}), resource, wardenUrl, bodyLimitBytes: config.server.bodyLimitBytes, logger });
    const rpc = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      try {
        checkOrigin(req);
      } catch (err) {
        return refuse(res, asWardenError(err));
      }
      if (closing) return refuse(res, new WardenError('WARDEN_UPSTREAM_UNAVAILABLE', 'warden is shutting down', { upstream: upstream.name }));
      inflight++;
      try {
        await endpoint(req, res, upstream);
      } finally {
        if (--inflight === 0) drained?.();
      }
    };
    const card = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      try {
        checkOrigin(req);
        const version = req.headers['a2a-version'];
        const fetched = await upstream.fetchCard(typeof version === 'string' ? { 'a2a-version': version } : {});
        const json = JSON.stringify(rewriteAgentCard(fetched, wardenUrl(req)));
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json), 'cache-control': 'no-cache', vary: 'A2A-Version' }).end(json);
      } catch (err) {
        const failure = asWardenError(err);
        logger.warn({ agent: upstream.name, code: failure.code, err: failure.message }, 'A2A agent card not served');
        refuse(res, failure);
      }
    };
    routes.push(
      { method: 'POST', path, handler: rpc },
      { method: 'POST', path: `${path}/`, handler: rpc },
      { method: 'GET', path: `${path}/.well-known/agent-card.json`, handler: card },
      { method: 'GET', path: `${path}/.well-known/agent.json`, handler: card },
    );
  }

  const allSettled = (waitMs: number): Promise<unknown> =>
    inflight === 0 ? Promise.resolve() : Promise.race([new Promise<void>((resolve) => (drained = resolve)), new Promise((resolve) => setTimeout(resolve, waitMs).unref())]);

  return {
    routes,
    close: async () => {
      closing = true;
      await allSettled(DRAIN_MS);
      // Streams still open past the drain time are cut; their calls still settle (and are audited).
      if (inflight > 0) await Promise.allSettled(upstreams.map((u) => u.destroy()));
      await allSettled(1000);
      await Promise.allSettled(upstreams.map((u) => u.close()));
    },
  };
}

/** The A2A side routes alone, for `createGateway({routes})`; mountA2a also gives a close to drain them. */
export function a2aRoutes(opts: A2aOptions): SideRoute[] {
  return mountA2a(opts).routes;
}

function refuse(res: ServerResponse, err: ReturnType<typeof asWardenError>): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const json = JSON.stringify(a2aErrorResponse(null, err));
  res.writeHead(err.httpStatus === 200 ? 400 : err.httpStatus, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) }).end(json);
}
