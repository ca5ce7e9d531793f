/**
 * Unicode folding before matching: NFKC per code point (full-width digits,
 * ligatures, compatibility forms) and removal of zero-width / bidi control
 * characters that hide PII from patterns (`4111\u200b1111…`). Offsets found in
 * the folded text map back to the original string.
 */

/** Characters removed before matching: zero-width, soft hyphen, word joiner, BOM, bidi controls. */
function isInvisible(cp: number): boolean {
  return (
    cp === 0x00ad ||
    cp === 0x180e ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x2064) ||
    (cp >= 0x2066 && cp <= 0x2069) ||
    cp === 0xfeff
  );
}

const nfkcCache = new Map<number, string>();
function foldCodePoint(cp: number): string {
  let s = nfkcCache.get(cp);
  if (s === undefined) {
    s = String.fromCodePoint(cp).normalize('NFKC');
    if (nfkcCache.size < 4096) nfkcCache.set(cp, s);
  }
  return s;
}

// Per BMP code unit outside the surrogates: 0 not yet known, 1 left as is by folding, 2 folded
// or removed. Most non-ASCII text (accented letters) is left as is; the table answers that with
// one load instead of a Map look-up per character.
const KEPT = 1;
const CHANGED = 2;
const bmpFolding = new Uint8Array(0x10000);

function bmpFoldingOf(c: number): number {
  let st = bmpFolding[c]!;
  if (st === 0) {
    st = !isInvisible(c) && foldCodePoint(c) === String.fromCharCode(c) ? KEPT : CHANGED;
    bmpFolding[c] = st;
  }
  return st;
}

/** Whether folding changes (or may change: astral and surrogate code units) the character `c` (>= 0x80). */
export function charNeedsFolding(c: number): boolean {
  return (c >= 0xd800 && c <= 0xdfff) || bmpFoldingOf(c) === CHANGED;
}

/**
 * False only when `foldText(text)` returns undefined (folding changes nothing);
 * `from` is the index of the first non-ASCII character.
 */
export function needsFolding(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80 && charNeedsFolding(c)) return true;
  }
  return false;
}

/** Folded text plus, per folded code unit, where it came from in the original. */
export interface Folded {
  text: string;
  /** Original start offset of the code point that produced folded unit i. */
  from: Int32Array;
  /** Original end offset of the code point that produced folded unit i. */
  to: Int32Array;
}

// Offset maps are written into buffers reused across calls (no per-call arrays to grow and
// convert); the returned views are valid until the next foldText call.
let fromBuf = new Int32Array(1024);
let toBuf = new Int32Array(1024);

function reserve(n: number): void {
  if (n <= fromBuf.length) return;
  const size = Math.max(n, fromBuf.length * 2);
  const f = new Int32Array(size);
  const t = new Int32Array(size);
  f.set(fromBuf);
  t.set(toBuf);
  fromBuf = f;
  toBuf = t;
}

/** Maps folded units [n, n + end - start) one to one onto original units [start, end). */
function mapRun(n: number, start: number, end: number): number {
  reserve(n + end - start);
  for (let k = start; k < end; k++, n++) {
    fromBuf[n] = k;
    toBuf[n] = k + 1;
  }
  return n;
}

/**
 * Folds `text` (only call when it holds non-ASCII characters). Returns
 * undefined when folding changes nothing (accented letters, emoji…), the
 * common case, so the caller keeps the original string and offsets. The
 * offset maps of the result are valid until the next call.
 */
export function foldText(text: string): Folded | undefined {
  let out = '';
  let n = 0; // folded units written so far
  let changed = false;
  let runStart = 0; // start of a pending run of code units copied unchanged
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      i++;
      continue;
    }
    if ((c < 0xd800 || c > 0xdfff) && bmpFoldingOf(c) === KEPT) {
      i++;
      continue;
    }
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const folded = isInvisible(cp) ? '' : foldCodePoint(cp);
    if (folded.length === width && (width === 1 ? folded.charCodeAt(0) === c : folded === text.slice(i, i + width))) {
      i += width;
      continue;
    }
    changed = true;
    if (i > runStart) {
      out += text.slice(runStart, i);
      n = mapRun(n, runStart, i);
    }
    out += folded;
    reserve(n + folded.length);
    for (let k = 0; k < folded.length; k++, n++) {
      fromBuf[n] = i;
      toBuf[n] = i + width;
    }
    i += width;
    runStart = i;
  }
  if (!changed) return undefined;
  if (text.length > runStart) {
    out += text.slice(runStart);
    n = mapRun(n, runStart, text.length);
  }
  return { text: out, from: fromBuf.subarray(0, n), to: toBuf.subarray(0, n) };
}
