/**
 * JSON text of messages that carry long strings.
 *
 * Node 20's JSON.stringify escapes a string at ~3.5 µs per KiB (it checks every
 * character on a slow path), while a native regex finds the first character
 * that needs escaping at ~1 µs per KiB. A tool call carrying 16 KiB of text went
 * through JSON.stringify twice (to the upstream, back to the client): ~110 µs.
 * Here, a long string with nothing to escape is quoted as is; everything else is
 * left to JSON.stringify, so the output is exactly JSON.stringify's.
 */

/** Strings shorter than this go to JSON.stringify directly (the regex costs more than it saves). */
const LONG = 512;
/** Characters JSON.stringify would escape: quote, backslash, controls, and surrogates (lone ones are escaped; pairs fall back too). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
/** Below this depth the walk continues; deeper subtrees go to JSON.stringify whole (it also reports cycles). */
const MAX_WALK_DEPTH = 32;

/** JSON.stringify(s) for a string, faster for long strings with nothing to escape. */
export function quoteJson(s: string): string {
  return s.length < LONG || NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/** Nodes the look-ahead visits at most: a large value made of short strings goes to JSON.stringify without a full walk. */
const LOOKAHEAD_NODES = 256;

/** Whether a value holds a string long enough for stringifyJson to be worth its walk (looks at the first nodes only). */
function hasLongString(value: unknown): boolean {
  const budget = { left: LOOKAHEAD_NODES };
  return seek(value, 0, budget);
}

function seek(value: unknown, depth: number, budget: { left: number }): boolean {
  if (--budget.left < 0) return false;
  if (typeof value === 'string') return value.length >= LONG;
  if (value === null || typeof value !== 'object' || depth > MAX_WALK_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (seek(value[i], depth + 1, budget)) return true;
    return false;
  }
  for (const key in value) {
    if (Object.hasOwn(value, key) && seek((value as Record<string, unknown>)[key], depth + 1, budget)) return true;
  }
  return false;
}

/**
 * The same text as JSON.stringify(value) for a plain JSON value (objects, arrays, strings,
 * numbers, booleans, null; undefined members skipped, toJSON honoured), faster when the
 * value carries long strings.
 */
export function stringifyJson(value: unknown): string {
  if (!hasLongString(value)) return JSON.stringify(value);
  return write(value, '', 0) ?? 'null';
}

function write(value: unknown, key: string, depth: number): string | undefined {
  if (typeof value === 'string') return quoteJson(value);
  if (value === null || typeof value !== 'object' || depth > MAX_WALK_DEPTH) return JSON.stringify(value);
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return write((value as { toJSON: (k: string) => unknown }).toJSON(key), key, depth);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += write(value[i], String(i), depth + 1) ?? 'null';
    }
    return out + ']';
  }
  // Boxed primitives and other exotic objects: JSON.stringify knows their rules.
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return JSON.stringify(value);
  let out = '{';
  let first = true;
  for (const k in value) {
    if (!Object.hasOwn(value, k)) continue;
    const member = write((value as Record<string, unknown>)[k], k, depth + 1);
    if (member === undefined) continue;
    out += first ? `${quoteJson(k)}:${member}` : `,${quoteJson(k)}:${member}`;
    first = false;
  }
  return out + '}';
}
