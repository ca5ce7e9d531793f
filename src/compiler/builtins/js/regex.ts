/** Regex builtins (Go RE2 semantics on top of JavaScript RegExp). */
import { compileRe2, expandTemplate, findAll } from './re2.ts';
import { type BuiltinFn, BuiltinError, builtinError, int, str } from './values.ts';

function isValidRe2(pattern: string): boolean {
  try {
    compileRe2(pattern);
    return true;
  } catch {
    return false;
  }
}

/** Go's regexp.Split(s, -1). */
function split(pattern: string, s: string): string[] {
  if (pattern.length > 0 && s.length === 0) return [''];
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const m of findAll(pattern, s, -1)) {
    end = m.index;
    if (m.index + m[0].length !== 0) out.push(s.slice(beg, end));
    beg = m.index + m[0].length;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

function escapeRe(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/** `regex.template_match`: literal text with regexes between the delimiters, anchored. */
function templateMatch(template: string, value: string, open: string, close: string): boolean {
  let src = '';
  let i = 0;
  while (i < template.length) {
    const o = template.indexOf(open, i);
    if (o < 0) {
      src += escapeRe(template.slice(i));
      break;
    }
    src += escapeRe(template.slice(i, o));
    // Delimiters may nest inside the regex (`{[a-z]{2}}`): find the balancing close.
    let depth = 0;
    let j = o + open.length;
    let c = -1;
    for (; j < template.length; j++) {
      if (template.startsWith(open, j)) depth++;
      else if (template.startsWith(close, j)) {
        if (depth === 0) {
          c = j;
          break;
        }
        depth--;
      }
    }
    if (c < 0) throw builtinError(`unbalanced braces in template: ${template}`);
    src += `(?:${template.slice(o + open.length, c)})`;
    i = c + close.length;
  }
  return compileRe2(`^${src}$`).test(value);
}

export function regexBuiltins(): Record<string, BuiltinFn> {
  return {
    'regex.match': (p, v) => compileRe2(str(p, 1)).test(str(v, 2)),
    re_match: (p, v) => compileRe2(str(p, 1)).test(str(v, 2)),
    'regex.is_valid': (p) => typeof p === 'string' && isValidRe2(p),
    'regex.split': (p, v) => split(str(p, 1), str(v, 2)),
    'regex.find_n': (p, v, n) => findAll(str(p, 1), str(v, 2), int(n, 3)).map((m) => m[0]),
    'regex.find_all_string_submatch_n': (p, v, n) =>
      findAll(str(p, 1), str(v, 2), int(n, 3)).map((m) => Array.from(m, (g) => g ?? '')),
    'regex.replace': (s, p, v) => {
      const input = str(s, 1);
      const tpl = str(v, 3);
      let out = '';
      let last = 0;
      for (const m of findAll(str(p, 2), input, -1)) {
        out += input.slice(last, m.index) + expandTemplate(tpl, m);
        last = m.index + m[0].length;
      }
      return out + input.slice(last);
    },
    'regex.template_match': (t, v, o, c) => templateMatch(str(t, 1), str(v, 2), str(o, 3), str(c, 4)),
    'regex.globs_match': (a, b) => globsIntersect(parseGlobRegex(str(a, 1)), parseGlobRegex(str(b, 2))),
  };
}

type Ranges = [number, number][];
interface Token {
  set: Ranges;
  star: boolean;
}

const ANY: Ranges = [[0, 0x10ffff]];

function negate(r: Ranges): Ranges {
  const out: Ranges = [];
  let lo = 0;
  for (const [a, b] of [...r].sort((x, y) => x[0] - y[0])) {
    if (a > lo) out.push([lo, a - 1]);
    lo = Math.max(lo, b + 1);
  }
  if (lo <= 0x10ffff) out.push([lo, 0x10ffff]);
  return out;
}

function intersects(a: Ranges, b: Ranges): boolean {
  return a.some(([x, y]) => b.some(([u, v]) => x <= v && u <= y));
}

/**
 * Parses the regex subset `regex.globs_match` accepts: literals, `.`, classes
 * `[…]`, escapes, each optionally followed by `*`, `+` or `?`.
 */
function parseGlobRegex(p: string): Token[] {
  const cps = Array.from(p);
  const toks: Token[] = [];
  const bad = (pos: number, msg: string) =>
    new BuiltinError('eval_builtin_error', `input:${p}, pos:${pos}, ${msg}: the input provided is invalid`);
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!;
    let set: Ranges;
    if (c === '.') set = ANY;
    else if (c === '\\') {
      const n = cps[++i];
      if (n === undefined) throw bad(i, 'trailing backslash');
      set = [[n.codePointAt(0)!, n.codePointAt(0)!]];
    } else if (c === '[') {
      let neg = false;
      let j = i + 1;
      if (cps[j] === '^') {
        neg = true;
        j++;
      }
      const r: Ranges = [];
      let closed = false;
      for (; j < cps.length; j++) {
        let ch = cps[j]!;
        if (ch === ']') {
          closed = true;
          break;
        }
        if (ch === '\\') ch = cps[++j] ?? '';
        const lo = ch.codePointAt(0)!;
        if (cps[j + 1] === '-' && cps[j + 2] !== undefined && cps[j + 2] !== ']') {
          let hiCh = cps[j + 2]!;
          j += 2;
          if (hiCh === '\\') hiCh = cps[++j] ?? '';
          r.push([lo, hiCh.codePointAt(0)!]);
        } else r.push([lo, lo]);
      }
      if (!closed) throw bad(j, "set-open '[' with no closing ']'");
      set = neg ? negate(r) : r;
      i = j;
    } else if (c === ']') throw bad(i + 1, "set-close ']' with no preceding '['");
    else if (c === '*' || c === '+' || c === '?') throw bad(i + 1, `modifier '${c}' without a preceding character`);
    else set = [[c.codePointAt(0)!, c.codePointAt(0)!]];
    const mod = cps[i + 1];
    if (mod === '*') {
      toks.push({ set, star: true });
      i++;
    } else if (mod === '+') {
      toks.push({ set, star: false }, { set, star: true });
      i++;
    } else if (mod === '?') {
      // Optional: either skip or take one; modelled as a star bounded to one by a second plain token.
      toks.push({ set, star: true });
      i++;
    } else toks.push({ set, star: false });
  }
  return toks;
}

/** Whether two glob-regex languages share a string (search over the product automaton). */
function globsIntersect(a: Token[], b: Token[]): boolean {
  const n = a.length;
  const m = b.length;
  const seen = new Set<number>();
  const stack: [number, number][] = [[0, 0]];
  while (stack.length > 0) {
    const [i, j] = stack.pop()!;
    const key = i * (m + 1) + j;
    if (seen.has(key)) continue;
    seen.add(key);
    if (i === n && j === m) return true;
    const ta = a[i];
    const tb = b[j];
    if (ta?.star) stack.push([i + 1, j]);
    if (tb?.star) stack.push([i, j + 1]);
    if (ta && tb && intersects(ta.set, tb.set)) stack.push([ta.star ? i : i + 1, tb.star ? j : j + 1]);
  }
  return false;
}
