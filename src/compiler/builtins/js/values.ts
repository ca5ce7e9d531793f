/**
 * Shared vocabulary of the JavaScript builtins: the value model at the opa-wasm
 * boundary (plain JSON; sets arrive as arrays), argument checks that raise OPA's
 * error kinds, OPA's canonical ordering, and Rego-syntax formatting.
 */

/** A builtin implementation: JSON values in, a JSON value (or undefined) out. */
export type BuiltinFn = (...args: unknown[]) => unknown;

/** A JSON object as it crosses the boundary. */
export type JsonObject = Record<string, unknown>;

/** The key of a tagged set, `{"$rego_set": [...]}` (see `JsBuiltinsOptions.taggedSets`). */
export const SET_TAG = '$rego_set';

/**
 * A Rego set whose identity survived the boundary (only with tagged sets).
 * It is an array, so every builtin that takes "array or set" works unchanged;
 * it serialises back to its tagged form.
 */
export class RegoSet extends Array<unknown> {
  toJSON(): JsonObject {
    return { [SET_TAG]: Array.from(this) };
  }
}

/** A RegoSet holding `items`. */
export function regoSet(items: readonly unknown[]): RegoSet {
  const s = new RegoSet();
  for (const x of items) s.push(x);
  return s;
}

/** The key of a tagged integer beyond 2^53, `{"$rego_num": "<digits>"}` (exact where JSON.parse would round). */
export const NUM_TAG = '$rego_num';

/** The key that escapes a user object whose only key is a tag: `{"$rego_obj": {"$rego_set": 1}}`. */
export const OBJ_TAG = '$rego_obj';

function tagKey(keys: string[]): string | undefined {
  if (keys.length !== 1) return undefined;
  const k = keys[0]!;
  return k === SET_TAG || k === NUM_TAG || k === OBJ_TAG ? k : undefined;
}

/**
 * Decodes the tagged boundary form, deeply: tagged sets become RegoSets,
 * escaped objects their payload, tagged integers bigints (`bigints`) or the
 * nearest JS number. Untouched parts are returned as they are (no copy).
 */
export function untagValue(v: unknown, bigints = false): unknown {
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x = untagValue(v[i], bigints);
      if (x !== v[i]) (out ??= v.slice())[i] = x;
    }
    return out ?? v;
  }
  if (typeof v !== 'object' || v === null) return v;
  const o = v as JsonObject;
  const keys = Object.keys(o);
  const tag = tagKey(keys);
  if (tag === SET_TAG && Array.isArray(o[SET_TAG])) return regoSet((o[SET_TAG] as unknown[]).map((x) => untagValue(x, bigints)));
  if (tag === NUM_TAG && typeof o[NUM_TAG] === 'string' && /^-?\d+$/.test(o[NUM_TAG])) {
    const n = BigInt(o[NUM_TAG]);
    return bigints ? n : Number(n);
  }
  if (tag === OBJ_TAG && isObject(o[OBJ_TAG])) return untagMembers(o[OBJ_TAG] as JsonObject, Object.keys(o[OBJ_TAG] as JsonObject), bigints);
  return untagMembers(o, keys, bigints);
}

function untagMembers(o: JsonObject, keys: string[], bigints: boolean): JsonObject {
  let out: JsonObject | undefined;
  for (const k of keys) {
    const x = untagValue(o[k], bigints);
    if (x !== o[k]) (out ??= { ...o })[k] = x;
  }
  return out ?? o;
}

/** Replaces tagged sets (`{"$rego_set": [...]}`) by RegoSets, deeply (tagged integers become numbers). */
export function untagSets(v: unknown): unknown {
  return untagValue(v, false);
}

/**
 * Encodes a result for the tagged boundary: objects whose only key is a tag
 * are escaped as `{"$rego_obj": …}`, bigints become `{"$rego_num": "…"}`.
 * RegoSets tag themselves when serialised. Returns `v` itself when nothing changes.
 */
