/**
 * The cheap pass that runs before any pattern: one walk over the char codes
 * collecting which recognizers could possibly match, and where the digit
 * clusters are (runs of digits joined by phone/card separators). PII-free
 * prose usually comes out with no bits set and costs nothing more; numeric
 * recognizers then run only over clusters holding at least 7 digits.
 */

export const F = {
  /** At least 4 digits. */
  DIGITS4: 1 << 0,
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
  /** A character outside ASCII: fold (NFKC, zero-width) before matching. */
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

// Character classes for the prefilter loop.
const OTHER = 0;
const DIGIT = 1;
const SEP = 2; // may sit inside a phone/card number: space - . ( ) + / # x e t
const LETTER = 3;
const CLASS = new Uint8Array(128);
for (let c = 48; c <= 57; c++) CLASS[c] = DIGIT;
for (let c = 65; c <= 90; c++) CLASS[c] = LETTER;
for (let c = 97; c <= 122; c++) CLASS[c] = LETTER;
for (const ch of ' -.()+/#xet') CLASS[ch.charCodeAt(0)] = SEP;

function isHexOrColon(c: number): boolean {
  return (c >= 48 && c <= 58) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Digit clusters with at least 7 digits found by the last prefilter call: [start, end) pairs. */
export const clusters = { starts: new Int32Array(32), ends: new Int32Array(32), count: 0 };

/** Longest run of separators allowed inside one cluster (`) (`, ` ext. `). */
const MAX_SEP_RUN = 5;

// Loop state shared with closeCluster (module-level: no closure allocated per call).
let flags = 0;
let clStart = -1;
let clDigits = 0;
let lastDigit = -1;

function closeCluster(): void {
  if (clDigits >= 7) {
    flags |= F.DIGITS7;
    if (clusters.count < clusters.starts.length) {
      clusters.starts[clusters.count] = clStart;
      clusters.ends[clusters.count] = lastDigit + 1;
      clusters.count++;
    } else {
      flags |= F.MANY_CLUSTERS;
    }
  }
  clStart = -1;
  clDigits = 0;
}

// Every character or sequence that can set a bit in `prefilter` below: digits, `@ : = _ -`,
// anything outside ASCII, and the letter sequences the switch looks for (eyJ, A?IA, ACCA,
// AIza, Bas…). irregexp scans for a class in native code, several times faster than the
// char-by-char loop, so PII-free text (the common case) never reaches that loop.
const TRIGGER_CHARS = /[0-9@:=_\-\u0080-\uffff]/;

/**
 * False only when `prefilter(text, text.length)` would return 0: a native-speed first pass.
 * (A property test checks the implication on random and corpus text.)
 */
export function mayHoldPii(text: string): boolean {
  return TRIGGER_CHARS.test(text) || text.includes('eyJ') || text.includes('IA') || text.includes('CCA') || text.includes('AIza') || text.includes('Bas');
}

/** Returns the F bits for `text[0, end)` and fills `clusters`. */
export function prefilter(text: string, end: number): number {
  flags = 0;
  clStart = -1;
  clDigits = 0;
  lastDigit = -1;
  clusters.count = 0;
  let digits = 0;
  let dashes = 0;
  let sepRun = 0;
  let prevClass = OTHER;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const cls = c < 128 ? CLASS[c]! : OTHER;
    if (cls === DIGIT) {
      digits++;
      if (clStart < 0) clStart = i;
      clDigits++;
      lastDigit = i;
      sepRun = 0;
      dashes = 0;
      // Two letters, two digits at a word start: a possible IBAN.
      if (prevClass === DIGIT && i >= 3 && isLetter(text.charCodeAt(i - 2)) && isLetter(text.charCodeAt(i - 3))) {
        const b = i >= 4 ? text.charCodeAt(i - 4) : 32;
        if (!isLetter(b) && !(b >= 48 && b <= 57)) flags |= F.IBAN;
      }
      prevClass = DIGIT;
      continue;
    }
    if (clStart >= 0 && (cls !== SEP || ++sepRun > MAX_SEP_RUN)) closeCluster();
    if (c === 45) {
      if (++dashes >= 5) flags |= F.DASHES;
      // xox?- (Slack), glpat- (GitLab)
      if (i >= 4 && text.charCodeAt(i - 4) === 120 && text.charCodeAt(i - 3) === 111 && text.charCodeAt(i - 2) === 120) flags |= F.VENDOR;
      else if (i >= 5 && text.charCodeAt(i - 5) === 103 && text.charCodeAt(i - 1) === 116 && text.charCodeAt(i - 2) === 97) flags |= F.VENDOR;
    } else {
      dashes = 0;
    }
    if (c > 127) {
      flags |= F.NON_ASCII;
      prevClass = OTHER;
      continue;
    }
    switch (c) {
      case 46: // .
        if (prevClass === DIGIT) {
          const n = text.charCodeAt(i + 1);
          if (n >= 48 && n <= 57) flags |= F.DOTTED;
        }
        break;
      case 64: // @
        flags |= F.AT;
        break;
      case 58: // :  (IPv6 needs hex or ':' on both sides: `a:b`, `::`)
        flags |= F.ASSIGN;
        if (isHexOrColon(text.charCodeAt(i - 1)) && isHexOrColon(text.charCodeAt(i + 1))) flags |= F.COLON;
        break;
      case 61: // =
        flags |= F.ASSIGN;
        break;
      case 101: // e
        if (text.charCodeAt(i + 1) === 121 && text.charCodeAt(i + 2) === 74) flags |= F.EYJ;
        break;
      case 65: // A
        if (text.charCodeAt(i + 1) === 73 && text.charCodeAt(i + 2) === 122 && text.charCodeAt(i + 3) === 97) flags |= F.VENDOR; // AIza
        if (text.charCodeAt(i + 2) === 73 && text.charCodeAt(i + 3) === 65) flags |= F.AWS; // A?IA
        else if (text.charCodeAt(i + 1) === 67 && text.charCodeAt(i + 2) === 67 && text.charCodeAt(i + 3) === 65) flags |= F.AWS;
        break;
      case 66: // B(asic)
        if (text.charCodeAt(i + 1) === 97 && text.charCodeAt(i + 2) === 115 && text.charCodeAt(i + 5) === 32) flags |= F.VENDOR;
        break;
      case 95: // _
        // sk_live_ / rk_live_ / sk_test_ (Stripe: `_` after `k`), npm_
        if (i >= 1 && text.charCodeAt(i - 1) === 107 && (text.charCodeAt(i - 2) === 115 || text.charCodeAt(i - 2) === 114)) flags |= F.VENDOR;
        else if (i >= 3 && text.charCodeAt(i - 3) === 110 && text.charCodeAt(i - 2) === 112 && text.charCodeAt(i - 1) === 109) flags |= F.VENDOR;
        if (i >= 3 && text.charCodeAt(i - 3) === 103 && text.charCodeAt(i - 2) === 104) flags |= F.GITHUB; // gh?_
        else if (i >= 6 && text.charCodeAt(i - 6) === 103 && text.charCodeAt(i - 1) === 98) flags |= F.GITHUB; // github_
        break;
      default:
        break;
    }
    prevClass = cls;
  }
  if (clStart >= 0) closeCluster();
  if (digits >= 4) flags |= F.DIGITS4;
  return flags;
}
