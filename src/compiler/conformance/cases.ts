/** Loading OPA's conformance case files (JSON, `{cases: [...]}`). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Policy } from '../ir/types.ts';

export interface ConformanceCase {
  note: string;
  query: string;
  modules?: string[];
  data?: unknown;
  input?: unknown;
  input_term?: string;
  want_result?: Record<string, unknown>[];
  want_error_code?: string;
  want_error?: string;
  strict_error?: boolean;
  sort_bindings?: boolean;
  ignore_generated_vars?: boolean;
  plan: Policy;
}

export interface LoadedCase {
  /** `<file relative to the root>#<index>`. */
  id: string;
  case: ConformanceCase;
}

function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.json') && e.name !== 'manifest.json' && e.name !== 'index.json') out.push(p);
  }
}

/** Every case under `root` (a case file or a directory of them), in a stable order. */
export function loadCases(root: string): LoadedCase[] {
  const files: string[] = [];
  const base = statSync(root).isDirectory() ? root : join(root, '..');
  if (statSync(root).isDirectory()) walk(root, files);
  else files.push(root);
  const out: LoadedCase[] = [];
  for (const f of files) {
    const doc = JSON.parse(readFileSync(f, 'utf8')) as { cases?: ConformanceCase[] };
    (doc.cases ?? []).forEach((c, i) => out.push({ id: `${relative(base, f)}#${i}`, case: c }));
  }
  return out;
}
