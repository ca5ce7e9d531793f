/** `units.parse` and `units.parse_bytes`: SI and binary suffixes, exact decimal scaling. */
import { type BuiltinFn, builtinError, str } from './values.ts';

const DECIMAL: Record<string, number> = { k: 3, K: 3, M: 6, g: 9, G: 9, t: 12, T: 12, p: 15, P: 15, e: 18, E: 18 };
const BINARY: Record<string, number> = { ki: 10, Ki: 10, mi: 20, Mi: 20, gi: 30, Gi: 30, ti: 40, Ti: 40, pi: 50, Pi: 50, ei: 60, Ei: 60 };
const BYTE_DECIMAL: Record<string, number> = { k: 3, m: 6, g: 9, t: 12, p: 15, e: 18 };

function split(s: string, what: string): { num: string; unit: string } {
  const x = s.replace(/"/g, '');
  if (x.includes(' ')) throw builtinError('spaces not allowed in resource strings');
  const m = /^[0-9.]*/.exec(x)!;
  const num = m[0];
  if (num === '') throw builtinError(`no ${what} provided`);
  if (!/^(\d+\.?\d*|\.\d+)$/.test(num)) throw builtinError(`could not parse ${what} to a number`);
  return { num, unit: x.slice(num.length) };
}

/** `num × 10^exp`, correctly rounded (parsing the decimal text once). */
function scaleDecimal(num: string, exp: number): number {
  return Number(`${num}e${exp}`);
}

export function unitsBuiltins(): Record<string, BuiltinFn> {
  return {
    'units.parse': (v) => {
      const { num, unit: raw } = split(str(v, 1), 'amount');
      // Only letters after the first are lowercased, so 'm' (milli) and 'M' (mega) stay apart.
      const unit = raw.length > 1 ? raw[0] + raw.slice(1).toLowerCase() : raw;
      if (unit === '') return Number(num);
      if (unit === 'm') return scaleDecimal(num, -3);
      const d = DECIMAL[unit];
      if (d !== undefined) return scaleDecimal(num, d);
      const b = BINARY[unit];
      if (b !== undefined) return Number(num) * 2 ** b;
      throw builtinError('unknown unit');
    },
    'units.parse_bytes': (v) => {
      const { num, unit: raw } = split(str(v, 1), 'byte amount');
      const unit = raw.toLowerCase().replace(/b$/, '');
      let n: number;
      if (unit === '') n = Number(num);
      else if (BYTE_DECIMAL[unit] !== undefined) n = scaleDecimal(num, BYTE_DECIMAL[unit]);
      else if (unit.endsWith('i') && BINARY[unit] !== undefined) n = Number(num) * 2 ** BINARY[unit];
      else throw builtinError('unknown unit');
      return Math.trunc(n);
    },
  };
}
