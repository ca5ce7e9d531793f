/**
 * Who is calling: turns a bearer token or an mTLS client certificate into an
 * agent principal (+ user, + token facts). Each token is verified once and then
 * served from a bounded cache; expiry and maximum age are re-checked on every hit.
 */
import type { KeyObject, X509Certificate } from 'node:crypto';
import { decodeJwt, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { WardenError } from '../errors.ts';
import type { AgentPrincipal, TokenFacts, UserPrincipal } from '../pipeline/types.ts';
import { type AgentIdentityKeys, type AgentManifest, type AgentRegistry } from './agents.ts';
import type { IdentityConfig } from './config.ts';
import { DEV_ISSUER } from './dev-issuer.ts';
import { keySetFor } from './jwks.ts';
import { scopesOf, verifyJwt } from './jwt.ts';
import { loadOrCreateSigningKey } from './keys.ts';
import { loadCaBundle, parseSpiffeId, verifyX509Svid } from './spiffe.ts';
import { TokenCache, tokenCacheKey } from './token-cache.ts';

/** A verified caller. Shared between calls: treat as read-only. */
export interface Identity {
  readonly agent: AgentPrincipal;
  readonly user: UserPrincipal | undefined;
  readonly issuer: string | undefined;
  readonly scopes: string[];
  /** Unix seconds; undefined for credentials without a token. */
  readonly issuedAt: number | undefined;
  /** Unix seconds; Infinity for credentials that do not expire by themselves. */
  readonly expiresAt: number;
  /** The verified claims, for token exchange. */
  readonly claims: JWTPayload | undefined;
}

interface CacheEntry {
  readonly identity: Identity;
  readonly expiresAt: number;
  readonly resource: string;
  readonly tokenLength: number;
}

export interface AuthenticatorOptions {
  config: IdentityConfig;
  agents: AgentRegistry;
}

type IssuerConfig = IdentityConfig['issuers'][number];

export class Authenticator {
  readonly config: IdentityConfig;
  readonly agents: AgentRegistry;
  private readonly cache: TokenCache<CacheEntry>;
  private readonly pending = new Map<string, Promise<Identity>>();
  private readonly issuerKeys = new Map<string, { cfg: IssuerConfig; keys: JWTVerifyGetKey }>();
  private readonly trustDomainKeys = new Map<string, JWTVerifyGetKey>();
  private readonly caBundles = new Map<string, X509Certificate[]>();
  private devKey: KeyObject | undefined;
  private readonly audiencesByResource = new Map<string, string[]>();

  constructor(opts: AuthenticatorOptions) {
    this.config = opts.config;
    this.agents = opts.agents;
    this.cache = new TokenCache(opts.config.tokenCacheSize);
    const issuerHosts = opts.config.issuers.flatMap((i) => hostOf(i.issuer));
    const allowedHosts = [...opts.config.jwksAllowedHosts, ...issuerHosts];
    const cooldownMs = opts.config.jwksCooldownS * 1000;
    for (const cfg of opts.config.issuers) {
      this.issuerKeys.set(cfg.issuer, { cfg, keys: keySetFor(cfg, { allowedHosts, cooldownMs, label: `issuer ${cfg.issuer}` }) });
    }
    for (const td of opts.config.spiffe.trustDomains) {
      if (td.jwksFile || td.jwksUrl) {
        this.trustDomainKeys.set(td.name, keySetFor(td, { allowedHosts: opts.config.jwksAllowedHosts, cooldownMs, label: `trust domain ${td.name}` }));
      }
      if (td.caFile) this.caBundles.set(td.name, loadCaBundle(td.caFile));
    }
  }

  /**
   * Verifies a bearer token for `resource` (this gateway's RFC 8707 identifier).
   * Returns synchronously on a cache hit; otherwise a promise.
   */
  verifyToken(token: string, resource: string, nowS: number): Identity | Promise<Identity> {
    if (token.length > this.config.maxTokenBytes) {
      throw new WardenError('WARDEN_TOKEN_TOO_LARGE', `token is ${token.length} bytes; the limit is ${this.config.maxTokenBytes}`);
    }
    const hit = this.cache.get(tokenCacheKey(token), nowS);
    if (hit !== undefined && hit.tokenLength === token.length && hit.resource === resource) {
      this.checkFresh(hit.identity, nowS);
      return hit.identity;
    }
    let inflight = this.pending.get(token);
    if (inflight === undefined) {
      inflight = this.verifyUncached(token, resource).finally(() => this.pending.delete(token));
      this.pending.set(token, inflight);
    }
    return inflight.then((identity) => {
      this.checkFresh(identity, Math.floor(Date.now() / 1000));
      return identity;
    });
  }

  /** Throws when the identity's token has expired or grown older than the maximum age. */
  checkFresh(identity: Identity, nowS: number): void {
    const tol = this.config.clockToleranceS;
    if (nowS - tol >= identity.expiresAt) throw new WardenError('WARDEN_TOKEN_EXPIRED', 'access token has expired');
    if (identity.issuedAt !== undefined && nowS - identity.issuedAt - tol > this.config.maxTokenAgeS) {
      throw new WardenError('WARDEN_TOKEN_STALE', `access token is older than the maximum token age of ${this.config.maxTokenAgeS}s`);
    }
  }

  /** Verifies an mTLS client certificate as an X.509-SVID. */
  verifyCertificate(der: Uint8Array, nowMs = Date.now()): Identity {
    const id = verifyX509Svid(der, this.caBundles, nowMs);
    const agent = this.agentFor('spiffe-x509', { spiffeId: id.id }, `SPIFFE ID ${id.id}`, { spiffeId: id.id, trustDomain: id.trustDomain });
    return { agent, user: undefined, issuer: undefined, scopes: [], issuedAt: undefined, expiresAt: Infinity, claims: undefined };
  }

  /** An identity for a named manifest without a credential (loopback demo agent, anonymous). */
  namedAgent(name: string, kind: 'dev' | 'anonymous'): Identity {
    const manifest = this.agents.get(name);
    if (!manifest && this.config.unknownAgent !== 'allow') {
      throw new WardenError('WARDEN_UNKNOWN_AGENT', `no agent manifest named ${name} (configured as the ${kind === 'dev' ? 'loopback' : 'anonymous'} agent)`);
    }
    return {
      agent: { id: name, kind, ...(manifest ? { manifest } : {}) },
      user: undefined,
      issuer: undefined,
      scopes: [],
      issuedAt: undefined,
      expiresAt: Infinity,
      claims: undefined,
    };
  }

  /** Token facts for the call context (a plain literal: object spread costs ~10 µs here). */
  tokenFacts(identity: Identity, nowS: number): TokenFacts {
    return {
      issuer: identity.issuer,
      ageS: identity.issuedAt !== undefined && nowS > identity.issuedAt ? nowS - identity.issuedAt : 0,
      scopes: identity.scopes,
      expiresAt: identity.expiresAt === Infinity ? undefined : identity.expiresAt,
    };
  }

  /** The audiences a token may carry for `resource`: the resource, its origin, and configured extras. */
  audiencesFor(resource: string): string[] {
    let list = this.audiencesByResource.get(resource);
    if (list === undefined) {
      const set = new Set<string>();
      if (resource) {
        set.add(resource);
        set.add(resource.replace(/\/+$/, ''));
        const origin = hostOf(resource).length ? new URL(resource).origin : undefined;
        if (origin) set.add(origin);
      }
      for (const a of this.config.audiences) set.add(a);
      list = [...set];
      this.audiencesByResource.set(resource, list);
    }
    return list;
  }

  private async verifyUncached(token: string, resource: string): Promise<Identity> {
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      throw new WardenError('WARDEN_TOKEN_INVALID', 'bearer token is not a well-formed JWT');
    }
    const audiences = this.audiencesFor(resource);
    if (audiences.length === 0) throw new WardenError('WARDEN_TOKEN_AUDIENCE', 'this gateway has no resource URL configured to check token audiences against');
    const iss = unverified.iss;
    const common = {
      algorithms: this.config.algorithms,
      maxTokenAgeS: this.config.maxTokenAgeS,
      clockToleranceS: this.config.clockToleranceS,
    };
    let identity: Identity;
    if (iss === DEV_ISSUER) {
      if (!this.config.devIssuer) throw new WardenError('WARDEN_TOKEN_ISSUER', 'dev tokens are not accepted (identity.devIssuer is off)');
      this.devKey ??= loadOrCreateSigningKey(this.config.devIssuerKeyFile).publicKey;
      const { payload } = await verifyJwt(token, { ...common, keys: this.devKey, issuer: DEV_ISSUER, audiences, label: 'dev token' });
      const devName = typeof payload.client_id === 'string' ? payload.client_id : undefined;
      if (!devName) throw new WardenError('WARDEN_TOKEN_INVALID', 'dev token has no client_id');
      identity = this.fromClaims('dev', payload, { devName }, `dev agent ${devName}`, devName, {});
    } else if (typeof iss === 'string' && this.issuerKeys.has(iss)) {
      const { cfg, keys } = this.issuerKeys.get(iss)!;
      const { payload } = await verifyJwt(token, { ...common, keys, issuer: iss, audiences: cfg.audience ? [cfg.audience] : audiences, label: 'access token' });
      const actor = actorOf(payload);
      const claimed = payload[cfg.clientIdClaim] ?? payload.azp ?? payload.sub;
      const clientId = actor ?? (typeof claimed === 'string' ? claimed : undefined);
      if (!clientId) throw new WardenError('WARDEN_TOKEN_INVALID', `access token carries no ${cfg.clientIdClaim}, azp or sub`);
      const keysForMatch: AgentIdentityKeys = clientId.startsWith('spiffe://') ? { spiffeId: clientId } : { clientId };
      identity = this.fromClaims('oidc', payload, keysForMatch, `client ${clientId}`, clientId, { clientId });
    } else if (typeof unverified.sub === 'string' && unverified.sub.startsWith('spiffe://')) {
      const id = parseSpiffeId(unverified.sub);
      if (!id) throw new WardenError('WARDEN_SPIFFE_UNTRUSTED', `JWT-SVID subject ${unverified.sub} is not a valid SPIFFE ID`);
      const keys = this.trustDomainKeys.get(id.trustDomain);
      if (!keys) throw new WardenError('WARDEN_SPIFFE_UNTRUSTED', `trust domain ${id.trustDomain} is not trusted`);
      const { payload } = await verifyJwt(token, { ...common, keys, audiences, label: 'JWT-SVID' });
      identity = this.fromClaims('spiffe-jwt', payload, { spiffeId: id.id }, `SPIFFE ID ${id.id}`, id.id, { spiffeId: id.id, trustDomain: id.trustDomain });
    } else {
      throw new WardenError('WARDEN_TOKEN_ISSUER', `token issuer ${typeof iss === 'string' ? iss : '(none)'} is not trusted`);
    }
    this.cache.set(tokenCacheKey(token), { identity, expiresAt: identity.expiresAt, resource, tokenLength: token.length });
    return identity;
  }

  private fromClaims(
    kind: AgentPrincipal['kind'],
    payload: JWTPayload,
    keys: AgentIdentityKeys,
    describe: string,
    agentKey: string,
    extra: Partial<AgentPrincipal>,
  ): Identity {
    const agent = this.agentFor(kind, keys, describe, extra, agentKey);
    const actor = actorOf(payload);
    // With `act`, the agent acts for `sub`. Without, `sub` is a user only when it is not the client itself.
    const sub = typeof payload.sub === 'string' ? payload.sub : undefined;
    const userSub = sub !== undefined && (actor !== undefined || sub !== agentKey) && kind !== 'spiffe-jwt' ? sub : undefined;
    const issuer = typeof payload.iss === 'string' ? payload.iss : undefined;
    return {
      agent,
      user: userSub !== undefined ? { sub: userSub, ...(issuer ? { issuer } : {}) } : undefined,
      issuer,
      scopes: scopesOf(payload),
      issuedAt: payload.iat,
      expiresAt: payload.exp ?? 0,
      claims: payload,
    };
  }

  private agentFor(kind: AgentPrincipal['kind'], keys: AgentIdentityKeys, describe: string, extra: Partial<AgentPrincipal>, fallbackId?: string): AgentPrincipal {
    const manifest: AgentManifest | undefined = this.agents.match(keys);
    if (manifest) return { ...extra, id: manifest.name, kind, manifest };
    if (this.config.unknownAgent === 'allow') return { ...extra, id: fallbackId ?? keys.spiffeId ?? keys.clientId ?? keys.devName ?? 'unknown', kind };
    throw new WardenError('WARDEN_UNKNOWN_AGENT', `no agent manifest matches ${describe}`);
  }
}

function actorOf(payload: JWTPayload): string | undefined {
  const act = payload.act as { sub?: unknown } | undefined;
  return act && typeof act === 'object' && typeof act.sub === 'string' ? act.sub : undefined;
}

function hostOf(url: string): string[] {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? [u.host] : [];
  } catch {
    return [];
  }
}
