import { jsBuiltins } from '../../../../src/compiler/builtins/index.ts';

/** Strict builtins with a fixed clock (2015-12-28T14:08:25Z), so time tests are repeatable. */
export const strict = jsBuiltins({ strict: true, now: () => 1451311705000000000n });
export const lenient = jsBuiltins({ strict: false, now: () => 1451311705000000000n });

/** Calls builtin `name`; results that crossed as exact JSON text are parsed with bigints. */
export function call(name: string, ...args: unknown[]): unknown {
  const fn = strict[name];
  if (!fn) throw new Error(`no builtin ${name}`);
  return decode(fn(...args));
}

/** A builtin result as a value: exact JSON text (ArrayBuffer) is parsed with bigints. */
export function decode(r: unknown): unknown {
  return r instanceof ArrayBuffer ? parseExact(new TextDecoder().decode(r)) : r;
}

const MARK = '#bigint#';

/** JSON.parse, but integers beyond 2^53 become bigints. */
export function parseExact(text: string): unknown {
  const marked = text.replace(/"(?:[^"\\]|\\.)*"|-?\d{16,}(?![.eE\d])/g, (m) => (m.startsWith('"') ? m : `"${MARK}${m}"`));
  return JSON.parse(marked, (_k, v: unknown) => (typeof v === 'string' && v.startsWith(MARK) ? BigInt(v.slice(MARK.length)) : v));
}
