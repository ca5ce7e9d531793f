/**
 * The cheap pass that runs before any pattern: one walk over the char codes
 * collecting which recognizers could possibly match. PII-free prose usually
 * comes out with no bits set and costs nothing more.
 */

export const F = {
  /** At least 4 digits (IPv4). */
  DIGITS4: 1 << 0,
  /** At least 7 digits (phone, SSN, card, IBAN, routing). */
  DIGITS7: 1 << 1,
  AT: 1 << 2,
  COLON: 1 << 3,
  /** `-----` (PEM armour). */
  DASHES: 1 << 4,
  /** `eyJ` (base64url of `{"`: JWT). */
  EYJ: 1 << 5,
  /** `AKIA`/`ASIA`/`ABIA`/`ACCA` prefix letters. */
  AWS: 1 << 6,
  /** `gh?_` or `github_pat_`. */
  GITHUB: 1 << 7,
  /** A character outside ASCII: fold (NFKC, zero-width) before matching. */
  NON_ASCII: 1 << 8,
  /** `=` or `:` after an upper-case name (env-style secret assignments). */
  ASSIGN: 1 << 9,
} as const;

/** Returns the F bits for `text[0, end)`. */
export function prefilter(text: string, end: number): number {
  let flags = 0;
  let digits = 0;
  let dashes = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c <= 57 && c >= 48) {
      digits++;
      continue;
    }
    if (c === 45) {
      if (++dashes >= 5) flags |= F.DASHES;
      continue;
    }
    dashes = 0;
    if (c > 127) {
      flags |= F.NON_ASCII;
      continue;
    }
    switch (c) {
      case 64: // @
        flags |= F.AT;
        break;
      case 58: // :
        flags |= F.COLON | F.ASSIGN;
        break;
      case 61: // =
        flags |= F.ASSIGN;
        break;
      case 101: // e
        if (text.charCodeAt(i + 1) === 121 && text.charCodeAt(i + 2) === 74) flags |= F.EYJ;
        break;
      case 65: // A
        if (text.charCodeAt(i + 2) === 73 && text.charCodeAt(i + 3) === 65) flags |= F.AWS; // A?IA
        else if (text.charCodeAt(i + 1) === 67 && text.charCodeAt(i + 2) === 67 && text.charCodeAt(i + 3) === 65) flags |= F.AWS;
        break;
      case 95: // _
        if (i >= 3 && text.charCodeAt(i - 3) === 103 && text.charCodeAt(i - 2) === 104) flags |= F.GITHUB; // gh?_
        else if (i >= 6 && text.charCodeAt(i - 6) === 103 && text.charCodeAt(i - 1) === 116) flags |= F.GITHUB; // github_
        break;
      default:
        break;
    }
  }
  if (digits >= 4) flags |= F.DIGITS4;
  if (digits >= 7) flags |= F.DIGITS7;
  return flags;
}
