/**
 * A small static check over regex sources, for the linear-time rule of the
 * PII scanner:
 *  1. no unbounded quantifier (`*`, `+`, `{n,}`): every match attempt reads a
 *     bounded number of characters, so a scan is linear in the input;
 *  2. a group repeated more than once must contain a mandatory atom whose
 *     characters no quantified atom inside the group can match (a delimiter),
 *     so the group's repetitions cannot split the same text in several ways
 *     (the shape behind catastrophic backtracking, e.g. `(\d{1,4}){1,6}`).
 * It returns the problems found and the longest possible match.
 */

type CharSet = Uint8Array; // 0..127 membership, index 128 = any non-ASCII

function emptySet(): CharSet {
  return new Uint8Array(129);
}
function fullSet(): CharSet {
  return new Uint8Array(129).fill(1);
}
function addRange(set: CharSet, from: number, to: number): void {
  for (let c = from; c <= to && c < 128; c++) set[c] = 1;
  if (to >= 128) set[128] = 1;
}
function union(a: CharSet, b: CharSet): CharSet {
  const out = emptySet();
  for (let i = 0; i < 129; i++) out[i] = a[i]! | b[i]!;
  return out;
}
function disjoint(a: CharSet, b: CharSet): boolean {
  for (let i = 0; i < 129; i++) if (a[i]! && b[i]!) return false;
  return true;
}
function escapeSet(ch: string): CharSet {
  const s = emptySet();
  switch (ch) {
    case 'd':
      addRange(s, 48, 57);
      return s;
    case 'w':
      addRange(s, 48, 57);
      addRange(s, 65, 90);
      addRange(s, 97, 122);
      s[95] = 1;
      return s;
    case 's':
      for (const c of [9, 10, 11, 12, 13, 32]) s[c] = 1;
      s[128] = 1;
      return s;
    case 'D':
    case 'W':
    case 'S': {
      const inner = escapeSet(ch.toLowerCase());
      const out = fullSet();
      for (let i = 0; i < 128; i++) if (inner[i]) out[i] = 0;
      return out;
    }
    case 'n':
      s[10] = 1;
      return s;
    case 't':
      s[9] = 1;
      return s;
    case 'r':
      s[13] = 1;
      return s;
    default:
      s[ch.charCodeAt(0) < 128 ? ch.charCodeAt(0) : 128] = 1;
      return s;
  }
}

interface Node {
  /** Characters that can occur anywhere in what this node matches. */
  chars: CharSet;
  /** Max characters matched (Infinity when unbounded). */
  max: number;
  min: number;
  /** Whether the node contains a quantifier with max > 1 somewhere inside. */
  quantified: CharSet; // chars of atoms under a repeating quantifier
  /** Chars of atoms that must match at least once (min >= 1, not optional). */
  mandatoryAtoms: CharSet[];
}

export interface LintResult {
  problems: string[];
  maxLength: number;
}

