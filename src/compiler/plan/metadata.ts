/**
 * `rego.metadata.rule()` / `rego.metadata.chain()` are known at compile time:
 * they fold into constant terms built from the `# METADATA` annotations.
 */
import type { Location, Module, Rule, Term } from '../ast/types.ts';

function toTerm(v: unknown, loc: Location): Term {
  if (v === null || v === undefined) return { type: 'null', loc };
  if (typeof v === 'boolean') return { type: 'boolean', value: v, loc };
  if (typeof v === 'number') return { type: 'number', value: String(v), loc };
  if (typeof v === 'string') return { type: 'string', value: v, loc };
  if (v instanceof Date) return { type: 'string', value: v.toISOString(), loc };
  if (Array.isArray(v)) return { type: 'array', value: v.map((x) => toTerm(x, loc)), loc };
  return {
    type: 'object',
    value: Object.entries(v as Record<string, unknown>).map(([k, x]): [Term, Term] => [{ type: 'string', value: k, loc }, toTerm(x, loc)]),
    loc,
  };
}

function ruleAnnotations(rule: Rule | undefined): Record<string, unknown> | undefined {
  const a = rule?.annotations[0];
  if (!a) return undefined;
  return { ...a, scope: a.scope ?? 'rule' };
}

function rulePath(rule: Rule, module: Module): string[] {
  const parts = [...module.package];
  for (const seg of rule.head.ref) {
    if (seg.type === 'var' && parts.length === module.package.length) parts.push(seg.value);
    else if (seg.type === 'string') parts.push(seg.value);
    else break;
  }
  return parts;
}

export function foldMetadata(name: string, rule: Rule | undefined, module: Module | undefined, loc: Location): Term {
  if (name === 'rego.metadata.rule') return toTerm(ruleAnnotations(rule) ?? {}, loc);
  const chain: unknown[] = [];
  if (rule && module) {
    const own = ruleAnnotations(rule);
    chain.push(own ? { annotations: own, path: rulePath(rule, module) } : { path: rulePath(rule, module) });
    for (const a of module.annotations) {
      if (a.scope === 'package') chain.push({ annotations: a, path: module.package });
    }
  }
  return toTerm(chain, loc);
}
