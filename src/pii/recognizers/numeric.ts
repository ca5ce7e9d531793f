/**
 * Digit-shaped identifiers: payment cards (Luhn + brand), US SSNs (SSA rules),
 * ABA routing numbers (checksum, context only) and phone numbers (NANP and
 * international shapes anywhere; looser national shapes only with context).
 *
 * Every pattern has bounded quantifiers only, so each match attempt reads a
 * bounded number of characters and a scan is linear in the input.
 */
import { abaValid, cardBrandPlausible, luhnValid, ssnValid } from '../validators.ts';
import { cardContext, phoneContext, routingContext, ssnContext } from '../context.ts';
import { Hint } from '../types.ts';
import { PRIO, type Candidate } from './candidate.ts';

const CARD_COMPACT = /(?<![\w+.-])\d{12,19}(?![\w]|[.,-]\d)/g;
const CARD_GROUPED = /(?<![\w+.-])\d{4}([ -])(?:\d{4}\1\d{4}\1\d{1,4}(?:\1\d{1,4})?|\d{6}\1\d{4,5})(?![\w])/g;
const SSN = /(?<![\w-])(\d{3})([- ]?)(\d{2})\2(\d{4})(?![\w]|-\d)/g;
const NANP = /(?<![\w+.-])(?:(?:\+?1|001)[ .-]?)?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}(?:[ ]?(?:x|ext\.?|#)[ ]?\d{1,6})?(?![\w]|[.-]\d)/g;
const INTL = /(?<![\w+])\+\d{1,14}(?:[ ]?\(0?\d{0,4}\)[ ]?\d{1,8})?(?:[ .-]\d{1,8}){0,6}(?:[ ]?(?:x|ext\.?)[ ]?\d{1,6})?(?![\w])/g;
const PHONE_LOOSE = /(?<![\w+.(#-])(?:\(\+?\d{1,5}\)[ ]?)?\d{1,12}(?:[ .-]\d{1,8}){0,6}(?:[ ]?(?:x|ext\.?)[ ]?\d{1,6})?(?![\w])/g;


function acceptCard(text: string, start: number, digits: string, hint: number): boolean {
  if (digits.length < 12 || digits.length > 19 || !luhnValid(digits)) return false;
  if (cardBrandPlausible(digits)) return true;
  // Unknown brand or 12 digits: only where the surroundings say "card".
  return (hint & Hint.CARD) !== 0 || cardContext(text, start);
}

/**
 * The numeric recognizers scan `full[from, to)` (a digit cluster with a small
 * margin, see prefilter); offsets and context look-ups use the full text.
 */
function window(full: string, from: number, to: number): string {
  return from === 0 && to === full.length ? full : full.slice(from, to);
}

export function findCards(full: string, from: number, to: number, hint: number, out: Candidate[]): void {
  const text = window(full, from, to);
  CARD_COMPACT.lastIndex = 0;
  for (let m = CARD_COMPACT.exec(text); m; m = CARD_COMPACT.exec(text)) {
    const start = from + m.index;
    if (acceptCard(full, start, m[0], hint)) out.push({ start, end: start + m[0].length, type: 'CREDIT_CARD', prio: PRIO.CREDIT_CARD });
  }
  CARD_GROUPED.lastIndex = 0;
  for (let m = CARD_GROUPED.exec(text); m; m = CARD_GROUPED.exec(text)) {
    const start = from + m.index;
    // The value is digits joined by one repeated separator (the back-reference), so
    // dropping that separator leaves the digits.
    const sep = m[1]!;
    let value = m[0];
    let digits = value.replaceAll(sep, '');
    if (digits.length > 19) {
      // Four groups of four followed by an unrelated number: drop the trailing group.
      value = value.slice(0, value.lastIndexOf(sep));
      digits = value.replaceAll(sep, '');
    }
    if (acceptCard(full, start, digits, hint)) out.push({ start, end: start + value.length, type: 'CREDIT_CARD', prio: PRIO.CREDIT_CARD });
  }
}

export function findSsnAndRouting(full: string, from: number, to: number, hint: number, out: Candidate[]): void {
  const text = window(full, from, to);
  SSN.lastIndex = 0;
  for (let m = SSN.exec(text); m; m = SSN.exec(text)) {
    const start = from + m.index;
    const end = start + m[0].length;
    if (m[2] === '') {
      // A bare 9-digit number: SSN or routing number only with context.
      if (((hint & Hint.SSN) !== 0 || ssnContext(full, start)) && ssnValid(m[1]!, m[3]!, m[4]!)) {
        out.push({ start, end, type: 'US_SSN', prio: PRIO.US_SSN });
      } else if (((hint & Hint.ROUTING) !== 0 || routingContext(full, start)) && abaValid(m[0])) {
        out.push({ start, end, type: 'ABA_ROUTING_NUMBER', prio: PRIO.ABA_ROUTING_NUMBER });
      }
      continue;
    }
    if (!ssnValid(m[1]!, m[3]!, m[4]!)) continue;
    // `ddd dd dddd` after "Phone:" is a phone number written in groups, unless "SSN" is nearer.
    if (m[2] === ' ' && (hint & Hint.SSN) === 0 && !ssnContext(full, start) && ((hint & Hint.PHONE) !== 0 || phoneContext(full, start, end))) continue;
    out.push({ start, end, type: 'US_SSN', prio: PRIO.US_SSN });
  }
}

/** The main digits of a phone match: those before the first `x`, `#` or `ext` (an extension). */
function phoneDigits(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
    else if (c === 120 || c === 35 || (c === 101 && s.charCodeAt(i + 1) === 120 && s.charCodeAt(i + 2) === 116)) break;
  }
  return n;
}

const MONTH = '(?:0?[1-9]|1[0-2])';
const DAY = '(?:0?[1-9]|[12]\\d|3[01])';
const YEAR = '(?:19|20)\\d\\d';
/** A calendar date (ISO, European or US order) at the start of a loose phone match. */
const DATE_LIKE = new RegExp(`^(?:${YEAR}([./-])${MONTH}\\1${DAY}|${DAY}([./-])${MONTH}\\2${YEAR}|${MONTH}([./-])${DAY}\\3${YEAR})(?:$|[ T])`);
const IPV4_LIKE = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
/** Three dotted numbers (a version) unless in the 3-3-4 phone shape. */
const VERSION_LIKE = /^(?!\d{3}\.\d{3}\.\d{4}$)\d{1,5}\.\d{1,5}\.\d{1,5}$/;
/** `ddd-dd-dddd` (valid or not) is never a phone number; `ddd dd dddd` is one only with a phone cue. */
const SSN_SHAPED = /^\d{3}-\d{2}-\d{4}$/;
const SSN_SPACED = /^\d{3} \d{2} \d{4}$/;


/** Every pattern in this file, for the regex safety lint. */
export const NUMERIC_PATTERNS: readonly RegExp[] = [CARD_COMPACT, CARD_GROUPED, SSN, NANP, INTL, PHONE_LOOSE, DATE_LIKE, IPV4_LIKE, VERSION_LIKE, SSN_SHAPED, SSN_SPACED];

/** Whether `out[first…]` already holds a candidate for exactly `[start, end)` (same type and priority). */
function alreadyFound(out: Candidate[], first: number, start: number, end: number): boolean {
  for (let k = first; k < out.length; k++) {
    const c = out[k]!;
    if (c.start === start && c.end === end) return true;
  }
  return false;
}

/**
 * `digits` is the digit count of the cluster the window surrounds (Infinity for the
 * whole text): the main digits of a NANP (10) or international (8+) number lie in one
 * cluster, so a smaller cluster skips that pattern.
 */
export function findPhones(full: string, from: number, to: number, digits: number, hint: number, out: Candidate[]): void {
  const text = window(full, from, to);
  const first = out.length;
  if (digits >= 10) {
    NANP.lastIndex = 0;
    for (let m = NANP.exec(text); m; m = NANP.exec(text)) {
      // Area codes 0xx/1xx do not exist in the NANP, but generated and test data use them; the
      // 3-3-4 shape with its separators is distinctive enough on its own.
      out.push({ start: from + m.index, end: from + m.index + m[0].length, type: 'PHONE_NUMBER', prio: PRIO.PHONE_NUMBER });
    }
  }
  if (digits >= 8 && text.includes('+')) {
    INTL.lastIndex = 0;
    for (let m = INTL.exec(text); m; m = INTL.exec(text)) {
      const n = phoneDigits(m[0]);
      if (n < 8 || n > 15) continue;
      out.push({ start: from + m.index, end: from + m.index + m[0].length, type: 'PHONE_NUMBER', prio: PRIO.PHONE_NUMBER });
    }
  }
  const strong = out.length > first;
  const keyed = (hint & Hint.PHONE) !== 0;
  PHONE_LOOSE.lastIndex = 0;
  for (let m = PHONE_LOOSE.exec(text); m; m = PHONE_LOOSE.exec(text)) {
    const v = m[0];
    const start = from + m.index;
    const end = start + v.length;
    // The same span as a NANP/international match: an identical candidate (same type and
    // priority) is already there, so validating this reading could change nothing.
    if (strong && alreadyFound(out, first, start, end)) continue;
    const n = phoneDigits(v);
    if (n < 7 || n > 15) continue;
    // Most loose readings lack a phone cue: that check goes first (the checks are independent).
    if (!keyed && !phoneContext(full, start, end)) continue;
    if (DATE_LIKE.test(v) || IPV4_LIKE.test(v) || VERSION_LIKE.test(v) || SSN_SHAPED.test(v)) continue;
    if (SSN_SPACED.test(v) && ((hint & Hint.SSN) !== 0 || ssnContext(full, start))) continue;
    out.push({ start, end, type: 'PHONE_NUMBER', prio: PRIO.PHONE_WEAK });
  }
}