export function lintRegex(re: RegExp): LintResult {
  const src = re.source;
  const ignoreCase = re.flags.includes('i');
  const problems: string[] = [];
  let i = 0;
  const groupSets = new Map<number, CharSet>();
  let groupCount = 0;

  const fold = (s: CharSet): CharSet => {
    if (!ignoreCase) return s;
    const out = s.slice();
    for (let c = 65; c <= 90; c++) if (s[c] || s[c + 32]) out[c] = out[c + 32] = 1;
    return out;
  };

  function parseClass(): CharSet {
    // at '['
    i++;
    let negate = false;
    if (src[i] === '^') {
      negate = true;
      i++;
    }
    const s = emptySet();
    let first = true;
    while (i < src.length && (src[i] !== ']' || first)) {
      first = false;
      let lo: number;
      if (src[i] === '\\') {
        const e = src[i + 1]!;
        i += 2;
        if ('dwsDWS'.includes(e)) {
          const es = escapeSet(e);
          for (let k = 0; k < 129; k++) if (es[k]) s[k] = 1;
          continue;
        }
        lo = escapeSet(e).indexOf(1);
      } else {
        lo = src.charCodeAt(i);
        i++;
      }
      if (src[i] === '-' && src[i + 1] !== ']' && i + 1 < src.length) {
        i++;
        let hi: number;
        if (src[i] === '\\') {
          hi = escapeSet(src[i + 1]!).indexOf(1);
          i += 2;
        } else {
          hi = src.charCodeAt(i);
          i++;
        }
        addRange(s, lo, hi);
      } else {
        addRange(s, lo, lo);
      }
    }
    i++; // ]
    if (!negate) return fold(s);
    const out = fullSet();
    for (let k = 0; k < 129; k++) if (s[k]) out[k] = 0;
    out[128] = 1;
    return fold(out);
  }

  function parseAlternation(): Node {
    const alts: Node[] = [parseSequence()];
    while (src[i] === '|') {
      i++;
      alts.push(parseSequence());
    }
    if (alts.length === 1) return alts[0]!;
    let chars = emptySet();
    let quantified = emptySet();
    for (const a of alts) {
      chars = union(chars, a.chars);
      quantified = union(quantified, a.quantified);
    }
    // A mandatory atom of an alternation is only safe to count if all branches share it; keep it simple: none.
    return { chars, quantified, max: Math.max(...alts.map((a) => a.max)), min: Math.min(...alts.map((a) => a.min)), mandatoryAtoms: [] };
  }

  function parseSequence(): Node {
    let chars = emptySet();
    let quantified = emptySet();
    let max = 0;
    let min = 0;
    const mandatoryAtoms: CharSet[] = [];
    while (i < src.length && src[i] !== '|' && src[i] !== ')') {
      let atom: Node;
      const c = src[i]!;
      if (c === '(') {
        i++;
        let capture = true;
        let lookaround = false;
        if (src[i] === '?') {
          capture = false;
          if (src[i + 1] === ':') i += 2;
          else if (src[i + 1] === '=' || src[i + 1] === '!') {
            lookaround = true;
            i += 2;
          } else if (src[i + 1] === '<' && (src[i + 2] === '=' || src[i + 2] === '!')) {
            lookaround = true;
            i += 3;
          } else if (src[i + 1] === '<') {
            capture = true;
            i = src.indexOf('>', i) + 1;
          }
        }
        const idx = capture ? ++groupCount : 0;
        const inner = parseAlternation();
        i++; // )
        if (capture) groupSets.set(idx, inner.chars);
        atom = lookaround ? { chars: emptySet(), quantified: emptySet(), max: 0, min: 0, mandatoryAtoms: [] } : inner;
      } else if (c === '[') {
        const s = parseClass();
        atom = { chars: s, quantified: emptySet(), max: 1, min: 1, mandatoryAtoms: [s] };
      } else if (c === '\\') {
        const e = src[i + 1]!;
        i += 2;
        if (e === 'b' || e === 'B') {
          atom = { chars: emptySet(), quantified: emptySet(), max: 0, min: 0, mandatoryAtoms: [] };
        } else if (/[1-9]/.test(e)) {
          const s = groupSets.get(Number(e)) ?? fullSet();
          atom = { chars: s, quantified: emptySet(), max: 64, min: 0, mandatoryAtoms: [] };
        } else {
          const s = fold(escapeSet(e));
          atom = { chars: s, quantified: emptySet(), max: 1, min: 1, mandatoryAtoms: [s] };
        }
      } else if (c === '^' || c === '$') {
        i++;
        atom = { chars: emptySet(), quantified: emptySet(), max: 0, min: 0, mandatoryAtoms: [] };
      } else if (c === '.') {
        i++;
        const s = fullSet();
        atom = { chars: s, quantified: emptySet(), max: 1, min: 1, mandatoryAtoms: [s] };
      } else {
        i++;
        const s = fold(escapeSet(c));
        atom = { chars: s, quantified: emptySet(), max: 1, min: 1, mandatoryAtoms: [s] };
      }
      // quantifier?
      let qmin = 1;
      let qmax = 1;
      const q = src[i];
      if (q === '*' || q === '+' || q === '?') {
        i++;
        qmin = q === '+' ? 1 : 0;
        qmax = q === '?' ? 1 : Infinity;
      } else if (q === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
        if (m) {
          i += m[0].length;
          qmin = Number(m[1]);
          qmax = m[2] === undefined ? qmin : m[3] === '' ? Infinity : Number(m[3]);
        }
      }
      if (src[i] === '?' && (q === '*' || q === '+' || q === '?' || q === '{')) i++; // lazy
      if (qmax === Infinity) problems.push(`unbounded quantifier after ${src.slice(0, i)}`);
      if (qmax > 1 && atom.quantified.some((v) => v === 1)) {
        // A repeated group containing repetition: needs a delimiter no inner repetition can match.
        const safe = atom.mandatoryAtoms.some((m) => disjoint(m, atom.quantified));
        if (!safe) problems.push(`ambiguous nested repetition at ${src.slice(0, i)}`);
      }
      const repeated = qmax > 1 ? union(atom.quantified, atom.chars) : atom.quantified;
      chars = union(chars, atom.chars);
      quantified = union(quantified, repeated);
      max += atom.max * qmax;
      min += atom.min * qmin;
      if (qmin >= 1) mandatoryAtoms.push(...atom.mandatoryAtoms);
    }
    return { chars, quantified, max, min, mandatoryAtoms };
  }

  const root = parseAlternation();
  return { problems, maxLength: root.max };
}
