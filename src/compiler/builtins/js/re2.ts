/**
 * Translation of Go RE2 syntax to JavaScript RegExp, and Go's "find all"
 * iteration rules. RE2 has no backreferences or lookaround, so those are
 * rejected rather than silently given JavaScript's meaning.
 */
import { builtinError } from './values.ts';

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''));

/** Translates an RE2 pattern to a JS source + flags (always with `u`: Go matches code points). */
export function translateRe2(pattern: string): { source: string; flags: string } {
  let flags = 'u';
  let p = pattern;
  // Leading flag group `(?i)`, `(?s)`, `(?m)`, `(?is)`…
  const lead = /^\(\?([imsU]+)\)/.exec(p);
  if (lead) {
    for (const f of lead[1]!) {
      if (f === 'U') throw builtinError(`error parsing regexp: ungreedy flag not supported`);
      if (!flags.includes(f)) flags += f;
    }
    p = p.slice(lead[0].length);
  }
  let out = '';
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') {
      const n = p[i + 1];
      if (n === undefined) throw builtinError('error parsing regexp: trailing backslash at end of expression: ``');
      i++;
      if (n === 'Q') {
        const end = p.indexOf('\\E', i + 1);
        const lit = end < 0 ? p.slice(i + 1) : p.slice(i + 1, end);
        out += lit.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
        i = end < 0 ? p.length : end + 1;
      } else if (n === 'z') out += '$(?![\\s\\S])';
      else if (n === 'A') out += '^';
      else if (/[1-9]/.test(n)) throw builtinError(`error parsing regexp: invalid escape sequence: \`\\${n}\``);
      else if (n === 'p' || n === 'P') {
        if (p[i + 1] === '{') {
          const end = p.indexOf('}', i);
          out += `\\${n}${p.slice(i + 1, end + 1)}`;
          i = end;
        } else {
          out += `\\${n}{${p[i + 1]}}`;
          i++;
        }
      } else if (/[a-zA-Z0-9]/.test(n)) out += `\\${n}`;
      else if (SYNTAX.has(n) || (inClass && n === '-')) out += `\\${n}`;
      else out += n === ' ' ? ' ' : `\\x${n.charCodeAt(0).toString(16).padStart(2, '0')}`;
      continue;
    }
    if (inClass) {
      if (c === '[' && p[i + 1] === ':') {
        const end = p.indexOf(':]', i + 2);
        const name = end > 0 ? p.slice(i + 2, end) : '';
        const neg = name.startsWith('^');
        const cls = POSIX[neg ? name.slice(1) : name];
        if (cls === undefined || neg) throw builtinError(`error parsing regexp: invalid character class range: \`${p.slice(i, end + 2)}\``);
        out += cls;
        i = end + 1;
        continue;
      }
      if (c === ']') inClass = false;
      if (c === '[') out += '\\[';
      else out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (p[i + 1] === '^') out += p[++i];
      if (p[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && p[i + 1] === '?') {
      if (p[i + 2] === 'P' && p[i + 3] === '<') {
        out += '(?<';
        i += 3;
        continue;
      }
      if (p[i + 2] === '=' || p[i + 2] === '!' || (p[i + 2] === '<' && (p[i + 3] === '=' || p[i + 3] === '!'))) {
        throw builtinError('error parsing regexp: invalid or unsupported Perl syntax: `(?' + p[i + 2] + '`');
      }
    }
    out += c;
  }
  if (inClass) throw builtinError(`error parsing regexp: missing closing ]: \`${p}\``);
  return { source: out, flags };
}

const cache = new Map<string, RegExp>();

/** Compiles an RE2 pattern (cached); throws a builtin error when it is invalid. */
export function compileRe2(pattern: string, global = false): RegExp {
  const key = (global ? 'g' : '-') + pattern;
  let re = cache.get(key);
  if (re) {
    re.lastIndex = 0;
    return re;
  }
  const { source, flags } = translateRe2(pattern);
  try {
    re = new RegExp(source, global ? flags + 'g' : flags);
  } catch (e) {
    throw builtinError(`error parsing regexp: ${(e as Error).message}`);
  }
  if (cache.size > 512) cache.clear();
  cache.set(key, re);
  return re;
}

/** Go's FindAll…Index: at most n matches (n < 0: all); an empty match right after a match is skipped. */
export function findAll(pattern: string, s: string, n: number): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  if (n === 0) return out;
  const re = compileRe2(pattern, true);
  re.lastIndex = 0;
  let prevEnd = -1;
  for (;;) {
    const m = re.exec(s);
    if (!m) break;
    const end = m.index + m[0].length;
    if (m[0].length === 0) {
      re.lastIndex = m.index + (s.codePointAt(m.index)! > 0xffff ? 2 : 1);
      if (m.index === prevEnd) {
        if (m.index >= s.length) break;
        continue;
      }
    }
    out.push(m);
    prevEnd = end;
    if (n > 0 && out.length >= n) break;
    if (m.index >= s.length) break;
  }
  return out;
}

/** Go's Regexp.ReplaceAllString template expansion: `$1`, `${1}`, `$name`, `${name}`, `$$`. */
export function expandTemplate(template: string, m: RegExpExecArray): string {
  return template.replace(/\$(\$|\{(\w+)\}|(\w+))/g, (_all, tok: string, braced?: string, bare?: string) => {
    if (tok === '$') return '$';
    const name = braced ?? bare ?? '';
    if (/^\d+$/.test(name)) return m[Number(name)] ?? '';
    return m.groups?.[name] ?? '';
  });
}
