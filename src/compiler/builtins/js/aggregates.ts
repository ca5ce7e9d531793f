/**
 * Arithmetic, comparison, set, array, aggregate, bit and type builtins: the
 * ones OPA's Wasm runtime has natively. The JavaScript versions let the runtime
 * fall back while native ones land. Sets arrive as arrays, so set results are
 * returned deduplicated in canonical order.
 */
import {
  type BuiltinFn,
  BuiltinError,
  arr,
  bool,
  builtinError,
  compare,
  equal,
  int,
  isObject,
  num,
  toSet,
  typeError,
  typeName,
  RegoSet,
} from './values.ts';

function collection(v: unknown, pos: number): unknown[] {
  if (Array.isArray(v)) return v;
  if (isObject(v)) return Object.values(v);
  throw typeError(pos, 'one of {array, set, object}', v);
}

function numbers(v: unknown, pos: number): number[] {
  const a = arr(v, pos, 'one of {array, set}');
  for (const x of a) if (typeof x !== 'number') throw new BuiltinError('eval_type_error', `operand ${pos} must be array of numbers but got array containing ${typeName(x)}`);
  return a as number[];
}

function setOf(v: unknown, pos: number): unknown[] {
  return arr(v, pos, 'set');
}

/** Go's math.Round: halves away from zero. */
function roundHalfAway(n: number): number {
  return Math.sign(n) * Math.round(Math.abs(n));
}

function range(a: number, b: number, step: number): number[] {
  const out: number[] = [];
  if (a <= b) for (let i = a; i <= b; i += step) out.push(i);
  else for (let i = a; i >= b; i -= step) out.push(i);
  return out;
}

