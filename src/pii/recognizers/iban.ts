/** IBANs: country length from the ISO 13616 registry, then ISO 7064 mod 97-10. */
import { IBAN_LENGTHS, ibanMod97Valid } from '../validators.ts';
import { PRIO, type Candidate } from './candidate.ts';

const IBAN_CANDIDATE = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}[A-Za-z0-9 ]{8,40}/g;

/** Every pattern in this file, for the regex safety lint. */
export const IBAN_PATTERNS: readonly RegExp[] = [IBAN_CANDIDATE];

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

export function findIbans(text: string, out: Candidate[]): void {
  IBAN_CANDIDATE.lastIndex = 0;
  for (let m = IBAN_CANDIDATE.exec(text); m; m = IBAN_CANDIDATE.exec(text)) {
    const start = m.index;
    IBAN_CANDIDATE.lastIndex = start + 4; // candidates may hold the next IBAN; resume just past this start
    const country = text.slice(start, start + 2).toUpperCase();
    const len = IBAN_LENGTHS[country];
    if (len === undefined) continue;
    // Collect `len` alphanumerics, allowing single spaces between groups.
    let compact = country + text.slice(start + 2, start + 4);
    let i = start + 4;
    let ok = true;
    while (compact.length < len) {
      const c = text.charCodeAt(i);
      if (isAlnum(c)) {
        compact += text[i]!.toUpperCase();
        i++;
      } else if (c === 32 && isAlnum(text.charCodeAt(i + 1)) && text.charCodeAt(i - 1) !== 32) {
        i++;
      } else {
        ok = false;
        break;
      }
    }
    if (!ok || isAlnum(text.charCodeAt(i))) continue;
    if (!ibanMod97Valid(compact)) continue;
    out.push({ start, end: i, type: 'IBAN_CODE', prio: PRIO.IBAN_CODE });
    IBAN_CANDIDATE.lastIndex = i;
  }
}
