/** `glob.match` (gobwas/glob semantics) and `glob.quote_meta`. */
import { type BuiltinFn, BuiltinError, builtinError, str, typeError } from './values.ts';

function escapeRe(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/** Translates a glob to an anchored RegExp source; `*` and `?` stop at delimiters, `**` does not. */
function globToRegex(pattern: string, delimiters: string[]): string {
  const notDelim = delimiters.length === 0 ? '[\\s\\S]' : `[^${delimiters.map(escapeRe).join('')}]`;
  let out = '';
  let depth = 0;
  const cps = Array.from(pattern);
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!;
    if (c === '\\') {
      const n = cps[++i];
      if (n === undefined) throw builtinError(`unexpected end of input`);
      out += escapeRe(n);
    } else if (c === '*') {
      if (cps[i + 1] === '*') {
        out += '[\\s\\S]*';
        i++;
      } else out += `${notDelim}*`;
    } else if (c === '?') out += notDelim;
    else if (c === '[') {
      let j = i + 1;
      let neg = false;
      if (cps[j] === '!') {
        neg = true;
        j++;
      }
      let cls = '';
      for (; j < cps.length && cps[j] !== ']'; j++) {
        const ch = cps[j]!;
        if (ch === '-' && cls !== '' && cps[j + 1] !== ']') cls += '-';
        else cls += ch === '\\' ? escapeRe(cps[++j] ?? '\\') : escapeRe(ch);
      }
      if (j >= cps.length) throw builtinError(`unexpected end of input`);
      out += `[${neg ? '^' : ''}${cls}]`;
      i = j;
    } else if (c === '{') {
      depth++;
      out += '(?:';
    } else if (c === '}' && depth > 0) {
      depth--;
      out += ')';
    } else if (c === ',' && depth > 0) out += '|';
    else out += escapeRe(c);
  }
  if (depth !== 0) throw builtinError(`unexpected end of input`);
  return `^(?:${out})$`;
}

const cache = new Map<string, RegExp>();

export function globBuiltins(): Record<string, BuiltinFn> {
  return {
    'glob.match': (p, d, m) => {
      const pattern = str(p, 1);
      let delims: string[];
      if (d === null) delims = [];
      else if (Array.isArray(d)) {
        for (const x of d) if (typeof x !== 'string') throw new BuiltinError('eval_type_error', 'operand 2 must be array of strings');
        delims = d.length === 0 ? ['.'] : (d as string[]);
      } else throw typeError(2, 'array', d);
      const value = str(m, 3);
      const key = `${delims.join('\u0000')}\u0001${pattern}`;
      let re = cache.get(key);
      if (!re) {
        re = new RegExp(globToRegex(pattern, delims), 'u');
        if (cache.size > 512) cache.clear();
        cache.set(key, re);
      }
      return re.test(value);
    },
    'glob.quote_meta': (p) => str(p, 1).replace(/[*?\\[\]{}]/g, '\\$&'),
  };
}
