/**
 * How warden authenticates to an upstream: with its own credentials, never by
 * forwarding the caller's Authorization header (no token passthrough).
 *   none               → no header
 *   client_credentials → OAuth client credentials, cached until shortly before expiry
 *   token_exchange     → RFC 8693 exchange of the caller's token for one audienced to the upstream
 */
import { WardenError } from '../errors.ts';
import type { UpstreamConfig } from '../config/server.ts';

interface CachedToken {
  token: string;
  /** Unix ms after which we fetch a new one. */
  refreshAt: number;
}

const cache = new Map<string, CachedToken>();
const inflight = new Map<string, Promise<CachedToken>>();
const MAX_CACHED = 10_000;

export interface UpstreamAuthContext {
  /** The caller's verified access token; needed for token_exchange. */
  subjectToken?: string | undefined;
}

/** Headers to send upstream for `upstream` (possibly empty). Fails with WARDEN_UPSTREAM_UNAVAILABLE when the AS refuses. */
export async function upstreamAuthHeaders(upstream: UpstreamConfig, ctx: UpstreamAuthContext = {}): Promise<Record<string, string>> {
  if (!('url' in upstream)) return {};
  const auth = upstream.auth;
  if (auth.type === 'none') return {};
  const form = new URLSearchParams();
  let key: string;
  if (auth.type === 'client_credentials') {
    form.set('grant_type', 'client_credentials');
    if (auth.scope) form.set('scope', auth.scope);
    if (auth.audience) form.set('resource', auth.audience);
    key = `cc\0${auth.tokenUrl}\0${auth.clientId}\0${auth.scope ?? ''}\0${auth.audience ?? ''}`;
  } else {
    if (!ctx.subjectToken) throw new WardenError('WARDEN_UPSTREAM_UNAVAILABLE', `upstream ${upstream.name} needs token exchange but the caller presented no token`);
    form.set('grant_type', 'urn:ietf:params:oauth:grant-type:token-exchange');
    form.set('subject_token', ctx.subjectToken);
    form.set('subject_token_type', 'urn:ietf:params:oauth:token-type:access_token');
    form.set('audience', auth.audience);
    form.set('resource', auth.audience);
    key = `te\0${auth.tokenUrl}\0${auth.clientId}\0${auth.audience}\0${ctx.subjectToken}`;
  }
  const now = Date.now();
  const hit = cache.get(key);
  if (hit && hit.refreshAt > now) return { authorization: `Bearer ${hit.token}` };
  let pending = inflight.get(key);
  if (!pending) {
    pending = fetchToken(upstream.name, auth.tokenUrl, auth.clientId, auth.clientSecret, form).finally(() => inflight.delete(key));
    inflight.set(key, pending);
  }
  const got = await pending;
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(key, got);
  return { authorization: `Bearer ${got.token}` };
}

async function fetchToken(name: string, tokenUrl: string, clientId: string, clientSecret: string, form: URLSearchParams): Promise<CachedToken> {
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64');
  let res: Response;
  try {
    res = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}`, accept: 'application/json' },
      body: form,
      redirect: 'error',
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new WardenError('WARDEN_UPSTREAM_UNAVAILABLE', `upstream ${name}: token endpoint unreachable: ${(err as Error).message}`);
  }
  const body = (await res.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown };
  if (!res.ok || typeof body.access_token !== 'string') {
    throw new WardenError('WARDEN_UPSTREAM_UNAVAILABLE', `upstream ${name}: token endpoint refused (${res.status} ${String(body.error ?? '')} ${String(body.error_description ?? '')})`.trim());
  }
  const lifetimeS = typeof body.expires_in === 'number' ? body.expires_in : 300;
  // Refresh a little early so a token never expires in flight.
  return { token: body.access_token, refreshAt: Date.now() + Math.max(0, lifetimeS - Math.min(30, lifetimeS / 10)) * 1000 };
}

/** Forgets cached upstream tokens (tests, credential rotation). */
export function clearUpstreamTokenCache(): void {
  cache.clear();
}
