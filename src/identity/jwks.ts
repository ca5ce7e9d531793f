/**
 * Key sets for token verification: JWKS from a file or a URL.
 *
 * Remote sets are cached by jose and refetched on an unknown `kid` no more often
 * than the cooldown; every fetch (redirects included) must stay on an allowed host.
 * SPIFFE bundles mark keys `"use": "jwt-svid"`, which jose skips; we normalise
 * `use` to `sig` for those so the keys are usable.
 */
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, customFetch, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { WardenError } from '../errors.ts';

export interface KeySource {
  jwksUrl?: string | undefined;
  jwksFile?: string | undefined;
}

export interface KeySetOptions {
  /** Hosts a JWKS URL may point to. */
  allowedHosts: readonly string[];
  cooldownMs: number;
  /** What the key set is for, for error messages. */
  label: string;
}

/** Keeps only signing keys and maps SPIFFE's `use: jwt-svid` to `sig`. */
export function normaliseKeySet(raw: unknown, label: string): JSONWebKeySet {
  const keys = (raw as { keys?: unknown })?.keys;
  if (!Array.isArray(keys)) throw new WardenError('WARDEN_CONFIG_INVALID', `${label}: JWKS has no "keys" array`);
  const usable = [];
  for (const key of keys as Array<Record<string, unknown>>) {
    if (!key || typeof key !== 'object') continue;
    if (key.use === undefined || key.use === 'sig') usable.push(key);
    else if (key.use === 'jwt-svid') usable.push({ ...key, use: 'sig' });
    // x509-svid and encryption keys are not for verifying JWTs.
  }
  return { keys: usable } as JSONWebKeySet;
}

/** A key set from an in-memory JWKS document. */
export function localKeySet(jwks: unknown, label: string): JWTVerifyGetKey {
  return createLocalJWKSet(normaliseKeySet(jwks, label));
}

/** A key set from a JWKS file, read once. */
export function fileKeySet(file: string, label: string): JWTVerifyGetKey {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new WardenError('WARDEN_CONFIG_INVALID', `${label}: cannot read JWKS file ${file}: ${(err as Error).message}`);
  }
  return localKeySet(raw, label);
}

/** A key set fetched from a URL on an allowed host. */
export function remoteKeySet(url: string, opts: KeySetOptions): JWTVerifyGetKey {
  const parsed = new URL(url);
  assertAllowedHost(parsed, opts);
  const fetchJwks = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    assertAllowedHost(new URL(input instanceof Request ? input.url : input), opts);
    // Redirects could lead off the allowed hosts: refuse them.
    const res = await fetch(input, { ...init, redirect: 'error' });
    if (!res.ok) return res;
    const body = normaliseKeySet(await res.json(), opts.label);
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return createRemoteJWKSet(parsed, {
    cooldownDuration: opts.cooldownMs,
    cacheMaxAge: 10 * 60_000,
    timeoutDuration: 5_000,
    [customFetch]: fetchJwks,
  });
}

/** A key set from whichever source is configured. */
export function keySetFor(source: KeySource, opts: KeySetOptions): JWTVerifyGetKey {
  if (source.jwksFile) return fileKeySet(source.jwksFile, opts.label);
  if (source.jwksUrl) return remoteKeySet(source.jwksUrl, opts);
  throw new WardenError('WARDEN_CONFIG_INVALID', `${opts.label}: needs jwksUrl or jwksFile`);
}

function assertAllowedHost(url: URL, opts: KeySetOptions): void {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new WardenError('WARDEN_CONFIG_INVALID', `${opts.label}: JWKS URL must be http(s): ${url.href}`);
  }
  if (!opts.allowedHosts.includes(url.host) && !opts.allowedHosts.includes(url.hostname)) {
    throw new WardenError('WARDEN_CONFIG_INVALID', `${opts.label}: JWKS host ${url.host} is not in the allowed hosts (${opts.allowedHosts.join(', ') || 'none'})`);
  }
}
