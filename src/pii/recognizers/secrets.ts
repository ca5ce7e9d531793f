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
const JWT = /(?<![A-Za-z0-9_-])(eyJ[A-Za-z0-9_-]{2,8192})\.[A-Za-z0-9_-]{2,16384}\.[A-Za-z0-9_-]{0,8192}/g;
const ASSIGNMENT = /(?<![A-Za-z0-9_])[A-Za-z0-9_.-]{0,40}(?:secret|password|passwd|pwd|token|api_?key|private_?key|access_?key|credentials?)[A-Za-z0-9_.-]{0,40}["']?[ ]?[=:][ ]?["']?([^\s"'\\,;&]{4,512})/gi;
const BEARER = /(?<![A-Za-z0-9])[Bb]earer[ ]([A-Za-z0-9._~+/-]{16,4096}={0,2})/g;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PASSWORD_NAME = /pass|pwd/i;

/** Every pattern in this file, for the regex safety lint. */
export const SECRET_PATTERNS: readonly RegExp[] = [AWS_KEY, GITHUB, JWT, ASSIGNMENT, BEARER, UUID, PASSWORD_NAME];

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

export function findJwts(text: string, out: Candidate[]): void {
  JWT.lastIndex = 0;
  for (let m = JWT.exec(text); m; m = JWT.exec(text)) {
    if (jwtHeaderValid(m[1]!)) out.push({ start: m.index, end: m.index + m[0].length, type: 'JWT', prio: PRIO.JWT });
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
    const isPassword = PASSWORD_NAME.test(m[0].slice(0, m[0].length - value.length));
    if (!isPassword && !looksRandom(value)) continue;
    const end = m.index + m[0].length;
    out.push({ start: end - value.length, end, type: 'SECRET', prio: PRIO.SECRET });
  }
  BEARER.lastIndex = 0;
  for (let m = BEARER.exec(text); m; m = BEARER.exec(text)) {
    const value = m[1]!;
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
