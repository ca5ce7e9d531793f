/**
 * Result comparison following the suite's rules: rows form a set, sets are
 * already canonical arrays, `sort_bindings` sorts bound arrays, numbers compare
 * by value, generated `__localq` bindings can be ignored.
 */

const typeRank = (v: unknown): number => {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'boolean') return 1;
  if (typeof v === 'number' || typeof v === 'bigint') return 2;
  if (typeof v === 'string') return 3;
  if (Array.isArray(v)) return 4;
  return 5;
};

/** OPA's ordering over JSON values (objects by sorted keys, then values). */
export function compareJson(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      return Number(a) - Number(b);
    case 2:
      return Number(a) < Number(b) ? -1 : Number(a) > Number(b) ? 1 : 0;
    case 3:
      return a === b ? 0 : Buffer.compare(Buffer.from(a as string), Buffer.from(b as string));
    case 4: {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareJson(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    default: {
      const x = a as Record<string, unknown>;
      const y = b as Record<string, unknown>;
      const kx = Object.keys(x).sort();
      const ky = Object.keys(y).sort();
      for (let i = 0; i < Math.min(kx.length, ky.length); i++) {
        const c = compareJson(kx[i], ky[i]) || compareJson(x[kx[i]!], y[ky[i]!]);
        if (c !== 0) return c;
      }
      return kx.length - ky.length;
    }
  }
}

/** Canonical text of a JSON value: sorted keys, numbers by value. */
export function canonical(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return Object.is(v, -0) ? '0' : String(v);
  if (typeof v === 'bigint') return String(Number(v));
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
    .join(',')}}`;
}

export interface CompareOptions {
  sortBindings?: boolean;
  ignoreGeneratedVars?: boolean;
}

function normaliseRow(row: unknown, opts: CompareOptions): string {
  if (row === null || typeof row !== 'object' || Array.isArray(row)) return canonical(row);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row as Record<string, unknown>)) {
    if (opts.ignoreGeneratedVars && k.startsWith('__localq')) continue;
    out[k] = opts.sortBindings && Array.isArray(v) ? [...v].sort(compareJson) : v;
  }
  return canonical(out);
}

/** Compares result sets; returns undefined when equal, otherwise a short explanation. */
export function compareResults(want: unknown[], got: unknown, opts: CompareOptions): string | undefined {
  if (!Array.isArray(got)) return `result is not an array: ${truncate(JSON.stringify(got))}`;
  const w = new Set(want.map((r) => normaliseRow(r, opts)));
  const g = new Set(got.map((r) => normaliseRow(r, opts)));
  if (w.size === g.size && [...w].every((x) => g.has(x))) return undefined;
  return `want ${truncate([...w].join(' | ') || '(undefined)')}, got ${truncate([...g].join(' | ') || '(undefined)')}`;
}

function truncate(s: string, n = 300): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
