/**
 * HTTP routes the identity area serves on the gateway:
 *   GET  /.well-known/oauth-protected-resource[/<path>]  RFC 9728 metadata
 *   POST /oauth/token                                     RFC 8693 exchange → task tokens
 *   GET  /.well-known/jwks.json                           dev issuer + task issuer public keys
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../observability/logger.ts';
import type { AgentRegistry } from './agents.ts';
import { Authenticator } from './authenticate.ts';
import type { IdentityConfig } from './config.ts';
import { loadOrCreateSigningKey } from './keys.ts';
import { TaskTokens, taskIssuerFor } from './task-token.ts';
import { exchangeToken, OAuthError } from './token-exchange.ts';

export interface IdentityRoute {
  method: string;
  path: string;
  handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
}

export interface IdentityRoutesOptions {
  config: IdentityConfig;
  agents: AgentRegistry;
  /** This gateway's resource URL (RFC 8707), e.g. http://127.0.0.1:8080/mcp; a getter when known only after listen. */
  resource: string | (() => string);
  logger?: Logger;
  /** Share with identityStage / taskScopeStage so each token is verified once. */
  authenticator?: Authenticator;
  taskTokens?: TaskTokens;
}

const MAX_FORM_BYTES = 64 * 1024;

export function identityRoutes(opts: IdentityRoutesOptions): IdentityRoute[] {
  const { config } = opts;
  const resourceNow = typeof opts.resource === 'function' ? opts.resource : () => opts.resource as string;
  const authenticator = opts.authenticator ?? new Authenticator({ config, agents: opts.agents });
  const taskTokens = opts.taskTokens ?? new TaskTokens(config);
  // The path is fixed even when the port is not known yet.
  const resourcePath = new URL(resourceNow()).pathname.replace(/\/+$/, '');
  const scopes = [...new Set([...Object.values(config.requiredScopes).flat(), ...opts.agents.agents.flatMap((a) => Object.values(a.requiredScopes).flat())])];

  let metadataFor = '';
  let metadata = '';
  const currentMetadata = (): string => {
    const resource = resourceNow();
    if (resource !== metadataFor) {
      metadataFor = resource;
      metadata = JSON.stringify({
        resource,
        authorization_servers: [...new Set([...config.issuers.map((i) => i.issuer), taskIssuerFor(resource)])],
        scopes_supported: scopes,
        bearer_methods_supported: ['header'],
        jwks_uri: `${new URL(resource).origin}/.well-known/jwks.json`,
        resource_name: 'warden',
        authorization_details_types_supported: ['agent_task'],
      });
    }
    return metadata;
  };

  const jwks = (): string => {
    const keys = [taskTokens.publicJwk];
    if (config.devIssuer) keys.push(loadOrCreateSigningKey(config.devIssuerKeyFile).publicJwk);
    return JSON.stringify({ keys });
  };

  const sendMetadata = (_req: IncomingMessage, res: ServerResponse) => sendJson(res, 200, currentMetadata(), 'public, max-age=300');

  const routes: IdentityRoute[] = [
    { method: 'GET', path: '/.well-known/oauth-protected-resource', handler: sendMetadata },
    { method: 'GET', path: '/.well-known/jwks.json', handler: (_req, res) => sendJson(res, 200, jwks(), 'public, max-age=300') },
    {
      method: 'POST',
      path: '/oauth/token',
      handler: async (req, res) => {
        try {
          const params = await readForm(req);
          const answer = await exchangeToken(params, { config, authenticator, taskTokens, resource: resourceNow() });
          sendJson(res, 200, JSON.stringify(answer), 'no-store');
        } catch (err) {
          const oauth = err instanceof OAuthError ? err : new OAuthError('invalid_request', 'WARDEN_INTERNAL', 'internal error', 500);
          if (!(err instanceof OAuthError)) opts.logger?.error({ err }, 'token exchange failed');
          sendJson(res, oauth.status, JSON.stringify(oauth.body()), 'no-store');
        }
      },
    },
  ];
  if (resourcePath) routes.push({ method: 'GET', path: `/.well-known/oauth-protected-resource${resourcePath}`, handler: sendMetadata });
  return routes;
}

function sendJson(res: ServerResponse, status: number, body: string, cacheControl: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': cacheControl, ...(cacheControl === 'no-store' ? { pragma: 'no-cache' } : {}) });
  res.end(body);
}

/** Reads an application/x-www-form-urlencoded (or JSON) body; uses req.body when a framework parsed it already. */
async function readForm(req: IncomingMessage): Promise<Record<string, string | undefined>> {
  const parsed = (req as IncomingMessage & { body?: unknown }).body;
  if (parsed && typeof parsed === 'object' && !Buffer.isBuffer(parsed)) return stringsOf(parsed as Record<string, unknown>);
  const chunks: Buffer[] = [];
  let size = 0;
  if (Buffer.isBuffer(parsed)) chunks.push(parsed);
  else {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_FORM_BYTES) throw new OAuthError('invalid_request', 'WARDEN_BODY_TOO_LARGE', `request body exceeds ${MAX_FORM_BYTES} bytes`, 413);
      chunks.push(chunk as Buffer);
    }
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') {
    try {
      return stringsOf(JSON.parse(text) as Record<string, unknown>);
    } catch {
      throw new OAuthError('invalid_request', 'WARDEN_PARSE_ERROR', 'request body is not valid JSON');
    }
  }
  if (type !== 'application/x-www-form-urlencoded') {
    throw new OAuthError('invalid_request', 'WARDEN_BAD_REQUEST', 'send the token request as application/x-www-form-urlencoded');
  }
  return Object.fromEntries(new URLSearchParams(text));
}

// JSON bodies may carry authorization_details as an array rather than a string.
function stringsOf(obj: Record<string, unknown>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(obj ?? {})) out[k] = typeof v === 'string' ? v : v === undefined ? undefined : JSON.stringify(v);
  return out;
}