export function tagValue(v: unknown): unknown {
  if (typeof v === 'bigint') return { [NUM_TAG]: v.toString() };
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x = tagValue(v[i]);
      if (x !== v[i]) (out ??= v.slice())[i] = x;
    }
    return out ?? v;
  }
  if (!isObject(v)) return v;
  const keys = Object.keys(v);
  let out: JsonObject | undefined;
  for (const k of keys) {
    const x = tagValue(v[k]);
    if (x !== v[k]) (out ??= { ...v })[k] = x;
  }
  const o = out ?? v;
  return tagKey(keys) ? { [OBJ_TAG]: o } : o;
}

/** `v` with every RegoSet replaced by a plain array (for serialisers that honour `toJSON`). */
export function plainValue(v: unknown): unknown {
  if (Array.isArray(v)) {
    let out: unknown[] | undefined = v instanceof RegoSet ? Array.from(v) : undefined;
    for (let i = 0; i < v.length; i++) {
      const x = plainValue(v[i]);
      if (x !== v[i]) (out ??= v.slice())[i] = x;
    }
    return out ?? v;
  }
  if (!isObject(v)) return v;
  let out: JsonObject | undefined;
  for (const k of Object.keys(v)) {
    const x = plainValue(v[k]);
    if (x !== v[k]) (out ??= { ...v })[k] = x;
  }
  return out ?? v;
}

/** Per-evaluation state: memoised nondeterministic results and the clock. */
export interface EvaluationCache {
  /** Values of `time.now_ns`, `rand.intn`, `uuid.rfc4122`, keyed by builtin + arguments. */
  readonly memo: Map<string, unknown>;
}

/** What each builtin family receives when its table is built. */
export interface BuiltinContext {
  readonly strict: boolean;
  /** Current time in nanoseconds since the epoch. */
  readonly now: () => bigint;
  /** The cache of the evaluation under way (replaced by `resetEvaluation`). */
  cache(): EvaluationCache;
}

/** OPA's two builtin failure kinds (`eval_type_error`, `eval_builtin_error`). */
export class BuiltinError extends Error {
  constructor(
    readonly code: 'eval_type_error' | 'eval_builtin_error',
    message: string,
  ) {
    super(message);
    this.name = 'BuiltinError';
  }
}

/** A type error in OPA's wording: `operand 1 must be string but got number`. */
export function typeError(pos: number, want: string, got: unknown): BuiltinError {
  return new BuiltinError('eval_type_error', `operand ${pos} must be ${want} but got ${typeName(got)}`);
}

/** A builtin error (bad content rather than bad type). */
export function builtinError(message: string): BuiltinError {
  return new BuiltinError('eval_builtin_error', message);
}

/** Rego type name of a JSON value (sets are indistinguishable from arrays here). */
export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof RegoSet) return 'set';
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
    case 'bigint':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'object':
      return 'object';
    default:
      return 'undefined';
  }
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof ArrayBuffer);
}

export function str(v: unknown, pos: number): string {
  if (typeof v !== 'string') throw typeError(pos, 'string', v);
  return v;
}

export function num(v: unknown, pos: number): number {
  if (typeof v !== 'number') throw typeError(pos, 'number', v);
  return v;
}

export function int(v: unknown, pos: number): number {
  const n = num(v, pos);
  if (!Number.isInteger(n)) throw new BuiltinError('eval_type_error', `operand ${pos} must be integer number but got floating-point number`);
  return n;
}

export function bool(v: unknown, pos: number): boolean {
  if (typeof v !== 'boolean') throw typeError(pos, 'boolean', v);
  return v;
}

export function arr(v: unknown, pos: number, want = 'array'): unknown[] {
  if (!Array.isArray(v)) throw typeError(pos, want, v);
  return v;
}

export function obj(v: unknown, pos: number): JsonObject {
  if (!isObject(v)) throw typeError(pos, 'object', v);
  return v;
}

/** Strings of an array or set argument (OPA: `operand N must be one of {set, array} containing strings`). */
export function strs(v: unknown, pos: number): string[] {
  const a = arr(v, pos, 'one of {array, set}');
  for (const s of a) if (typeof s !== 'string') throw new BuiltinError('eval_type_error', `operand ${pos} must be array of strings but got array containing ${typeName(s)}`);
  return a as string[];
}

const ORDER: Record<string, number> = { null: 0, boolean: 1, number: 2, string: 3, array: 4, object: 5, set: 6 };

