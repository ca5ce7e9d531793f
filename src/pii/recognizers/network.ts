/** E-mail addresses (anchored on `@`, expanded by hand) and IPv4/IPv6 addresses. */
import { isIPv6 } from 'node:net';
import { PRIO, type Candidate } from './candidate.ts';

function isLocalChar(c: number): boolean {
  // A-Z a-z 0-9 . _ % + -
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
}
function isDomainChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 46;
}
function isAlpha(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/**
 * E-mail addresses. Found from each `@` outwards (local part up to 64
 * characters, domain up to 253), which keeps the scan linear where a
 * left-anchored regex would retry every start position.
 */
export function findEmails(text: string, out: Candidate[]): void {
  let at = text.indexOf('@');
  while (at >= 0) {
    let s = at;
    while (s > 0 && at - s < 64 && isLocalChar(text.charCodeAt(s - 1))) s--;
    while (s < at && text.charCodeAt(s) === 46) s++; // no leading dot
    let e = at + 1;
    const limit = Math.min(text.length, at + 254);
    while (e < limit && isDomainChar(text.charCodeAt(e))) e++;
    while (e > at + 1 && (text.charCodeAt(e - 1) === 46 || text.charCodeAt(e - 1) === 45)) e--; // trailing punctuation
    if (s < at && e > at + 1) {
      const domain = text.slice(at + 1, e);
      const lastDot = domain.lastIndexOf('.');
      const tld = lastDot > 0 ? domain.slice(lastDot + 1) : '';
      let tldOk = tld.length >= 2 && tld.length <= 24;
      for (let i = 0; tldOk && i < tld.length; i++) tldOk = isAlpha(tld.charCodeAt(i));
      if (tldOk && !domain.includes('..') && domain.charCodeAt(0) !== 45 && domain.charCodeAt(0) !== 46) {
        out.push({ start: s, end: e, type: 'EMAIL_ADDRESS', prio: PRIO.EMAIL_ADDRESS });
      }
    }
    at = text.indexOf('@', at + 1);
  }
}

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?![\\w]|\\.\\d)`, 'g');
const IPV6_CANDIDATE = /(?<![\w:.])(?:(?:[0-9A-Fa-f]{1,4}:){1,7}|::)[0-9A-Fa-f:.]{1,41}/g;

/** Every pattern in this file, for the regex safety lint. */
export const NETWORK_PATTERNS: readonly RegExp[] = [IPV4, IPV6_CANDIDATE];

export function findIps(text: string, withColon: boolean, out: Candidate[]): void {
  IPV4.lastIndex = 0;
  for (let m = IPV4.exec(text); m; m = IPV4.exec(text)) {
    out.push({ start: m.index, end: m.index + m[0].length, type: 'IP_ADDRESS', prio: PRIO.IP_ADDRESS });
  }
  if (!withColon) return;
  IPV6_CANDIDATE.lastIndex = 0;
  for (let m = IPV6_CANDIDATE.exec(text); m; m = IPV6_CANDIDATE.exec(text)) {
    let v = m[0];
    const end = m.index + v.length;
    const next = text.charCodeAt(end);
    // Followed by a letter or word character: part of something else (`std::vector`, a hash).
    if ((next >= 97 && next <= 122) || (next >= 65 && next <= 90) || next === 95) continue;
    while (v.length > 0 && (v.endsWith('.') || (v.endsWith(':') && !v.endsWith('::')))) v = v.slice(0, -1);
    let ok = isV6(v);
    if (!ok) {
      // `addr:port` without brackets: drop the last group and retry once.
      const cut = v.lastIndexOf(':');
      if (cut > 0) {
        v = v.slice(0, cut);
        ok = isV6(v);
      }
    }
    if (ok) out.push({ start: m.index, end: m.index + v.length, type: 'IP_ADDRESS', prio: PRIO.IP_ADDRESS });
  }
}

function isV6(v: string): boolean {
  if (v.length < 3 || !isIPv6(v)) return false;
  // At least two groups with content: `::` alone or `a::` is more likely code than an address.
  let groups = 0;
  for (const g of v.split(':')) if (g.length > 0) groups++;
  return groups >= 2;
}
