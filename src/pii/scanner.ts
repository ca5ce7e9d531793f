/**
 * scanText: the prefilter, then only the recognizers whose trigger characters
 * occur, then overlap resolution. Folding (NFKC, zero-width removal) runs only
 * when the text holds non-ASCII characters; spans are reported in offsets of
 * the original string.
 */
import { foldText } from './normalize.ts';
import { clusters, F, mayHoldPii, prefilter } from './prefilter.ts';
import type { Candidate } from './recognizers/candidate.ts';
import { findIbans } from './recognizers/iban.ts';
import { findEmails, findIps } from './recognizers/network.ts';
import { findCards, findPhones, findSsnAndRouting } from './recognizers/numeric.ts';
import { findAssignedSecrets, findAwsKeys, findGithubTokens, findJwts, findKeyedSecret, findPrivateKeys, findVendorTokens } from './recognizers/secrets.ts';
import { Hint, type ScanOptions, type Span } from './types.ts';

export const DEFAULT_MAX_SCAN_BYTES = 1024 * 1024;

const NO_SPANS: readonly Span[] = Object.freeze([]);

/** Strings shorter than this skip mayHoldPii: the prefilter's loop costs less than its calls. */
const GATE_MIN_LENGTH = 64;

/** Characters kept around a digit cluster: a leading `+`/`(` and the look-behind/ahead character. */
const CLUSTER_MARGIN = 3;

/**
 * Every digit of a card (12+), SSN/routing number (9) or phone number (7+) lies in one digit
 * cluster, and a match inside the window of a neighbouring cluster would fit in its
 * CLUSTER_MARGIN: so a cluster with too few digits cannot hold that type and its recognizer
 * is skipped (the whole-text scan passes `digits` = Infinity).
 */
function findNumeric(text: string, from: number, to: number, digits: number, hint: number, out: Candidate[]): void {
  if (digits >= 12) findCards(text, from, to, hint, out);
  if (digits >= 9) findSsnAndRouting(text, from, to, hint, out);
  findPhones(text, from, to, digits, hint, out);
}

function runRecognizers(text: string, flags: number, hint: number, out: Candidate[]): void {
  if (flags & F.DASHES) findPrivateKeys(text, out);
  if (flags & F.EYJ) findJwts(text, out);
  if (flags & F.GITHUB) findGithubTokens(text, out);
  if (flags & F.AWS) findAwsKeys(text, out);
  if (flags & F.VENDOR) findVendorTokens(text, out);
  if (flags & F.AT) findEmails(text, out);
  if (flags & F.IBAN) findIbans(text, out);
  if (flags & F.DIGITS7) {
    if (flags & F.MANY_CLUSTERS) {
      findNumeric(text, 0, text.length, Infinity, hint, out);
    } else {
      const n = clusters.count;
      for (let k = 0; k < n; k++) {
        const from = Math.max(0, clusters.starts[k]! - CLUSTER_MARGIN);
        const to = Math.min(text.length, clusters.ends[k]! + CLUSTER_MARGIN);
        findNumeric(text, from, to, clusters.digits[k]!, hint, out);
      }
    }
  }
  if (flags & (F.DOTTED | F.COLON)) findIps(text, (flags & F.COLON) !== 0, out);
  if (flags & F.ASSIGN) findAssignedSecrets(text, out);
  if (hint & (Hint.SECRET | Hint.PASSWORD)) findKeyedSecret(text, hint, out);
}

/** Keeps the best of overlapping candidates: higher priority, then longer, then earlier. */
function resolve(cands: Candidate[]): Span[] {
  if (cands.length === 1) {
    const c = cands[0]!;
    return [{ start: c.start, end: c.end, type: c.type }];
  }
  cands.sort((a, b) => b.prio - a.prio || b.end - b.start - (a.end - a.start) || a.start - b.start);
  const kept: Span[] = [];
  for (const c of cands) {
    let clash = false;
    for (const k of kept) {
      if (c.start < k.end && k.start < c.end) {
        clash = true;
        break;
      }
    }
    if (!clash) kept.push({ start: c.start, end: c.end, type: c.type });
  }
  kept.sort((a, b) => a.start - b.start);
  return kept;
}

/**
 * Finds PII and secrets in one string. Returns spans sorted by start, never
 * overlapping; the returned array is shared and frozen when nothing was found.
 */
export function scanText(text: string, opts: ScanOptions = {}): readonly Span[] {
  return scanString(text, opts.hint ?? 0, opts.maxScanBytes ?? DEFAULT_MAX_SCAN_BYTES);
}

/** scanText without the options object, for the per-string hot path of the JSON walk. */
export function scanString(text: string, hint: number, cap: number): readonly Span[] {
  let subject = text.length > cap ? text.slice(0, cap) : text;
  // The native first pass pays off past a few dozen characters; shorter strings go to the loop directly.
  if (hint === 0 && subject.length >= GATE_MIN_LENGTH && !mayHoldPii(subject)) return NO_SPANS;
  let flags = prefilter(subject, subject.length);
  if (flags === 0 && hint === 0) return NO_SPANS;
  let folded: ReturnType<typeof foldText>;
  if (flags & F.NON_ASCII) {
    folded = foldText(subject);
    if (folded) {
      subject = folded.text;
      flags = prefilter(subject, subject.length);
    }
  }
  const cands: Candidate[] = [];
  runRecognizers(subject, flags, hint, cands);
  if (cands.length === 0) return NO_SPANS;
  const spans = resolve(cands);
  if (folded) {
    for (const s of spans) {
      s.start = folded.from[s.start]!;
      s.end = folded.to[s.end - 1]!;
    }
  }
  return spans;
}
