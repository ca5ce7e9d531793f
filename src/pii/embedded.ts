/**
 * Serialized JSON inside a string (MCP tool results put the result, serialized,
 * in `content[].text`): the raw text scan finds most things, but the keys inside
 * are context too (`"ssn": "634431776"`, `"password": "…"`, a `columns`/`rows`
 * table). This pass tokenizes the embedded JSON, scans each inner string that
 * sits under a telling key with that key's hint, and maps the spans back to
 * offsets in the serialized string.
 */
import { hintForKey } from './context.ts';
import { scanString } from './scanner.ts';
import type { Span } from './types.ts';

const MAX_DEPTH = 64;

interface Frame {
  array: boolean;
  /** Object: the current key. Array: the key the array sits under. */
  key: string | undefined;
  index: number;
  /** Column names seen in this object (`columns: [...]`), for `rows`. */
  columns: string[] | undefined;
  /** This array is `rows` (of arrays) under an object with columns. */
  rowsOf: string[] | undefined;
  /** This array is one row: element j takes column j's name. */
  rowColumns: string[] | undefined;
  /** This array collects the column names. */
  collectsColumns: boolean;
  expectKey: boolean;
}

function firstNonSpace(s: string, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return c;
  }
  return -1;
}

/** Whether `s` may hold serialized JSON worth tokenizing (starts with `{` or `[`). */
export function looksLikeJson(s: string): boolean {
  if (s.length < 8) return false;
  const c = firstNonSpace(s, 0, s.length);
  return c === 123 || c === 91;
}

/**
 * scanString plus, for serialized JSON, the spans found under telling keys
 * inside it that the plain scan did not already cover.
 */
export function scanDeep(s: string, hint: number, cap: number): readonly Span[] {
  const base = scanString(s, hint, cap);
  if (!looksLikeJson(s)) return base;
  const extra = scanEmbeddedJson(s, cap);
  if (extra.length === 0) return base;
  const merged = base.slice();
  for (const e of extra) {
    if (!merged.some((b) => e.start < b.end && b.start < e.end)) merged.push(e);
  }
  if (merged.length === base.length) return base;
  merged.sort((a, b) => a.start - b.start);
  return merged;
}

/** Decodes a JSON string token `raw[from, to)` (without quotes); `map[k]` is the raw offset of decoded char k. */
function decode(raw: string, from: number, to: number): { value: string; map: Int32Array | undefined } {
  if (raw.indexOf('\\', from) < 0 || raw.indexOf('\\', from) >= to) return { value: raw.slice(from, to), map: undefined };
  let value = '';
  const map: number[] = [];
  for (let i = from; i < to; i++) {
    const c = raw[i]!;
    if (c !== '\\') {
      value += c;
      map.push(i);
      continue;
    }
    const e = raw[i + 1];
    let out: string;
    let width = 2;
    switch (e) {
      case 'n': out = '\n'; break;
      case 't': out = '\t'; break;
      case 'r': out = '\r'; break;
      case 'b': out = '\b'; break;
      case 'f': out = '\f'; break;
      case 'u': out = String.fromCharCode(parseInt(raw.slice(i + 2, i + 6), 16) || 0); width = 6; break;
      default: out = e ?? ''; break;
    }
    value += out;
    map.push(i);
    i += width - 1;
  }
  return { value, map: Int32Array.from(map) };
}

/** Spans found under telling keys inside serialized JSON in `raw`, in raw offsets. */
export function scanEmbeddedJson(raw: string, cap: number, depth = 0): Span[] {
  const out: Span[] = [];
  const stack: Frame[] = [];
  const end = Math.min(raw.length, cap);
  let i = 0;
  while (i < end) {
    const c = raw.charCodeAt(i);
    const top = stack[stack.length - 1];
    if (c === 123 || c === 91) {
      if (stack.length >= MAX_DEPTH) return out;
      const array = c === 91;
      const parentKey = top ? (top.array ? (top.rowColumns ? top.rowColumns[top.index] : top.key) : top.key) : undefined;
      const frame: Frame = { array, key: parentKey, index: 0, columns: undefined, rowsOf: undefined, rowColumns: undefined, collectsColumns: false, expectKey: !array };
      if (array && top && !top.array) {
        if (top.key === 'columns' || top.key === 'fields' || top.key === 'headers') {
          frame.collectsColumns = true;
          top.columns = [];
        } else if (top.columns && (top.key === 'rows' || top.key === 'records' || top.key === 'values' || top.key === 'data')) {
          frame.rowsOf = top.columns;
        }
      } else if (array && top && top.rowsOf) {
        frame.rowColumns = top.rowsOf;
      }
      stack.push(frame);
      i++;
      continue;
    }
    if (c === 125 || c === 93) {
      stack.pop();
      i++;
      continue;
    }
    if (c === 44 && top) {
      if (top.array) top.index++;
      else top.expectKey = true;
      i++;
      continue;
    }
    if (c === 34) {
      // A string token: find its closing quote.
      let j = i + 1;
      while (j < end && raw.charCodeAt(j) !== 34) j += raw.charCodeAt(j) === 92 ? 2 : 1;
      if (j >= end) return out;
      if (top && !top.array && top.expectKey) {
        top.key = decode(raw, i + 1, j).value;
        top.expectKey = false;
      } else if (top) {
        const key = top.array ? (top.rowColumns ? top.rowColumns[top.index] : top.key) : top.key;
        if (top.collectsColumns) {
          const parent = stack[stack.length - 2];
          parent?.columns?.push(decode(raw, i + 1, j).value);
        } else {
          const hint = key === undefined ? 0 : hintForKey(key);
          const first = firstNonSpace(raw, i + 1, j);
          const nested = depth < 2 && j - i > 8 && (first === 123 || first === 91);
          if (hint !== 0 || nested) {
            const { value, map } = decode(raw, i + 1, j);
            const spans = hint !== 0 ? scanString(value, hint, cap) : [];
            const inner = nested && looksLikeJson(value) ? scanEmbeddedJson(value, cap, depth + 1) : [];
            for (const s of [...spans, ...inner]) {
              const start = map ? map[s.start]! : i + 1 + s.start;
              const last = map ? map[s.end - 1]! : i + s.end;
              // The raw end: past the last char's escape sequence.
              const rawEnd = map ? (s.end < map.length ? map[s.end]! : j) : i + 1 + s.end;
              out.push({ start, end: Math.max(rawEnd, last + 1), type: s.type });
            }
          }
        }
      }
      i = j + 1;
      continue;
    }
    i++;
  }
  return out;
}
