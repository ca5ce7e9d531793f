/**
 * The JavaScript builtins handed to opa-wasm's `loadPolicy(wasm, memory, customBuiltins)`.
 *
 * Every function takes JSON arguments (sets arrive as arrays; with
 * `taggedSets`, which warden's compiled policies need, in the tagged form
 * described there) and returns a
 * JSON-able value, `undefined` for "undefined", or an ArrayBuffer holding JSON
 * text when a result holds integers beyond 2^53 (opa-wasm's `_loadJSON` passes
 * an ArrayBuffer through unchanged, so such integers reach the module exactly).
 * Builtin errors throw in strict mode and make the call undefined otherwise.
 */
import { hostBuiltinName, sdkBuiltins } from '../decls.ts';
import { aggregateBuiltins } from './aggregates.ts';
import { cryptoBuiltins } from './crypto.ts';
import { encodingBuiltins } from './encoding.ts';
import { globBuiltins } from './glob.ts';
import { graphqlBuiltins } from './graphql.ts';
import { jsonBuiltins } from './json.ts';
import { jwtBuiltins } from './jwt.ts';
import { miscBuiltins } from './misc.ts';
import { netBuiltins } from './net.ts';
import { objectBuiltins } from './objects.ts';
import { regexBuiltins } from './regex.ts';
import { regoBuiltins } from './rego.ts';
import { semverBuiltins } from './semver.ts';
import { stringBuiltins } from './strings.ts';
import { timeBuiltins } from './time.ts';
import { unitsBuiltins } from './units.ts';
import { uuidBuiltins } from './uuid.ts';
import { x509Builtins } from './x509.ts';
import { type BuiltinContext, type BuiltinFn, type EvaluationCache, BuiltinError, tagValue, untagValue } from './values.ts';

export { BuiltinError, type BuiltinFn, type EvaluationCache, NUM_TAG, OBJ_TAG, RegoSet, SET_TAG, tagValue, untagValue } from './values.ts';

/** Options of `jsBuiltins`. */
export interface JsBuiltinsOptions {
  /** Throw on builtin errors (OPA's strict-builtin-errors); otherwise the call is undefined. */
  strict: boolean;
  /** Clock in nanoseconds since the epoch; defaults to the system clock. */
  now?: () => bigint;
  /**
   * Arguments and results use warden's runtime's tagged encoding (plain JSON
   * loses the difference between a set and an array, and integers beyond
   * 2^53): `{"$rego_set": [...]}`, `{"$rego_num": "<digits>"}`, and
   * `{"$rego_obj": {...}}` escaping an object whose only key is a tag.
   * Builtins see sets as RegoSets; the time builtins see big integers as
   * bigints (others as the nearest number); results go back tagged.
   */
  taggedSets?: boolean;
}

/** The table of JavaScript builtins, keyed by Rego name. */
export type JsBuiltins = Record<string, BuiltinFn>;

const caches = new WeakMap<JsBuiltins, { current: EvaluationCache; armed: boolean }>();

/** A fresh per-evaluation cache (memoised `time.now_ns`, `rand.intn`, `uuid.rfc4122`). */
export function newEvaluationCache(): EvaluationCache {
  return { memo: new Map() };
}

/** Starts a new evaluation for `builtins`: nondeterministic builtins may give new values. */
export function resetEvaluation(builtins: JsBuiltins): void {
  const holder = caches.get(builtins);
  if (holder) holder.current = newEvaluationCache();
}

function systemNow(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/** Builds the builtin table: `jsBuiltins({strict: false})` → pass to `loadPolicy`. */
export function jsBuiltins(options: JsBuiltinsOptions): JsBuiltins {
  const holder = { current: newEvaluationCache(), armed: false };
  const ctx: BuiltinContext = {
    strict: options.strict,
    now: options.now ?? systemNow,
    // opa-wasm evaluates synchronously, so one evaluation never spans a
    // microtask: the memo is dropped at the end of the current task, which
    // keeps values stable within an evaluation and fresh across evaluations
    // even when the caller never calls `resetEvaluation`.
    cache: () => {
      if (!holder.armed) {
        holder.armed = true;
        queueMicrotask(() => {
          holder.current = newEvaluationCache();
          holder.armed = false;
        });
      }
      return holder.current;
    },
  };
  const families = [
    aggregateBuiltins(),
    stringBuiltins(),
    regexBuiltins(),
    globBuiltins(),
    objectBuiltins(),
    jsonBuiltins(),
    encodingBuiltins(),
    netBuiltins(),
    timeBuiltins(ctx),
    unitsBuiltins(),
    semverBuiltins(),
    uuidBuiltins(ctx),
    cryptoBuiltins(),
    jwtBuiltins(ctx),
    x509Builtins(),
    graphqlBuiltins(),
    miscBuiltins(ctx),
    regoBuiltins(),
  ];
  const table: JsBuiltins = {};
  for (const family of families) {
    for (const [name, fn] of Object.entries(family)) table[name] = guard(name, fn, options.strict, options.taggedSets === true);
  }
  // Aliases for the builtins opa-wasm would otherwise answer itself (see `hostBuiltinName`).
  for (const name of sdkBuiltins) {
    const fn = table[name];
    if (fn) table[hostBuiltinName(name)] = fn;
  }
  caches.set(table, holder);
  return table;
}

/** Wraps a builtin with OPA's error semantics (strict: throw `name: message`; default: undefined). */
function guard(name: string, fn: BuiltinFn, strict: boolean, taggedSets: boolean): BuiltinFn {
  // The time builtins take nanoseconds as bigints, exact beyond 2^53.
  const bigints = name.startsWith('time.');
  return (...args: unknown[]) => {
    try {
      if (!taggedSets) return fn(...args);
      for (let i = 0; i < args.length; i++) args[i] = untagValue(args[i], bigints);
      return tagValue(fn(...args));
    } catch (err) {
      if (!strict) return undefined;
      if (err instanceof BuiltinError) throw new BuiltinError(err.code, `${name}: ${err.message}`);
      throw new BuiltinError('eval_builtin_error', `${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
}
