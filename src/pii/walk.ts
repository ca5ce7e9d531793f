/**
 * The structural walk: visits every string in a JSON value with the key it
 * sits under as context, and reports findings with RFC 6901 pointers.
 *
 * Key context: a string's hint comes from its own key, or for array elements
 * from the array's key; for tabular results (`columns` + `rows`) row cells take
 * the hint of their column name.
 */
import { hintForKey } from './context.ts';
import { scanDeep } from './embedded.ts';
import { DEFAULT_MAX_SCAN_BYTES } from './scanner.ts';
import type { Finding, ScanOptions, Span } from './types.ts';

/** Escapes one reference token of a JSON pointer (RFC 6901: `~` → `~0`, `/` → `~1`). */
export function escapePointerToken(token: string): string {
  return token.includes('~') || token.includes('/') ? token.replace(/~/g, '~0').replace(/\//g, '~1') : token;
}

/** Builds a JSON pointer from path segments. */
export function toPointer(segments: readonly (string | number)[]): string {
  let p = '';
  for (const s of segments) p += '/' + (typeof s === 'number' ? String(s) : escapePointerToken(s));
  return p;
}

const COLUMN_KEYS = ['columns', 'fields', 'headers', 'header'];
const ROW_KEYS = ['rows', 'records', 'values', 'data'];

/** For `{columns: [...names], rows: [[...]]}`: the column hints, else undefined. */
export function columnHints(obj: Record<string, unknown>): number[] | undefined {
  for (const ck of COLUMN_KEYS) {
    const cols = obj[ck];
    if (!Array.isArray(cols) || cols.length === 0) continue;
    const hints: number[] = [];
    for (const c of cols) {
      if (typeof c === 'string') hints.push(hintForKey(c));
      else if (c !== null && typeof c === 'object' && typeof (c as { name?: unknown }).name === 'string') hints.push(hintForKey((c as { name: string }).name));
      else return undefined;
    }
    return hints;
  }
  return undefined;
}

/** Whether `key` holds table rows (see columnHints). */
export function isRowKey(key: string): boolean {
  return ROW_KEYS.includes(key);
}

/** Deeper values are not visited (the stage refuses them, see scrub.ts). */
const MAX_WALK_DEPTH = 512;

/** Callback for each string the walk visits: its path segments, value and hint. */
export type StringVisitor = (path: readonly (string | number)[], value: string, hint: number) => void;

/** Visits every string in `value` depth-first with its key hint. */
export function visitStrings(value: unknown, visit: StringVisitor): void {
  const path: (string | number)[] = [];
  const walk = (node: unknown, hint: number, rowHints: number[] | undefined): void => {
    if (typeof node === 'string') {
      visit(path, node, hint);
      return;
    }
    if (node === null || typeof node !== 'object' || path.length >= MAX_WALK_DEPTH) return;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        path.push(i);
        const child = node[i];
        if (rowHints && Array.isArray(child)) {
          for (let j = 0; j < child.length; j++) {
            path.push(j);
            walk(child[j], rowHints[j] ?? hint, undefined);
            path.pop();
          }
        } else {
          walk(child, hint, undefined);
        }
        path.pop();
      }
      return;
    }
    const obj = node as Record<string, unknown>;
    const cols = columnHints(obj);
    for (const key in obj) {
      path.push(key);
      walk(obj[key], hintForKey(key), cols && isRowKey(key) ? cols : undefined);
      path.pop();
    }
  };
  walk(value, 0, undefined);
}

/** Scans every string in a JSON value; findings carry JSON pointers. */
export function scanJson(value: unknown, opts: Omit<ScanOptions, 'hint'> = {}): Finding[] {
  const findings: Finding[] = [];
  const cap = opts.maxScanBytes ?? DEFAULT_MAX_SCAN_BYTES;
  visitStrings(value, (path, str, hint) => {
    const spans: readonly Span[] = scanDeep(str, hint, cap);
    if (spans.length === 0) return;
    const pointer = toPointer(path);
    for (const s of spans) findings.push({ path: pointer, start: s.start, end: s.end, type: s.type });
  });
  return findings;
}
