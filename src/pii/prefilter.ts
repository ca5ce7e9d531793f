/**
 * The cheap pass that runs before any pattern, collecting which recognizers
 * could possibly match and where the digit clusters are (runs of digits joined
 * by phone/card separators): one char loop for strings under 1 KiB, a few native
 * regex/substring passes above. A native first pass (mayHoldPii) lets PII-free
 * prose skip both; numeric recognizers then run only over clusters holding at
 * least 7 digits.
 */
import { charNeedsFolding, needsFolding } from './normalize.ts';

export const F = {
  /** A digit cluster with at least 7 digits (phone, SSN, card, routing). */
  DIGITS7: 1 << 1,
  AT: 1 << 2,
  COLON: 1 << 3,
  /** `-----` (PEM armour). */
  DASHES: 1 << 4,
  /** `eyJ` (base64url of `{"`: JWT). */
  EYJ: 1 << 5,
  /** `AKIA`/`ASIA`/`ABIA`/`ACCA` prefix letters. */
  AWS: 1 << 6,
  /** `gh?_` or `github_`. */
  GITHUB: 1 << 7,
  /** A character that folding (NFKC, zero-width removal) changes: fold before matching. */
  NON_ASCII: 1 << 8,
  /** `=` or `:` (assignments of secrets). COLON above is only set for `hex:hex` / `::`. */
  ASSIGN: 1 << 9,
  /** Two letters then two digits at a word start (IBAN). */
  IBAN: 1 << 10,
  /** digit `.` digit (IPv4). */
  DOTTED: 1 << 11,
  /** More digit clusters than the cluster buffer holds: scan the whole text. */
  MANY_CLUSTERS: 1 << 12,
  /** A vendor token prefix: `sk_live_`, `xoxb-`, `AIza`, `glpat-`, `npm_`, `Basic `. */
  VENDOR: 1 << 13,
} as const;

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Digit clusters with at least 7 digits found by the last prefilter call: [start, end) pairs and their digit counts. */
export const clusters = { starts: new Int32Array(32), ends: new Int32Array(32), digits: new Int32Array(32), count: 0 };

// Every character or sequence that can set a bit in `prefilter` below: digits, `@ : = _ -`,
// anything outside ASCII, and the letter sequences `prefilter` looks for (eyJ, A?IA, ACCA,
// AIza, Bas…). irregexp scans for a class in native code, several times faster than the
// full prefilter's several passes, so PII-free text (the common case) skips them.
const TRIGGER_CHARS = /[0-9@:=_\-\u0080-\uffff]/;
/** The letter sequences: one alternation costs about half of five String#includes calls. */
const TRIGGER_SEQUENCES = /eyJ|IA|CCA|AIza|Bas/;

/**
 * False only when `prefilter(text, text.length)` would return 0: a native-speed first pass.
 * (A property test checks the implication on random and corpus text.)
 */
export function mayHoldPii(text: string): boolean {
  return TRIGGER_CHARS.test(text) || TRIGGER_SEQUENCES.test(text);
}

// Rare letter sequences, each setting one bit. Each regex runs only when a substring it
// needs occurs.
const AWS_PREFIX = /A[^]IA|ACCA/;
const BASIC_AUTH = /Bas[^]{2} /;
const VENDOR_UNDERSCORE = /[sr]k_|npm_/;
const VENDOR_DASH = /xox[^]-|g[^]{2}at-/;
const GITHUB_PREFIX = /gh[^]_|g[^]{4}b_/;
const NON_ASCII_CHAR = /[\u0080-\uffff]/;
/** `hex:hex` or `::` (IPv6). */
const HEX_COLON = /[0-9:A-Fa-f]:[0-9:A-Fa-f]/;
/**
 * A digit cluster with at least 7 digits: digits joined by runs of at most 5 separators
 * (`) (`, ` ext. `), any of space - . ( ) + / # x e t. From any digit, the greedy
 * continuation reaches the same cluster end, so a cluster with fewer digits never matches
 * (not even a suffix of it) and every digit of a matched cluster lies in that one match.
 * Short clusters (years, counts) thus cost no call back into JS.
 */
