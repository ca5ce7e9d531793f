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

/**
 * `siblings`: the other rules of the same document (for `scope: document`);
 * `modules`: every module (package annotations may sit in any module of the package).
 */
export function foldMetadata(name: string, rule: Rule | undefined, module: Module | undefined, loc: Location, siblings: Rule[] = [], modules: Module[] = []): Term {
  if (name === 'rego.metadata.rule') {
    const own = ruleAnnotations(rule);
    return toTerm(own && own.scope !== 'document' ? own : {}, loc);
  }
  const chain: unknown[] = [];
  if (rule && module) {
    const path = rulePath(rule, module);
    const own = ruleAnnotations(rule);
    if (own && own.scope !== 'document') chain.push({ annotations: own, path });
    else chain.push({ path });
    const doc = [rule, ...siblings.filter((r) => r !== rule)].map((r) => r.annotations[0]).find((a) => a?.scope === 'document');
    if (doc) chain.push({ annotations: doc, path });
    // Package, then parent packages' `subpackages` annotations, innermost first.
    for (let n = module.package.length; n >= 1; n--) {
      const pkg = module.package.slice(0, n);
      for (const m of modules) {
        if (m.package.length !== n || m.package.some((s, i) => s !== pkg[i])) continue;
        for (const a of m.annotations) {
          if ((n === module.package.length && a.scope === 'package') || a.scope === 'subpackages') chain.push({ annotations: a, path: pkg });
        }
      }
    }
  }
  return toTerm(chain, loc);
}
