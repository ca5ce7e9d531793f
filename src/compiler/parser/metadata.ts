/**
 * `# METADATA` comment blocks: YAML in comments directly above a package or rule.
 * Normalised like OPA (authors/maintainers "Name <email>" → {name, email}).
 */
import { parse as parseYaml } from 'yaml';
import { RegoError } from '../ast/errors.ts';
import type { Location } from '../ast/types.ts';

export function parseMetadata(comments: { text: string; row: number }[], file: string, loc: Location): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < comments.length; i++) {
    if (comments[i]!.text.trim() !== 'METADATA') continue;
    const lines: string[] = [];
    let row = comments[i]!.row;
    let j = i + 1;
    for (; j < comments.length && comments[j]!.row === row + 1 && comments[j]!.text.trim() !== 'METADATA'; j++) {
      row = comments[j]!.row;
      const t = comments[j]!.text;
      lines.push(t.startsWith(' ') ? t.slice(1) : t);
    }
    i = j - 1;
    // Only a block that ends on the line right above the annotated token applies to it.
    if (row !== loc.row - 1) continue;
    let doc: unknown;
    try {
      doc = parseYaml(lines.join('\n'));
    } catch (err) {
      throw new RegoError('rego_parse_error', `yaml: ${(err as Error).message.split('\n')[0]}`, { file, row: comments[i]!.row, col: 1 });
    }
    out.push(normalise((doc ?? {}) as Record<string, unknown>));
  }
  return out;
}

function normalise(doc: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...doc };
  for (const key of ['authors', 'maintainers']) {
    const v = out[key];
    if (Array.isArray(v)) out[key] = v.map(person);
    else if (v !== undefined) out[key] = [person(v)];
  }
  return out;
}

function person(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const m = /^(.*?)\s*<([^>]+)>\s*$/.exec(v);
  if (m) return m[1] ? { name: m[1], email: m[2] } : { email: m[2] };
  return { name: v.trim() };
}
