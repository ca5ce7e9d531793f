/**
 * The inbound HTTP server on raw node:http: `/mcp` and `/mcp/<upstream>` go straight
 * to the MCP endpoint (no framework on the per-call path); side routes (health,
 * metrics, well-known documents, token endpoints) are matched by method and path.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
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
  /** Serve HTTPS; client certificates are requested but judged by the identity stage (SPIFFE), not by TLS. */
  tls?: TlsFiles;
}

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** CAs sent to clients as acceptable issuers; verification itself is the identity stage's. */
  caFile?: string | undefined;
  /** Ask clients for a certificate (default true). */
  requestClientCert?: boolean | undefined;
}

// One DER copy per TLS connection, not per call.
const peerCerts = new WeakMap<object, Uint8Array | null>();

/** The DER client certificate of the request's TLS connection, if it presented one. */
export function peerCertificateOf(req: IncomingMessage): Uint8Array | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  let der = peerCerts.get(socket);
  if (der === undefined) {
    const raw = socket.getPeerCertificate(true)?.raw;
    der = raw && raw.length > 0 ? new Uint8Array(raw.buffer, raw.byteOffset, raw.length) : null;
    peerCerts.set(socket, der);
  }
  return der ?? undefined;
}

export function createHttpServer(opts: HttpServerOptions): Server {
  const checkOrigin = createOriginCheck(opts.origin);
  const routes = new Map<string, SideRoute['handler']>();
  for (const r of opts.routes) routes.set(`${r.method.toUpperCase()} ${r.path}`, r.handler);
  if (!routes.has('GET /healthz')) routes.set('GET /healthz', (_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'));

  const listener: RequestListener = (req, res) => {
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
  };
  const server: Server = opts.tls
    ? (createHttpsServer(
        {
          keepAliveTimeout: 65_000,
          cert: readFileSync(opts.tls.certFile),
          key: readFileSync(opts.tls.keyFile),
          ...(opts.tls.caFile ? { ca: readFileSync(opts.tls.caFile) } : {}),
          requestCert: opts.tls.requestClientCert ?? true,
          rejectUnauthorized: false,
        },
        listener,
      ) as unknown as Server)
    : createServer({ keepAliveTimeout: 65_000 }, listener);
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