const CLUSTER7 = /[0-9](?:[ \-.()+/#xet]{0,5}[0-9]){6,}/g;
/** digit `.` digit (IPv4). */
const DIGIT_DOT_DIGIT = /[0-9]\.[0-9]/;
/** Two letters then two digits at a word start (IBAN). */
const IBAN_START = /(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}/;
const ANY_DIGIT = /[0-9]/;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Below this length the char loop (~4-5 µs/KiB whatever the text) beats the native passes,
 * whose dozen calls cost ~0.5 µs per string and ~7-9 µs/KiB on PII-dense text; above
 * it, mostly-prose text (3-3.5 µs/KiB with the passes) is the likelier kind.
 */
const SHORT_TEXT = 1024;

/** Returns the F bits for `text[0, end)` and fills `clusters`. */
export function prefilter(text: string, end: number): number {
  return end < SHORT_TEXT ? prefilterByLoop(text, end) : prefilterByPasses(end < text.length ? text.slice(0, end) : text);
}

/**
 * Native regex/substring passes find the triggers; JS code only counts the digits
 * of clusters long enough for a numeric recognizer.
 */
export function prefilterByPasses(text: string): number {
  let flags = 0;
  clusters.count = 0;
  if (TRIGGER_SEQUENCES.test(text)) {
    if (text.includes('eyJ')) flags |= F.EYJ;
    if ((text.includes('IA') || text.includes('CCA')) && AWS_PREFIX.test(text)) flags |= F.AWS;
    if (text.includes('AIza') || (text.includes('Bas') && BASIC_AUTH.test(text))) flags |= F.VENDOR;
  }
  const underscore = text.includes('_');
  const dash = text.includes('-');
  if ((underscore && VENDOR_UNDERSCORE.test(text)) || (dash && VENDOR_DASH.test(text))) flags |= F.VENDOR;
  if (underscore && GITHUB_PREFIX.test(text)) flags |= F.GITHUB;
  if (dash && text.includes('-----')) flags |= F.DASHES;
  if (text.includes('@')) flags |= F.AT;
  const colon = text.includes(':');
  if (colon || text.includes('=')) flags |= F.ASSIGN;
  if (colon && HEX_COLON.test(text)) flags |= F.COLON;
  const nonAscii = text.search(NON_ASCII_CHAR);
  if (nonAscii >= 0 && needsFolding(text, nonAscii)) flags |= F.NON_ASCII;
  if (!ANY_DIGIT.test(text)) return flags;
  if (text.includes('.') && DIGIT_DOT_DIGIT.test(text)) flags |= F.DOTTED;
  if (IBAN_START.test(text)) flags |= F.IBAN;
  CLUSTER7.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = CLUSTER7.exec(text)) !== null) {
    const start = m.index;
    const stop = start + m[0].length;
    let n = 0;
    for (let i = start; i < stop; i++) if (isDigit(text.charCodeAt(i))) n++;
    flags |= F.DIGITS7;
    if (clusters.count < clusters.starts.length) {
      clusters.starts[clusters.count] = start;
      clusters.ends[clusters.count] = stop;
      clusters.digits[clusters.count] = n;
      clusters.count++;
    } else {
      flags |= F.MANY_CLUSTERS;
    }
  }
  return flags;
}

// The loop's character kinds. Outside a digit cluster only digits and the anchors of the
// trigger sequences need a look: `J` (eyJ), `A` (A?IA, ACCA, AIza), `B` (Basic), `_`, `-`,
// `@`, `:`, `=`. Letters and spaces, most of any text, take one table load and a branch.
const OUT_DIGIT = 1;
const OUT_ANCHOR = 2;
const OUT_KIND = new Uint8Array(128);
for (let c = 48; c <= 57; c++) OUT_KIND[c] = OUT_DIGIT;
for (const ch of 'JAB_-@:=') OUT_KIND[ch.charCodeAt(0)] = OUT_ANCHOR;
/** Separators inside a digit cluster (see CLUSTER7). */
const CLUSTER_SEP = new Uint8Array(128);
for (const ch of ' -.()+/#xet') CLUSTER_SEP[ch.charCodeAt(0)] = 1;

