/**
 * scrubJson: the structural walk with actions applied. The value is copied
 * only along the paths that changed; a clean value comes back as the same
 * object with no allocation beyond the walk itself.
 */
import { applyActions, type ActionContext } from './actions.ts';
import type { PiiAction } from './config.ts';
import { hintForKey } from './context.ts';
import { scanDeep } from './embedded.ts';
import type { Span } from './types.ts';
import { columnHints, isRowKey, toPointer } from './walk.ts';

export interface ScrubOptions {
  /** Budget in UTF-16 code units for the whole value; strings past it are not scanned. */
  maxScanBytes: number;
  /** The action for a finding of `type`. */
  actionOf: (type: string) => PiiAction;
  /** JSON pointers whose string values are replaced outright (policy obligations). */
  redactPaths?: readonly string[];
  actionContext: ActionContext;
}

export interface ScrubResult {
  /** The scrubbed value: the input itself when nothing changed. */
  value: unknown;
  changed: boolean;
  /** Findings by type (counts only, never values); undefined when none. */
  counts: Record<string, number> | undefined;
  /** Types whose action is block, when any was found. */
  blocked: string[] | undefined;
  /** True when the size budget ran out before every string was scanned. */
  truncated: boolean;
  /** True when the value nests deeper than MAX_DEPTH; the deeper part was not scanned. */
  tooDeep: boolean;
}

/** Deeper values are not scanned (the caller refuses them: nothing legitimate nests this deep). */
export const MAX_DEPTH = 256;

/** Binary content MCP carries as base64; scanning it finds nothing and costs time. */
function isBinaryContent(obj: Record<string, unknown>): boolean {
  const t = obj.type;
  return t === 'image' || t === 'audio';
}

export function scrubJson(input: unknown, opts: ScrubOptions): ScrubResult {
  const w = new Scrubber(opts);
  const value = w.walk(input, 0, undefined);
  return { value, changed: value !== input, counts: w.counts, blocked: w.blocked ? [...w.blocked].sort() : undefined, truncated: w.truncated, tooDeep: w.tooDeep };
}

/**
 * One scrub's state and walk. A class rather than closures made per call: the gateway runs
 * under tsx, whose keepNames wraps every closure creation in an Object.defineProperty.
 */
class Scrubber {
  budget: number;
  counts: Record<string, number> | undefined = undefined;
  blocked: Set<string> | undefined = undefined;
  truncated = false;
  tooDeep = false;
  depth = 0;
  readonly redactPaths: readonly string[] | undefined;
  readonly path: (string | number)[] = [];
  readonly opts: ScrubOptions;

  constructor(opts: ScrubOptions) {
    this.opts = opts;
    this.budget = opts.maxScanBytes;
    this.redactPaths = opts.redactPaths && opts.redactPaths.length > 0 ? opts.redactPaths : undefined;
  }

  scrubString(s: string, hint: number): string {
    const redactPaths = this.redactPaths;
    if (redactPaths) {
      const here = toPointer(this.path);
      if (redactPaths.some((p) => here === p || here.startsWith(p + '/'))) {
        const counts = (this.counts ??= {});
        counts.POLICY_PATH = (counts.POLICY_PATH ?? 0) + 1;
        return '[REDACTED]';
      }
    }
    if (this.budget <= 0) {
      if (s.length > 0) this.truncated = true;
      return s;
    }
    const cap = Math.min(s.length, this.budget);
    if (cap < s.length) this.truncated = true;
    this.budget -= cap;
    let spans: readonly Span[] = scanDeep(s, hint, cap);
    if (spans.length === 0) return s;
    // warden's own replacements (a token echoed back by an upstream, say) are not PII again.
    if (s.includes('[TOKEN:') || s.includes('[REDACTED')) {
      spans = outsideMarkers(s, spans);
      if (spans.length === 0) return s;
    }
    const counts = (this.counts ??= {});
    const actionOf = this.opts.actionOf;
    for (const sp of spans) {
      counts[sp.type] = (counts[sp.type] ?? 0) + 1;
      if (actionOf(sp.type) === 'block') (this.blocked ??= new Set()).add(sp.type);
    }
    return applyActions(s, spans, actionOf, this.opts.actionContext);
  }

  walk(node: unknown, hint: number, rowHints: number[] | undefined): unknown {
    if (typeof node === 'string') return this.scrubString(node, hint);
    if (node === null || typeof node !== 'object') return node;
    if (this.depth >= MAX_DEPTH) {
      this.tooDeep = true;
      return node;
    }
    this.depth++;
    try {
      return this.walkContainer(node, hint, rowHints);
    } finally {
      this.depth--;
    }
  }

  walkContainer(node: object, hint: number, rowHints: number[] | undefined): unknown {
    const path = this.path;
    if (Array.isArray(node)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < node.length; i++) {
        path.push(i);
        const child: unknown = node[i];
        let next: unknown;
        if (rowHints && Array.isArray(child)) {
          let rowCopy: unknown[] | undefined;
          for (let j = 0; j < child.length; j++) {
            path.push(j);
            const cell = this.walk(child[j], rowHints[j] ?? hint, undefined);
            path.pop();
            if (cell !== child[j]) (rowCopy ??= child.slice())[j] = cell;
          }
          next = rowCopy ?? child;
        } else {
          next = this.walk(child, hint, undefined);
        }
        path.pop();
        if (next !== child) (copy ??= node.slice())[i] = next;
      }
      return copy ?? node;
    }
    const obj = node as Record<string, unknown>;
    const binary = isBinaryContent(obj);
    const cols = columnHints(obj);
    let copy: Record<string, unknown> | undefined;
    for (const key in obj) {
      if (binary && (key === 'data' || key === 'blob')) continue;
      path.push(key);
      const child = obj[key];
      const next = this.walk(child, hintForKey(key), cols && isRowKey(key) ? cols : undefined);
      path.pop();
      if (next !== child) (copy ??= { ...obj })[key] = next;
    }
    return copy ?? obj;
  }
}

/** The replacement markers warden writes: `[TOKEN:TYPE:mac]`, `[REDACTED:TYPE]`, `[REDACTED]`. */
const MARKER = /\[(?:TOKEN:[A-Z0-9_]{1,40}:[A-Za-z0-9_-]{22}|REDACTED(?::[A-Z0-9_]{1,40})?)\]/g;

/** Spans that do not overlap one of warden's own markers. */
function outsideMarkers(text: string, spans: readonly Span[]): Span[] {
  const marks: Array<[number, number]> = [];
  for (const m of text.matchAll(MARKER)) marks.push([m.index, m.index + m[0].length]);
  return spans.filter((sp) => !marks.some(([a, b]) => sp.start < b && sp.end > a));
}
