/**
 * `sprintf`: Go's fmt verbs as OPA applies them to Rego values. Numbers that are
 * integers format as Go ints, other numbers as float64; composites print as
 * Rego terms (`%v` of `["a", 1]` is `["a", 1]`).
 */
import { formatNumber, formatTerm } from './values.ts';

function pad(s: string, width: number, left: boolean, zero: boolean): string {
  if (s.length >= width) return s;
  if (left) return s + ' '.repeat(width - s.length);
  if (zero) {
    const sign = s[0] === '-' || s[0] === '+' ? s[0] : '';
    return sign + '0'.repeat(width - s.length) + s.slice(sign.length);
  }
  return ' '.repeat(width - s.length) + s;
}

/** Go's %v of a Rego value. */
function plain(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatNumber(v);
  return formatTerm(v);
}

/** Go's %g-ish shortest float form (%v of a float64). */
function goFloat(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return formatNumber(n);
  return String(n).replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Formats `format` with `args` following Go's fmt rules for the common verbs. */
export function sprintf(format: string, args: unknown[]): string {
  let out = '';
  let argi = 0;
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    let flags = '';
    i++;
    while (i < format.length && '-+# 0'.includes(format[i]!)) flags += format[i++];
    let width = '';
    while (i < format.length && /\d/.test(format[i]!)) width += format[i++];
    let prec: number | undefined;
    if (format[i] === '.') {
      i++;
      let p = '';
      while (i < format.length && /\d/.test(format[i]!)) p += format[i++];
      prec = p === '' ? 0 : Number(p);
    }
    const verb = format[i];
    if (verb === undefined) {
      out += '%!(NOVERB)';
      break;
    }
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const v = args[argi++];
    let s: string;
    switch (verb) {
      case 'v':
      case 's':
        s = typeof v === 'number' && !Number.isInteger(v) ? goFloat(v) : plain(v);
        if (prec !== undefined && verb === 's') s = Array.from(s).slice(0, prec).join('');
        break;
      case 'd':
        s = typeof v === 'number' && Number.isInteger(v) ? formatNumber(v) : `%!d(${typeof v === 'number' ? 'float64=' + goFloat(v) : 'string=' + plain(v)})`;
        if (flags.includes('+') && typeof v === 'number' && v >= 0) s = '+' + s;
        break;
      case 'f':
      case 'F':
        s = typeof v === 'number' ? v.toFixed(prec ?? 6) : `%!f(string=${plain(v)})`;
        if (flags.includes('+') && typeof v === 'number' && v >= 0) s = '+' + s;
        break;
      case 'e':
      case 'E': {
        s = typeof v === 'number' ? v.toExponential(prec ?? 6).replace(/e([+-])(\d)$/, 'e$10$2') : `%!e(string=${plain(v)})`;
        if (verb === 'E') s = s.toUpperCase();
        break;
      }
      case 'g':
      case 'G':
        s = typeof v === 'number' ? (prec === undefined ? goFloat(v) : String(Number(v.toPrecision(prec)))) : plain(v);
        break;
      case 't':
        s = typeof v === 'boolean' ? String(v) : `%!t(${plain(v)})`;
        break;
      case 'q':
        s = typeof v === 'string' ? JSON.stringify(v) : plain(v);
        break;
      case 'x':
      case 'X':
        if (typeof v === 'number' && Number.isInteger(v)) s = (v < 0 ? '-' : '') + Math.abs(v).toString(16);
        else if (typeof v === 'string') s = Buffer.from(v, 'utf8').toString('hex');
        else s = plain(v);
        if (flags.includes('#')) s = '0x' + s;
        if (verb === 'X') s = s.toUpperCase();
        break;
      case 'o':
        s = typeof v === 'number' ? Math.trunc(v).toString(8) : plain(v);
        break;
      case 'b':
        s = typeof v === 'number' ? Math.trunc(v).toString(2) : plain(v);
        break;
      case 'c':
        s = typeof v === 'number' ? String.fromCodePoint(v) : plain(v);
        break;
      case 'T':
        s = typeof v === 'string' ? 'string' : typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'float64') : typeof v === 'boolean' ? 'bool' : 'ast.Value';
        break;
      default:
        s = `%!${verb}(${plain(v)})`;
    }
    out += width ? pad(s, Number(width), flags.includes('-'), flags.includes('0')) : s;
  }
  if (argi < args.length) out += `%!(EXTRA ${args.slice(argi).map((a) => plain(a)).join(', ')})`;
  return out;
}