function isHexOrColon(c: number): boolean {
  return (c >= 48 && c <= 58) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
function isAlnum(c: number): boolean {
  return isDigit(c) || isLetter(c);
}

/** Flags set by a `-` at `i`: PEM armour (`-----`), `xox?-`, `g??at-`. */
function dashFlags(text: string, i: number): number {
  let f = 0;
  if (i >= 4 && text.charCodeAt(i - 1) === 45 && text.charCodeAt(i - 2) === 45 && text.charCodeAt(i - 3) === 45 && text.charCodeAt(i - 4) === 45) f |= F.DASHES;
  if (i >= 4 && text.charCodeAt(i - 4) === 120 && text.charCodeAt(i - 3) === 111 && text.charCodeAt(i - 2) === 120) f |= F.VENDOR;
  else if (i >= 5 && text.charCodeAt(i - 5) === 103 && text.charCodeAt(i - 1) === 116 && text.charCodeAt(i - 2) === 97) f |= F.VENDOR;
  return f;
}

/** Flags set by an anchor character `c` (not a digit or `-`) at `i`. */
function anchorFlags(text: string, i: number, c: number): number {
  switch (c) {
    case 74: // J: eyJ
      return i >= 2 && text.charCodeAt(i - 1) === 121 && text.charCodeAt(i - 2) === 101 ? F.EYJ : 0;
    case 65: { // A: AIza, A?IA, ACCA
      let f = 0;
      if (text.charCodeAt(i + 1) === 73 && text.charCodeAt(i + 2) === 122 && text.charCodeAt(i + 3) === 97) f |= F.VENDOR;
      if (text.charCodeAt(i + 2) === 73 && text.charCodeAt(i + 3) === 65) f |= F.AWS;
      else if (text.charCodeAt(i + 1) === 67 && text.charCodeAt(i + 2) === 67 && text.charCodeAt(i + 3) === 65) f |= F.AWS;
      return f;
    }
    case 66: // B: Bas?? (Basic + space)
      return text.charCodeAt(i + 1) === 97 && text.charCodeAt(i + 2) === 115 && text.charCodeAt(i + 5) === 32 ? F.VENDOR : 0;
    case 95: { // _: [sr]k_, npm_, gh?_, g????b_
      let f = 0;
      if (i >= 2 && text.charCodeAt(i - 1) === 107 && (text.charCodeAt(i - 2) === 115 || text.charCodeAt(i - 2) === 114)) f |= F.VENDOR;
      else if (i >= 3 && text.charCodeAt(i - 3) === 110 && text.charCodeAt(i - 2) === 112 && text.charCodeAt(i - 1) === 109) f |= F.VENDOR;
      if (i >= 3 && text.charCodeAt(i - 3) === 103 && text.charCodeAt(i - 2) === 104) f |= F.GITHUB;
      else if (i >= 6 && text.charCodeAt(i - 6) === 103 && text.charCodeAt(i - 1) === 98) f |= F.GITHUB;
      return f;
    }
    case 64:
      return F.AT;
    case 58: // : (an assignment; hex:hex or :: for IPv6)
      return i >= 1 && isHexOrColon(text.charCodeAt(i - 1)) && isHexOrColon(text.charCodeAt(i + 1)) ? F.ASSIGN | F.COLON : F.ASSIGN;
    case 61:
      return F.ASSIGN;
    default:
      return 0;
  }
}

/**
 * The char-by-char prefilter: one pass, cheaper than a dozen native passes on short
 * strings (per-call cost). Same flags and clusters as prefilterByPasses (a property
 * test checks it). Each digit cluster is consumed by an inner loop; the separators
 * after its last digit are read again by the outer loop.
 */
export function prefilterByLoop(text: string, end: number): number {
  if (end < text.length) text = text.slice(0, end);
  let flags = 0;
  clusters.count = 0;
  let i = 0;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c >= 128) {
      if ((flags & F.NON_ASCII) === 0 && charNeedsFolding(c)) flags |= F.NON_ASCII;
      i++;
      continue;
    }
    const k = OUT_KIND[c]!;
    if (k === 0) {
      i++;
      continue;
    }
    if (k === OUT_ANCHOR) {
      flags |= c === 45 ? dashFlags(text, i) : anchorFlags(text, i, c);
      i++;
      continue;
    }
    // A digit: consume its cluster (digits joined by runs of at most 5 separators).
    const start = i;
    let last = i;
    let digits = 0;
    let seps = 0;
    for (; i < end; i++) {
      const d = text.charCodeAt(i);
      if (isDigit(d)) {
        digits++;
        last = i;
        seps = 0;
        // Two letters, two digits at a word start: a possible IBAN.
        if (i >= 3 && isDigit(text.charCodeAt(i - 1)) && isLetter(text.charCodeAt(i - 2)) && isLetter(text.charCodeAt(i - 3)) && (i < 4 || !isAlnum(text.charCodeAt(i - 4)))) flags |= F.IBAN;
        continue;
      }
      if (d >= 128 || CLUSTER_SEP[d] === 0 || ++seps > 5) break;
      if (d === 46) {
        if (isDigit(text.charCodeAt(i - 1)) && isDigit(text.charCodeAt(i + 1))) flags |= F.DOTTED;
      } else if (d === 45) {
        flags |= dashFlags(text, i);
      }
    }
    flags = closeCluster(flags, start, last, digits);
    i = last + 1;
  }
  return flags;
}

function closeCluster(flags: number, start: number, lastDigit: number, digits: number): number {
  if (digits < 7) return flags;
  const k = clusters.count;
  if (k >= clusters.starts.length) return flags | F.DIGITS7 | F.MANY_CLUSTERS;
  clusters.starts[k] = start;
  clusters.ends[k] = lastDigit + 1;
  clusters.digits[k] = digits;
  clusters.count = k + 1;
  return flags | F.DIGITS7;
}
