/**
 * String builtins: interpolation, matching, counting, trimming, formatting.
 * Indices are in code points (Go runes), as OPA reports them.
 */
import { renderTemplate } from './gotemplate.ts';
import { sprintf } from './sprintf.ts';
import {
  type BuiltinFn,
  BuiltinError,
  arr,
  builtinError,
  formatTerm,
  int,
  isObject,
  num,
  str,
  strs,
  typeError,
} from './values.ts';

/** A string, or the strings of an array/set argument (`strings.any_prefix_match`). */
function stringOrStrings(v: unknown, pos: number): string[] {
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) throw typeError(pos, 'one of {string, set, array}', v);
  return strs(v, pos);
}

/** How `$"…{x}…"` prints one interpolated value: strings raw, others as Rego terms. */
function templatePart(v: unknown): string {
  if (typeof v === 'string') return v;
  return formatTerm(v);
}

function codePoints(s: string): string[] {
  return Array.from(s);
}

function trimLeftSet(s: string, cut: string): string {
  const set = new Set(codePoints(cut));
  const cps = codePoints(s);
  let i = 0;
  while (i < cps.length && set.has(cps[i]!)) i++;
  return cps.slice(i).join('');
}

function trimRightSet(s: string, cut: string): string {
  const set = new Set(codePoints(cut));
  const cps = codePoints(s);
  let j = cps.length;
  while (j > 0 && set.has(cps[j - 1]!)) j--;
  return cps.slice(0, j).join('');
}

/** Go's strings.Count: non-overlapping; an empty needle counts code points + 1. */
function countNonOverlapping(s: string, sub: string): number {
  if (sub === '') return codePoints(s).length + 1;
  let n = 0;
  for (let i = s.indexOf(sub); i !== -1; i = s.indexOf(sub, i + sub.length)) n++;
  return n;
}

export function stringBuiltins(): Record<string, BuiltinFn> {
  return {
    'internal.template_string': (parts) => {
      let out = '';
      for (const p of arr(parts, 1)) {
        if (typeof p === 'string') out += p;
        else if (Array.isArray(p)) {
          // Each interpolation arrives as the set of the values it produced.
          if (p.length === 0) out += '<undefined>';
          else if (p.length === 1) out += templatePart(p[0]);
          else throw builtinError('template-strings must not produce multiple outputs');
        } else out += templatePart(p);
      }
      return out;
    },
    'strings.any_prefix_match': (a, b) => {
      const xs = stringOrStrings(a, 1);
      const ps = stringOrStrings(b, 2);
      return xs.some((x) => ps.some((p) => x.startsWith(p)));
    },
    'strings.any_suffix_match': (a, b) => {
      const xs = stringOrStrings(a, 1);
      const ps = stringOrStrings(b, 2);
      return xs.some((x) => ps.some((p) => x.endsWith(p)));
    },
    'strings.count': (s, sub) => countNonOverlapping(str(s, 1), str(sub, 2)),
    indexof: (s, sub) => {
      const hay = str(s, 1);
      const needle = str(sub, 2);
      if (needle === '') throw builtinError('empty search character');
      const i = hay.indexOf(needle);
      return i < 0 ? -1 : codePoints(hay.slice(0, i)).length;
    },
    indexof_n: (s, sub) => {
      const hay = codePoints(str(s, 1));
      const needle = codePoints(str(sub, 2));
      if (needle.length === 0) throw builtinError('empty search character');
      const out: number[] = [];
      for (let i = 0; i + needle.length <= hay.length; i++) {
        let ok = true;
        for (let j = 0; j < needle.length && ok; j++) ok = hay[i + j] === needle[j];
        if (ok) out.push(i);
      }
      return out;
    },
    concat: (sep, xs) => strs(xs, 2).join(str(sep, 1)),
    contains: (s, sub) => str(s, 1).includes(str(sub, 2)),
    startswith: (s, p) => str(s, 1).startsWith(str(p, 2)),
    endswith: (s, p) => str(s, 1).endsWith(str(p, 2)),
    lower: (s) => str(s, 1).toLowerCase(),
    upper: (s) => str(s, 1).toUpperCase(),
    split: (s, sep) => {
      const x = str(s, 1);
      const d = str(sep, 2);
      return d === '' ? codePoints(x) : x.split(d);
    },
    replace: (s, old, nw) => {
      const x = str(s, 1);
      const o = str(old, 2);
      const n = str(nw, 3);
      if (o === '') return codePoints(x).reduce((acc, c) => acc + c + n, n);
      return x.split(o).join(n);
    },
    'strings.replace_n': (patterns, s) => {
      if (!isObject(patterns)) throw typeError(1, 'object', patterns);
      let x = str(s, 2);
      const keys = Object.keys(patterns).sort();
      const pairs: [string, string][] = [];
      for (const k of keys) {
        const v = patterns[k];
        if (typeof v !== 'string') throw new BuiltinError('eval_type_error', `operand 1 non-string value found in pattern object`);
        pairs.push([k, v]);
      }
      // Go's strings.NewReplacer: one left-to-right pass, first (sorted) match wins.
      let out = '';
      let i = 0;
      outer: while (i < x.length) {
        for (const [k, v] of pairs) {
          if (k !== '' && x.startsWith(k, i)) {
            out += v;
            i += k.length;
            continue outer;
          }
        }
        out += x[i];
        i++;
      }
      x = out;
      return x;
    },
    'strings.reverse': (s) => codePoints(str(s, 1)).reverse().join(''),
    substring: (s, start, length) => {
      const cps = codePoints(str(s, 1));
      const from = int(start, 2);
      const len = int(length, 3);
      if (from < 0) throw builtinError('negative offset');
      if (from >= cps.length) return '';
      return (len < 0 ? cps.slice(from) : cps.slice(from, from + len)).join('');
    },
    trim: (s, cut) => trimRightSet(trimLeftSet(str(s, 1), str(cut, 2)), str(cut, 2)),
    trim_left: (s, cut) => trimLeftSet(str(s, 1), str(cut, 2)),
    trim_right: (s, cut) => trimRightSet(str(s, 1), str(cut, 2)),
    trim_prefix: (s, p) => {
      const x = str(s, 1);
      const pre = str(p, 2);
      return x.startsWith(pre) ? x.slice(pre.length) : x;
    },
    trim_suffix: (s, p) => {
      const x = str(s, 1);
      const suf = str(p, 2);
      return suf !== '' && x.endsWith(suf) ? x.slice(0, x.length - suf.length) : x;
    },
    trim_space: (s) => str(s, 1).replace(/^[\s\u0085]+|[\s\u0085]+$/gu, ''),
    format_int: (n, base) => {
      const b = num(base, 2);
      if (![2, 8, 10, 16].includes(b)) throw builtinError('operand 2 must be one of {2, 8, 10, 16}');
      const x = Math.trunc(num(n, 1));
      return x.toString(b);
    },
    sprintf: (format, values) => sprintf(str(format, 1), arr(values, 2)),
    'strings.render_template': (tpl, vars) => {
      if (!isObject(vars)) throw typeError(2, 'object', vars);
      return renderTemplate(str(tpl, 1), vars);
    },
    to_number: (v) => {
      if (v === null) return 0;
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (typeof v === 'number') return v;
      if (typeof v !== 'string') throw typeError(1, 'one of {null, boolean, number, string}', v);
      const t = v.trim() === v ? v : '';
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) throw builtinError(`invalid syntax`);
      return Number(t);
    },
  };
}
