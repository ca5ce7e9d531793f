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

/**
 * Folds `text` (only call when it holds non-ASCII characters). Returns
 * undefined when folding changes nothing (accented letters, emoji…), the
 * common case, so the caller keeps the original string and offsets.
 */
export function foldText(text: string): Folded | undefined {
  let parts: string[] | undefined;
  let from: number[] | undefined;
  let to: number[] | undefined;
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
    if (!parts) {
      parts = [];
      from = [];
      to = [];
    }
    copyRun(text, runStart, i, parts, from!, to!);
    parts.push(folded);
    for (let k = 0; k < folded.length; k++) {
      from!.push(i);
      to!.push(i + width);
    }
    i += width;
    runStart = i;
  }
  if (!parts) return undefined;
  copyRun(text, runStart, text.length, parts, from!, to!);
  return { text: parts.join(''), from: Int32Array.from(from!), to: Int32Array.from(to!) };
}

function copyRun(text: string, start: number, end: number, parts: string[], from: number[], to: number[]): void {
  if (end <= start) return;
  parts.push(text.slice(start, end));
  for (let k = start; k < end; k++) {
    from.push(k);
    to.push(k + 1);
  }
}
