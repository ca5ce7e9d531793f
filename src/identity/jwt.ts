/**
 * JWT verification with jose, with every failure mapped to a WARDEN_TOKEN_* code.
 * Only asymmetric algorithms from the allowlist are accepted (so `none` and
 * HS256-signed-with-the-public-key fail), and `exp` and `iat` are required.
 */
import type { KeyObject } from 'node:crypto';
import { errors, jwtVerify, type JWTHeaderParameters, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { WardenError, type WardenErrorCode } from '../errors.ts';

const ASYMMETRIC = /^(RS|PS|ES)(256|384|512)$|^ES256K$|^EdDSA$|^Ed25519$/;

export interface JwtCheck {
  keys: JWTVerifyGetKey | KeyObject;
  /** Expected `iss`; omit to skip (JWT-SVIDs need not carry one). */
  issuer?: string | undefined;
  /** Accepted audiences: the token's `aud` must contain one of them. */
  audiences: readonly string[];
  algorithms: readonly string[];
  maxTokenAgeS: number;
  clockToleranceS: number;
  /** Expected `typ` header, e.g. `at+jwt`. */
  typ?: string | undefined;
  /** What the token is, for messages ("access token", "task token"). */
  label: string;
  /** The code used for signature/shape failures (default WARDEN_TOKEN_INVALID). */
  invalidCode?: WardenErrorCode;
}

export interface VerifiedJwt {
  payload: JWTPayload;
  header: JWTHeaderParameters;
}

/** Keeps only asymmetric algorithms: a symmetric one would let a public key act as an HMAC secret. */
export function asymmetricOnly(algorithms: readonly string[]): string[] {
  return algorithms.filter((a) => ASYMMETRIC.test(a));
}

/** Verifies signature and claims; throws a WardenError naming what failed. */
export async function verifyJwt(token: string, check: JwtCheck): Promise<VerifiedJwt> {
  try {
    const opts = {
      algorithms: asymmetricOnly(check.algorithms),
      audience: check.audiences as string[],
      maxTokenAge: check.maxTokenAgeS,
      clockTolerance: check.clockToleranceS,
      requiredClaims: ['exp', 'iat'],
      ...(check.issuer !== undefined ? { issuer: check.issuer } : {}),
      ...(check.typ !== undefined ? { typ: check.typ } : {}),
    };
    const result =
      typeof check.keys === 'function' ? await jwtVerify(token, check.keys, opts) : await jwtVerify(token, check.keys, opts);
    return { payload: result.payload, header: result.protectedHeader };
  } catch (err) {
    throw mapJoseError(err, check);
  }
}

function mapJoseError(err: unknown, check: JwtCheck): WardenError {
  const invalid = check.invalidCode ?? 'WARDEN_TOKEN_INVALID';
  const what = check.label;
  if (err instanceof WardenError) return err;
  if (err instanceof errors.JWTExpired) {
    if (err.claim === 'iat') return new WardenError(codeOr('WARDEN_TOKEN_STALE', invalid), `${what} is older than the maximum token age of ${check.maxTokenAgeS}s`);
    return new WardenError(codeOr('WARDEN_TOKEN_EXPIRED', invalid), `${what} has expired`);
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'iss':
        return new WardenError(codeOr('WARDEN_TOKEN_ISSUER', invalid), `${what} issuer is not ${check.issuer ?? 'trusted'}`);
      case 'aud':
        return new WardenError(codeOr('WARDEN_TOKEN_AUDIENCE', invalid), `${what} audience is not this gateway (expected ${check.audiences[0] ?? 'a configured audience'})`);
      case 'nbf':
        return new WardenError(codeOr('WARDEN_TOKEN_EXPIRED', invalid), `${what} is not yet valid (nbf in the future)`);
      default:
        return new WardenError(invalid, `${what} claim ${err.claim} is invalid: ${err.message}`);
    }
  }
  if (err instanceof errors.JWKSNoMatchingKey) return new WardenError(invalid, `${what} is signed with an unknown key (no JWKS key matches its kid/alg)`);
  if (err instanceof errors.JOSEAlgNotAllowed) return new WardenError(invalid, `${what} uses a disallowed algorithm`);
  if (err instanceof errors.JWSSignatureVerificationFailed) return new WardenError(invalid, `${what} signature is invalid`);
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) {
    return new WardenError(invalid, `${what} cannot be verified: the issuer's keys are unavailable (${err.message})`);
  }
  if (err instanceof errors.JOSEError) return new WardenError(invalid, `${what} is invalid: ${err.message}`);
  // Fetch failures and the like: fail closed.
  return new WardenError(invalid, `${what} cannot be verified: ${err instanceof Error ? err.message : String(err)}`);
}

// Task tokens report everything as WARDEN_TASK_INVALID; access tokens keep their precise codes.
function codeOr(precise: WardenErrorCode, invalid: WardenErrorCode): WardenErrorCode {
  return invalid === 'WARDEN_TOKEN_INVALID' ? precise : invalid;
}

/** Scopes from `scope` (space separated) or `scp` (array). */
export function scopesOf(payload: JWTPayload): string[] {
  const scope = payload.scope;
  if (typeof scope === 'string') return scope.split(' ').filter(Boolean);
  const scp = payload.scp;
  if (Array.isArray(scp)) return scp.filter((s): s is string => typeof s === 'string');
  return [];
}