/** OPA's canonical order on JSON values (null < boolean < number < string < array < object). */
export function compare(a: unknown, b: unknown): number {
  const ta = typeName(a);
  const tb = typeName(b);
  if (ta !== tb) return (ORDER[ta] ?? 9) - (ORDER[tb] ?? 9);
  switch (ta) {
    case 'null':
      return 0;
    case 'boolean':
      return a === b ? 0 : a ? 1 : -1;
    case 'number':
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 'string':
      return compareStrings(a as string, b as string);
    case 'set':
    case 'array': {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < x.length && i < y.length; i++) {
        const c = compare(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    default: {
      const x = a as JsonObject;
      const y = b as JsonObject;
      const kx = Object.keys(x).sort(compareStrings);
      const ky = Object.keys(y).sort(compareStrings);
      for (let i = 0; i < kx.length && i < ky.length; i++) {
        const c = compareStrings(kx[i]!, ky[i]!) || compare(x[kx[i]!], y[ky[i]!]);
        if (c !== 0) return c;
      }
      return kx.length - ky.length;
    }
  }
}

/** Byte-wise (UTF-8 order) string comparison, as Go compares strings. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca > 0xffff) i++;
  }
  return a.length - b.length;
}

/** Deep equality of JSON values. */
export function equal(a: unknown, b: unknown): boolean {
  return a === b || compare(a, b) === 0;
}

/** A set result: deduplicated and in canonical order, as OPA would serialise it. */
export function toSet(values: Iterable<unknown>): unknown[] {
  const out = [...values].sort(compare);
  let w = 0;
  for (let i = 0; i < out.length; i++) if (i === 0 || compare(out[i], out[w - 1]) !== 0) out[w++] = out[i];
  out.length = w;
  return out;
}

/** Formats a value as a Rego term, as OPA prints it (`{"a": 1}`, `[1, 2]`). */
export function formatTerm(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'bigint') return v.toString();
  if (v === null || typeof v === 'boolean') return String(v);
  if (v instanceof RegoSet) return v.length === 0 ? 'set()' : `{${v.map(formatTerm).join(', ')}}`;
  if (Array.isArray(v)) return `[${v.map(formatTerm).join(', ')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort(compareStrings);
    return `{${keys.map((k) => `${JSON.stringify(k)}: ${formatTerm(v[k])}`).join(', ')}}`;
  }
  return String(v);
}

/** Formats a number as OPA does (integers without exponent, floats shortest). */
export function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return BigInt(n).toString();
  return String(n);
}

/** Deep copy of a JSON value (builtins that edit documents work on copies). */
export function clone<T>(v: T): T {
  // Not structuredClone: it would turn RegoSets into plain arrays.
  if (Array.isArray(v)) {
    const out: unknown[] = v instanceof RegoSet ? new RegoSet() : [];
    for (const x of v) out.push(clone(x));
    return out as T;
  }
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const k of Object.keys(v)) out[k] = clone(v[k]);
    return out as T;
  }
  return v;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * An integer result. A JS number when it is exact; otherwise an ArrayBuffer
 * holding its JSON digits, which opa-wasm's `_loadJSON` hands to the module
 * verbatim, so nanosecond timestamps beyond 2^53 arrive exactly.
 */
export function exactNumber(n: bigint): number | ArrayBuffer {
  if (n <= MAX_SAFE && n >= -MAX_SAFE) return Number(n);
  return new TextEncoder().encode(n.toString()).buffer as ArrayBuffer;
}

function allSafe(v: unknown): boolean {
  if (typeof v === 'bigint') return v <= MAX_SAFE && v >= -MAX_SAFE;
  if (Array.isArray(v)) return v.every(allSafe);
  if (isObject(v)) return Object.values(v).every(allSafe);
  return true;
}

/** A JSON result that may hold bigints: plain numbers when all are exact, else exact JSON text. */
export function exactJson(v: unknown): unknown {
  if (allSafe(v)) return JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x)));
  const text = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `\u0000${x.toString()}` : x)).replace(/"\\u0000(-?\d+)"/g, '$1');
  return new TextEncoder().encode(text).buffer as ArrayBuffer;
}