export function aggregateBuiltins(): Record<string, BuiltinFn> {
  return {
    plus: (a, b) => num(a, 1) + num(b, 2),
    minus: (a, b) => {
      if (typeof a === 'number' || typeof b === 'number') return num(a, 1) - num(b, 2);
      if (Array.isArray(a) && Array.isArray(b)) return toSet(a.filter((x) => !b.some((y) => equal(x, y))));
      throw typeError(1, 'one of {number, set}', a);
    },
    mul: (a, b) => num(a, 1) * num(b, 2),
    div: (a, b) => {
      const d = num(b, 2);
      const n = num(a, 1);
      if (d === 0) throw builtinError('divide by zero');
      return n / d;
    },
    rem: (a, b) => {
      const x = num(a, 1);
      const y = num(b, 2);
      if (!Number.isInteger(x) || !Number.isInteger(y)) throw builtinError('modulo on floating-point number');
      if (y === 0) throw builtinError('modulo by zero');
      const r = x % y;
      return r === 0 ? 0 : r;
    },
    abs: (a) => Math.abs(num(a, 1)),
    round: (a) => roundHalfAway(num(a, 1)),
    ceil: (a) => Math.ceil(num(a, 1)),
    floor: (a) => Math.floor(num(a, 1)),
    'numbers.range': (a, b) => range(int(a, 1), int(b, 2), 1),
    'numbers.range_step': (a, b, s) => {
      const step = int(s, 3);
      if (step <= 0) throw builtinError('step must be a positive integer');
      return range(int(a, 1), int(b, 2), step);
    },
    equal: (a, b) => equal(a, b),
    neq: (a, b) => !equal(a, b),
    lt: (a, b) => compare(a, b) < 0,
    lte: (a, b) => compare(a, b) <= 0,
    gt: (a, b) => compare(a, b) > 0,
    gte: (a, b) => compare(a, b) >= 0,
    and: (a, b) => {
      const y = setOf(b, 2);
      return toSet(setOf(a, 1).filter((x) => y.some((z) => equal(x, z))));
    },
    or: (a, b) => toSet([...setOf(a, 1), ...setOf(b, 2)]),
    union: (sets) => toSet(setOf(sets, 1).flatMap((s, i) => setOf(s, i + 1))),
    intersection: (sets) => {
      const all = setOf(sets, 1).map((s) => setOf(s, 1));
      if (all.length === 0) return [];
      return toSet(all[0]!.filter((x) => all.every((s) => s.some((y) => equal(x, y)))));
    },
    set_diff: (a, b) => {
      const y = setOf(b, 2);
      return toSet(setOf(a, 1).filter((x) => !y.some((z) => equal(x, z))));
    },
    'internal.member_2': (x, c) => collection(c, 2).some((y) => equal(x, y)),
    'internal.member_3': (k, v, c) => {
      if (Array.isArray(c)) return typeof k === 'number' && Number.isInteger(k) && k >= 0 && k < c.length && equal(c[k], v);
      if (isObject(c)) return typeof k === 'string' && Object.hasOwn(c, k) && equal(c[k], v);
      return false;
    },
    count: (c) => {
      if (typeof c === 'string') return Array.from(c).length;
      return collection(c, 1).length;
    },
    sum: (c) => numbers(c, 1).reduce((s, x) => s + x, 0),
    product: (c) => numbers(c, 1).reduce((s, x) => s * x, 1),
    max: (c) => {
      const a = arr(c, 1, 'one of {array, set}');
      if (a.length === 0) return undefined;
      return a.reduce((m, x) => (compare(x, m) > 0 ? x : m));
    },
    min: (c) => {
      const a = arr(c, 1, 'one of {array, set}');
      if (a.length === 0) return undefined;
      return a.reduce((m, x) => (compare(x, m) < 0 ? x : m));
    },
    sort: (c) => [...arr(c, 1, 'one of {array, set}')].sort(compare),
    all: (c) => arr(c, 1, 'one of {array, set}').every((x) => x === true),
    any: (c) => arr(c, 1, 'one of {array, set}').some((x) => x === true),
    'array.concat': (a, b) => [...arr(a, 1), ...arr(b, 2)],
    'array.reverse': (a) => [...arr(a, 1)].reverse(),
    'array.slice': (a, s, e) => {
      const xs = arr(a, 1);
      let from = int(s, 2);
      let to = int(e, 3);
      if (from < 0) from = 0;
      if (to > xs.length) to = xs.length;
      return from >= to ? [] : xs.slice(from, to);
    },
    'bits.and': (a, b) => Number(BigInt(int(a, 1)) & BigInt(int(b, 2))),
    'bits.or': (a, b) => Number(BigInt(int(a, 1)) | BigInt(int(b, 2))),
    'bits.xor': (a, b) => Number(BigInt(int(a, 1)) ^ BigInt(int(b, 2))),
    'bits.negate': (a) => Number(~BigInt(int(a, 1))),
    'bits.lsh': (a, b) => {
      const s = int(b, 2);
      if (s < 0) throw builtinError('shift count must be non-negative');
      return Number(BigInt(int(a, 1)) << BigInt(s));
    },
    'bits.rsh': (a, b) => {
      const s = int(b, 2);
      if (s < 0) throw builtinError('shift count must be non-negative');
      return Number(BigInt(int(a, 1)) >> BigInt(s));
    },
    is_number: (v) => typeof v === 'number',
    is_string: (v) => typeof v === 'string',
    is_boolean: (v) => typeof v === 'boolean',
    is_array: (v) => Array.isArray(v) && !(v instanceof RegoSet),
    // Without tagged sets a set crosses the boundary as an array and cannot be told apart.
    is_set: (v) => v instanceof RegoSet,
    is_object: (v) => isObject(v),
    is_null: (v) => v === null,
    type_name: (v) => typeName(v),
    cast_array: (v) => arr(v, 1),
    cast_set: (v) => toSet(arr(v, 1)),
    cast_string: (v) => (typeof v === 'string' ? v : undefined),
    cast_boolean: (v) => bool(v, 1),
    cast_null: (v) => (v === null ? null : undefined),
    cast_object: (v) => (isObject(v) ? v : undefined),
  };
}
