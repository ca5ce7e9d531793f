/**
 * The identity stage: binds the call to a verified agent (workload), the user it
 * acts for, and facts about the credential. Sources, in order: bearer token
 * (OIDC access token, SPIFFE JWT-SVID, dev token), mTLS X.509-SVID, the loopback
 * demo agent, anonymous. Synchronous on a token-cache hit.
 */
import { WardenError } from '../../errors.ts';
import type { AgentRegistry } from '../../identity/agents.ts';
import { matchesAnyGlob } from '../../identity/agents.ts';
import { Authenticator, type Identity } from '../../identity/authenticate.ts';
import type { IdentityConfig } from '../../identity/config.ts';
import type { Logger } from '../../observability/logger.ts';
import type { CallContext, MaybePromise, Stage } from '../../pipeline/types.ts';

export interface IdentityStageOptions {
  config: IdentityConfig;
  agents: AgentRegistry;
  logger?: Logger;
  /** This gateway's resource URL (RFC 8707), used when `ctx.request.resource` is not set. */
  resource?: string;
  /** Share an authenticator (and its token cache) with the token endpoint. */
  authenticator?: Authenticator;
  /** Remember the caller's raw token for `callerTokenOf` (needed by token_exchange upstream auth). Off by default. */
  keepCallerToken?: boolean;
}

// Raw tokens live here, keyed by the call's TokenFacts object, never on the context itself,
// so they cannot end up in audit records or logs.
const callerTokens = new WeakMap<object, string>();

/** The caller's verified bearer token, for exchanging it at an upstream's AS; undefined unless `keepCallerToken`. */
export function callerTokenOf(ctx: CallContext): string | undefined {
  return ctx.token ? callerTokens.get(ctx.token) : undefined;
}

/** The RFC 9728 metadata URL for a resource: the well-known segment goes before the resource path. */
export function resourceMetadataUrl(resource: string): string {
  try {
    const u = new URL(resource);
    const path = u.pathname === '/' ? '' : u.pathname.replace(/\/+$/, '');
    return `${u.origin}/.well-known/oauth-protected-resource${path}`;
  } catch {
    return '/.well-known/oauth-protected-resource';
  }
}

const NO_TOOL_SCOPES: readonly string[] = [];

