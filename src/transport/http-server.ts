/**
 * The inbound HTTP server on raw node:http: `/mcp` and `/mcp/<upstream>` go straight
 * to the MCP endpoint (no framework on the per-call path); side routes (health,
 * metrics, well-known documents, token endpoints) are matched by method and path.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { asWardenError, WardenError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import { writeError, type McpEndpoint } from '../protocol/mcp/endpoint.ts';
import { createOriginCheck, type OriginPolicy } from './origin.ts';

export interface SideRoute {
  method: string;
  path: string;
  handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
}

export interface HttpServerOptions {
  mcp: McpEndpoint;
  routes: readonly SideRoute[];
  origin: OriginPolicy;
  logger: Logger;
}

export function createHttpServer(opts: HttpServerOptions): Server {
  const checkOrigin = createOriginCheck(opts.origin);
  const routes = new Map<string, SideRoute['handler']>();
  for (const r of opts.routes) routes.set(`${r.method.toUpperCase()} ${r.path}`, r.handler);
  if (!routes.has('GET /healthz')) routes.set('GET /healthz', (_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'));

  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path === '/mcp' || path.startsWith('/mcp/')) {
      let route: string | null = null;
      try {
        if (path.length > 5) {
          route = decodeRoute(path.slice(5));
          if (route.endsWith('/')) route = route.slice(0, -1);
        }
        checkOrigin(req);
      } catch (err) {
        writeError(res, asWardenError(err), null);
        return;
      }
      void opts.mcp(req, res, route || null);
      return;
    }
    const handler = routes.get(`${req.method} ${path}`);
    if (!handler) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'WARDEN_BAD_REQUEST', message: `no route for ${req.method} ${path}` } }));
      return;
    }
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((err: unknown) => {
        opts.logger.error({ err, path }, 'side route failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'WARDEN_INTERNAL', message: 'internal error' } }));
        else res.end();
      });
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  return server;
}

function decodeRoute(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new WardenError('WARDEN_UNKNOWN_UPSTREAM', `no upstream named ${JSON.stringify(raw)}`);
  }
}
