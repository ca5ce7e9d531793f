/**
 * The development token issuer: warden signs short-lived tokens for named agents
 * with a key kept in a local file (`identity.devIssuerKeyFile`), so `npm start`
 * and `npx warden token` agree. Only honoured when `identity.devIssuer` is true.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { loadOrCreateSigningKey } from './keys.ts';

/** The `iss` of dev tokens. */
export const DEV_ISSUER = 'urn:warden:dev-issuer';

export interface DevTokenRequest {
  keyFile: string;
  /** Agent dev name (matches a manifest's identity.devName, or its name). */
  agent: string;
  /** The user the agent acts for, if any. */
  user?: string | undefined;
  ttlS: number;
  /** The gateway's resource URL (RFC 8707); becomes `aud`. */
  audience: string;
  scopes?: readonly string[];
}

/** Signs a dev token (ES256, typ at+jwt). */
export async function mintDevToken(req: DevTokenRequest): Promise<string> {
  const key = loadOrCreateSigningKey(req.keyFile);
  const claims: Record<string, unknown> = { client_id: req.agent };
  if (req.scopes?.length) claims.scope = req.scopes.join(' ');
  // With a user, the agent acts for them (RFC 8693 act); without, the agent is the subject.
  if (req.user) claims.act = { sub: req.agent };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
    .setIssuer(DEV_ISSUER)
    .setSubject(req.user ?? req.agent)
    .setAudience(req.audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + req.ttlS)
    .setJti(randomUUID())
    .sign(key.privateKey);
}

/** Parses a duration like `15m`, `900s`, `2h`, `900` into seconds. */
export function parseDurationS(text: string): number {
  const m = /^(\d+)\s*(s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${text} (use e.g. 900, 90s, 15m, 2h)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return n * (unit === 's' ? 1 : unit === 'm' ? 60 : unit === 'h' ? 3600 : 86400);
}
