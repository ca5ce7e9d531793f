/** Checksums and validity rules that turn a pattern match into a finding. */

/** Luhn (mod 10) over the digits of `s`, ignoring anything that is not a digit. */
export function luhnValid(s: string): boolean {
  let sum = 0;
  let double = false;
  let n = 0;
  for (let i = s.length - 1; i >= 0; i--) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) continue;
    n++;
    let d = c;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return n > 0 && sum % 10 === 0;
}

/** The digits of `s` (separators dropped). */
export function digitsOf(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) out += s[i];
  }
  return out;
}

/**
 * Whether a card number's prefix and length belong to a known brand (Visa,
 * Mastercard incl. 2-series, Amex, Discover, Diners, JCB, UnionPay, Maestro, Mir).
 * Used when nothing around the number says "card".
 */
export function cardBrandPlausible(d: string): boolean {
  const len = d.length;
  const p1 = d.charCodeAt(0) - 48;
  const p2 = Number(d.slice(0, 2));
  const p4 = Number(d.slice(0, 4));
  switch (p1) {
    case 4:
      return len >= 13 && len <= 19;
    case 5:
      return len >= 13 && len <= 19; // Mastercard 51-55 (16), Maestro 50/56-59 (12-19)
    case 6:
      return len >= 13 && len <= 19; // Discover, UnionPay, Maestro, RuPay
    case 3:
      if (p2 === 34 || p2 === 37) return len === 15;
      if (p2 === 30 || p2 === 36 || p2 === 38 || p2 === 39) return len >= 14 && len <= 19;
      if (p2 === 35) return len >= 16 && len <= 19;
      return false;
    case 2:
      if (p4 >= 2221 && p4 <= 2720) return len === 16;
      if (p4 >= 2200 && p4 <= 2204) return len >= 16 && len <= 19;
      if (p4 === 2131) return len === 15;
      return false;
    case 1:
      return p4 === 1800 && len === 15;
    default:
      return false;
  }
}

/** SSA rules: area not 000, 666 or 900-999; group not 00; serial not 0000. */
export function ssnValid(area: string, group: string, serial: string): boolean {
  const a = Number(area);
  if (a === 0 || a === 666 || a >= 900) return false;
  if (group === '00' || serial === '0000') return false;
  return true;
}

/** ABA routing number checksum: 3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) ≡ 0 (mod 10). */
export function abaValid(d: string): boolean {
  if (d.length !== 9) return false;
  const n = (i: number) => d.charCodeAt(i) - 48;
  const sum = 3 * (n(0) + n(3) + n(6)) + 7 * (n(1) + n(4) + n(7)) + (n(2) + n(5) + n(8));
  // The first two digits are a Federal Reserve district code: 00-12, 21-32, 61-72, 80.
  const fed = n(0) * 10 + n(1);
  const fedOk = fed <= 12 || (fed >= 21 && fed <= 32) || (fed >= 61 && fed <= 72) || fed === 80;
  return fedOk && sum % 10 === 0 && d !== '000000000';
}

/** IBAN lengths by country (ISO 13616 registry). */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28,
  CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18,
  FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22,
  IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20,
  LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28, NL: 18,
  NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31,
  SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29,
  VA: 22, VG: 24, XK: 20, YE: 30,
};

/** ISO 7064 mod 97-10 over an upper-case compact IBAN. */
export function ibanMod97Valid(iban: string): boolean {
  let rem = 0;
  const n = iban.length;
  for (let k = 0; k < n; k++) {
    // Rearranged: BBAN first, then country code and check digits.
    const c = iban.charCodeAt((k + 4) % n);
    if (c >= 48 && c <= 57) rem = (rem * 10 + (c - 48)) % 97;
    else if (c >= 65 && c <= 90) rem = (rem * 100 + (c - 55)) % 97;
    else return false;
  }
  return rem === 1;
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(s: string): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

const BASE64URL = /^[A-Za-z0-9_-]{0,16384}$/;

/** Every pattern in this file, for the regex safety lint. */
export const VALIDATOR_PATTERNS: readonly RegExp[] = [BASE64URL];

/** Decodes base64url to a string, or undefined when it is not valid base64url. */
export function base64UrlDecode(s: string): string | undefined {
  if (!BASE64URL.test(s) || s.length % 4 === 1) return undefined;
  return Buffer.from(s, 'base64url').toString('utf8');
}

/** Whether a JWT's header segment decodes to a JSON object naming an algorithm or type. */
export function jwtHeaderValid(header: string): boolean {
  const json = base64UrlDecode(header);
  if (json === undefined) return false;
  try {
    const h: unknown = JSON.parse(json);
    return typeof h === 'object' && h !== null && ('alg' in h || 'typ' in h);
  } catch {
    return false;
  }
}