export function identityStage(opts: IdentityStageOptions): Stage {
  const { config } = opts;
  const auth = opts.authenticator ?? new Authenticator({ config, agents: opts.agents });
  const log = opts.logger;
  // Required scopes per (agent manifest, tool), computed once.
  const scopeCache = new WeakMap<object, Map<string, readonly string[]>>();
  const globalKey = {};

  const resourceOf = (ctx: CallContext): string => ctx.request.resource ?? opts.resource ?? '';

  function challenge(resource: string, err: WardenError): WardenError {
    let header = `Bearer resource_metadata="${resourceMetadataUrl(resource)}"`;
    if (err.code === 'WARDEN_INSUFFICIENT_SCOPE') {
      header += `, error="insufficient_scope", scope="${String(err.data?.requiredScopes ?? '')}"`;
    } else if (err.code !== 'WARDEN_UNAUTHENTICATED' && err.code !== 'WARDEN_UNKNOWN_AGENT') {
      header += `, error="invalid_token", error_description="${err.message.replace(/["\\]/g, '')}"`;
    }
    return new WardenError(err.code, err.message, { ...err.data, wwwAuthenticate: header }, { cause: err });
  }

  function requiredScopes(ctx: CallContext): readonly string[] {
    const tool = ctx.tool!.name;
    const manifest = ctx.agent?.manifest as { requiredScopes?: Record<string, string[]> } | undefined;
    const key = manifest ?? globalKey;
    let perTool = scopeCache.get(key);
    if (!perTool) scopeCache.set(key, (perTool = new Map()));
    let scopes = perTool.get(tool);
    if (scopes === undefined) {
      const found = new Set<string>();
      for (const source of [config.requiredScopes, manifest?.requiredScopes ?? {}]) {
        for (const [pattern, list] of Object.entries(source)) if (matchesAnyGlob([pattern], tool)) for (const s of list) found.add(s);
      }
      scopes = found.size ? [...found] : NO_TOOL_SCOPES;
      if (perTool.size < 10_000) perTool.set(tool, scopes); // bounded whatever names arrive

    }
    return scopes;
  }

  function checkScopes(ctx: CallContext): void {
    const needed = requiredScopes(ctx);
    if (needed.length === 0) return;
    const have = ctx.token?.scopes ?? NO_TOOL_SCOPES;
    const missing = needed.filter((s) => !have.includes(s));
    if (missing.length) {
      throw challenge(
        resourceOf(ctx),
        new WardenError('WARDEN_INSUFFICIENT_SCOPE', `tool ${ctx.tool!.name} requires scope ${missing.join(' ')}`, { requiredScopes: needed.join(' ') }),
      );
    }
  }

  function apply(ctx: CallContext, identity: Identity, nowS: number, rawToken?: string): void {
    ctx.agent = identity.agent;
    if (identity.user) ctx.user = identity.user;
    ctx.token = auth.tokenFacts(identity, nowS);
    if (rawToken !== undefined && opts.keepCallerToken) callerTokens.set(ctx.token, rawToken);
    if (ctx.tool) checkScopes(ctx);
  }

  return {
    name: 'identity',
    onRequest(ctx): MaybePromise<void> {
      if (ctx.agent) {
        // Authenticated once per HTTP request; the per-call pass only checks tool scopes.
        if (ctx.tool) checkScopes(ctx);
        return;
      }
      const nowS = Math.floor(ctx.request.time / 1000);
      const header = ctx.request.headers.authorization;
      try {
        if (header !== undefined) {
          const token = bearerToken(header);
          const result = auth.verifyToken(token, resourceOf(ctx), nowS);
          if (!(result instanceof Promise)) return apply(ctx, result, nowS, token);
          return result.then(
            (identity) => apply(ctx, identity, nowS, token),
            (err: unknown) => {
              log?.debug({ err, decisionId: ctx.decision.id }, 'token rejected');
              throw err instanceof WardenError ? challenge(resourceOf(ctx), err) : err;
            },
          );
        }
        if (ctx.request.peerCertificate) return apply(ctx, auth.verifyCertificate(ctx.request.peerCertificate, ctx.request.time), nowS);
        if (config.loopbackAgent !== undefined && isLoopback(ctx.request.ip)) return apply(ctx, auth.namedAgent(config.loopbackAgent, 'dev'), nowS);
        if (config.allowAnonymous) return apply(ctx, auth.namedAgent(config.anonymousAgent, 'anonymous'), nowS);
        throw new WardenError('WARDEN_UNAUTHENTICATED', 'no credential presented: send Authorization: Bearer <token> or a client certificate');
      } catch (err) {
        if (err instanceof WardenError && !err.data?.wwwAuthenticate && err.httpStatus === 401) throw challenge(resourceOf(ctx), err);
        throw err;
      }
    },
  };
}

function bearerToken(header: string | string[]): string {
  if (Array.isArray(header)) throw new WardenError('WARDEN_TOKEN_INVALID', 'more than one Authorization header');
  // Fast path for the usual spelling; the general path handles any case and extra spaces.
  if (header.startsWith('Bearer ') && header.charCodeAt(7) !== 32 && header.charCodeAt(header.length - 1) !== 32 && header.length > 7) return header.slice(7);
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space).toLowerCase() !== 'bearer') throw new WardenError('WARDEN_TOKEN_INVALID', 'Authorization header must use the Bearer scheme');
  const token = header.slice(space + 1).trim();
  if (!token) throw new WardenError('WARDEN_TOKEN_INVALID', 'Authorization header carries an empty bearer token');
  return token;
}

function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}
