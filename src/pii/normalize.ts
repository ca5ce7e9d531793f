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

/** Folded text plus, per folded code unit, where it came from in the original. */
export interface Folded {
  text: string;
  /** Original start offset of the code point that produced folded unit i. */
  from: Int32Array;
  /** Original end offset of the code point that produced folded unit i. */
  to: Int32Array;
}

/** Folds `text` (only call when it holds non-ASCII characters). */
export function foldText(text: string): Folded {
  const parts: string[] = [];
  const from: number[] = [];
  const to: number[] = [];
  let runStart = 0; // start of a pending run of code units copied unchanged
  const flushRun = (end: number) => {
    if (end > runStart) {
      parts.push(text.slice(runStart, end));
      for (let k = runStart; k < end; k++) {
        from.push(k);
        to.push(k + 1);
      }
    }
  };
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      i++;
      continue;
    }
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const folded = isInvisible(cp) ? '' : foldCodePoint(cp);
    const unchanged = folded.length === width && folded === text.slice(i, i + width);
    if (!unchanged) {
      flushRun(i);
      parts.push(folded);
      for (let k = 0; k < folded.length; k++) {
        from.push(i);
        to.push(i + width);
      }
      runStart = i + width;
    }
    i += width;
  }
  flushRun(text.length);
  return { text: parts.join(''), from: Int32Array.from(from), to: Int32Array.from(to) };
}
