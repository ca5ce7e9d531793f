/**
 * Credentials: AWS access key ids, GitHub tokens, JWTs, PEM private keys, and
 * generic secrets (values of `*_SECRET=` / `password:` assignments, bearer
 * tokens, values under secret-named keys that look random).
 */
import { jwtHeaderValid, shannonEntropy } from '../validators.ts';
import { Hint } from '../types.ts';
import { PRIO, type Candidate } from './candidate.ts';

const AWS_KEY = /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g;
const GITHUB = /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,244})(?![A-Za-z0-9_])/g;
/** Anchored on the secret word (not the name's start) so each position costs a bounded amount. */
const ASSIGNMENT = /(?:secret|password|passwd|pwd|token|api_?key|private_?key|access_?key|credentials?)[A-Za-z0-9_.-]{0,40}["']?[ ]?[=:][ ]?["']?([^\s"'\\,;&]{4,512})/gi;
const BEARER = /(?<![A-Za-z0-9])[Bb]earer[ ]([A-Za-z0-9._~+/-]{16,4096}={0,2})/g;
const BASIC = /(?<![A-Za-z0-9])Basic[ ]([A-Za-z0-9+/]{8,2048}={0,2})(?![A-Za-z0-9+/=])/g;
/** Well-known vendor token shapes: Stripe, Slack, Google API, GitLab, npm. */
const VENDOR_TOKEN = /(?<![A-Za-z0-9_])(?:[sr]k_(?:live|test)_[A-Za-z0-9]{16,247}|xox[abposr]-[A-Za-z0-9-]{10,250}|AIza[A-Za-z0-9_-]{35}|glpat-[A-Za-z0-9_-]{20,64}|npm_[A-Za-z0-9]{36})(?![A-Za-z0-9_])/g;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PASSWORD_NAME = /pass|pwd/i;

/** Every pattern in this file, for the regex safety lint. */
export const SECRET_PATTERNS: readonly RegExp[] = [AWS_KEY, GITHUB, ASSIGNMENT, BEARER, BASIC, VENDOR_TOKEN, UUID, PASSWORD_NAME];

function pushAll(re: RegExp, text: string, type: Candidate['type'], prio: number, out: Candidate[]): void {
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push({ start: m.index, end: m.index + m[0].length, type, prio });
}

export function findAwsKeys(text: string, out: Candidate[]): void {
  pushAll(AWS_KEY, text, 'AWS_ACCESS_KEY', PRIO.AWS_ACCESS_KEY, out);
}

export function findGithubTokens(text: string, out: Candidate[]): void {
  pushAll(GITHUB, text, 'GITHUB_TOKEN', PRIO.GITHUB_TOKEN, out);
}

function isB64Url(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 95;
}
function b64RunEnd(text: string, i: number): number {
  while (i < text.length && isB64Url(text.charCodeAt(i))) i++;
  return i;
}

/**
 * JWTs: `eyJ<header>.<payload>.<signature>` whose header decodes to JSON with
 * `alg` or `typ`. Scanned by hand, resuming after each base64url run, so every
 * character is read a bounded number of times whatever the input.
 */
export function findJwts(text: string, out: Candidate[]): void {
  let i = text.indexOf('eyJ');
  while (i >= 0) {
    const headerEnd = b64RunEnd(text, i);
    let next = headerEnd;
    if (!(i > 0 && isB64Url(text.charCodeAt(i - 1))) && text.charCodeAt(headerEnd) === 46 && headerEnd - i >= 5) {
      const payloadEnd = b64RunEnd(text, headerEnd + 1);
      next = payloadEnd;
      if (payloadEnd - headerEnd > 2 && text.charCodeAt(payloadEnd) === 46) {
        const end = b64RunEnd(text, payloadEnd + 1);
        next = end;
        if (jwtHeaderValid(text.slice(i, headerEnd))) out.push({ start: i, end, type: 'JWT', prio: PRIO.JWT });
      }
    }
    i = text.indexOf('eyJ', next);
  }
}

/**
 * PEM private keys, from the BEGIN line to the END line inclusive. Found with
 * indexOf (linear); a key without its END line runs to the end of the string,
 * since a truncated key is still a secret.
 */
export function findPrivateKeys(text: string, out: Candidate[]): void {
  let from = 0;
  for (;;) {
    const begin = text.indexOf('-----BEGIN ', from);
    if (begin < 0) return;
    const labelEnd = text.indexOf('-----', begin + 11);
    if (labelEnd < 0 || labelEnd - begin > 80) {
      from = begin + 11;
      continue;
    }
    const label = text.slice(begin + 11, labelEnd);
    if (!label.endsWith('PRIVATE KEY') && !label.endsWith('PRIVATE KEY BLOCK')) {
      from = labelEnd + 5;
      continue;
    }
    const endMarker = `-----END ${label}-----`;
    const endAt = text.indexOf(endMarker, labelEnd + 5);
    const end = endAt < 0 ? text.length : endAt + endMarker.length;
    out.push({ start: begin, end, type: 'PRIVATE_KEY', prio: PRIO.PRIVATE_KEY });
    if (endAt < 0) return;
    from = end;
  }
}

/** Looks like a machine-made secret: long enough, no spaces, varied characters, not a UUID. */
function looksRandom(v: string): boolean {
  if (v.length < 16 || /\s/.test(v) || UUID.test(v)) return false;
  return shannonEntropy(v) >= 3.5;
}

export function findAssignedSecrets(text: string, out: Candidate[]): void {
  ASSIGNMENT.lastIndex = 0;
  for (let m = ASSIGNMENT.exec(text); m; m = ASSIGNMENT.exec(text)) {
    const value = m[1]!;
    const isPassword = PASSWORD_NAME.test(m[0].slice(0, 8));
    if (!isPassword && !looksRandom(value)) continue;
    const end = m.index + m[0].length;
    out.push({ start: end - value.length, end, type: 'SECRET', prio: PRIO.SECRET });
  }
  if (!text.includes('earer ')) return;
  BEARER.lastIndex = 0;
  for (let m = BEARER.exec(text); m; m = BEARER.exec(text)) {
    const value = m[1]!;
    const end = m.index + m[0].length;
    out.push({ start: end - value.length, end, type: 'SECRET', prio: PRIO.SECRET });
  }
}

/** Vendor tokens with distinctive prefixes, and HTTP Basic credentials. */
export function findVendorTokens(text: string, out: Candidate[]): void {
  VENDOR_TOKEN.lastIndex = 0;
  for (let m = VENDOR_TOKEN.exec(text); m; m = VENDOR_TOKEN.exec(text)) out.push({ start: m.index, end: m.index + m[0].length, type: 'SECRET', prio: PRIO.VENDOR_TOKEN });
  BASIC.lastIndex = 0;
  for (let m = BASIC.exec(text); m; m = BASIC.exec(text)) {
    const value = m[1]!;
    // Basic credentials are base64 of `user:password`; prose ("Basic information") is not.
    if (!Buffer.from(value, 'base64').toString('latin1').includes(':')) continue;
    const end = m.index + m[0].length;
    out.push({ start: end - value.length, end, type: 'SECRET', prio: PRIO.SECRET });
  }
}

/** A whole value under a secret-named key (`password`, `api_key`, `client_secret`…). */
export function findKeyedSecret(text: string, hint: number, out: Candidate[]): void {
  if (text.length === 0) return;
  if ((hint & Hint.PASSWORD) !== 0 || ((hint & Hint.SECRET) !== 0 && looksRandom(text))) {
    out.push({ start: 0, end: text.length, type: 'SECRET', prio: PRIO.SECRET });
  }
}
