/**
 * The rule index: every rule placed at its path under `data`, forming the tree of
 * virtual documents the planner consults when it plans a `data.…` reference.
 */
import { RegoError } from '../ast/errors.ts';
import type { Location, Module, Rule, Term } from '../ast/types.ts';

export type RuleKind = 'complete' | 'set' | 'object' | 'func';

/** All rules defining one document (same path). */
export interface RuleSet {
  path: string[];
  kind: RuleKind;
  rules: Rule[];
  defaults: Rule[];
  /** For object rules: the head segments after the path (`p[a].b` → [a, "b"]). */
  module: Module;
  modules: Map<Rule, Module>;
  loc: Location;
}

export interface TreeNode {
  name: string;
  path: string[];
  children: Map<string, TreeNode>;
  rules: RuleSet | undefined;
}

/** The ground prefix of a rule head (after the package) and the remaining key segments. */
export function headSplit(rule: Rule): { ground: string[]; keys: Term[] } {
  const ref = rule.head.ref;
  const ground: string[] = [(ref[0] as { value: string }).value];
  let i = 1;
  for (; i < ref.length; i++) {
    const s = ref[i]!;
    if (s.type !== 'string') break;
    ground.push(s.value);
  }
  // A complete rule `p.q.r := 1`: all ground. A single-value rule with a trailing
  // string after vars keeps it among the keys.
  return { ground, keys: ref.slice(i) };
}

function kindOf(rule: Rule, keys: Term[]): RuleKind {
  if (rule.head.args) return 'func';
  // `a[x] contains y`: an object whose leaves are sets.
  if (keys.length > 0) return 'object';
  if (rule.head.key) return 'set';
  return 'complete';
}

export function buildTree(modules: Module[]): TreeNode {
  const root: TreeNode = { name: 'data', path: [], children: new Map(), rules: undefined };
  for (const mod of modules) {
    // Every package is a document, even an empty one.
    let pkgNode = root;
    for (const seg of mod.package) {
      let child = pkgNode.children.get(seg);
      if (!child) {
        child = { name: seg, path: [...pkgNode.path, seg], children: new Map(), rules: undefined };
        pkgNode.children.set(seg, child);
      }
      pkgNode = child;
    }
    for (const rule of mod.rules) {
      const { ground, keys } = headSplit(rule);
      // `p.q contains x` with a ground ref: the set lives at p.q. A ground object
      // head like `p["a"] := 1` is a complete rule at p.a (OPA does the same).
      if (ground[0] === 'input' || ground[0] === 'data') {
        throw new RegoError('rego_compile_error', `rules must not shadow ${ground[0]} (use a different rule name)`, rule.loc);
      }
      const path = [...mod.package, ...ground];
      let node = root;
      for (const seg of path) {
        let child = node.children.get(seg);
        if (!child) {
          child = { name: seg, path: [...node.path, seg], children: new Map(), rules: undefined };
          node.children.set(seg, child);
        }
        node = child;
      }
      const kind = kindOf(rule, keys);
      if (rule.else.length > 0 && (kind === 'set' || kind === 'object')) {
        throw new RegoError('rego_parse_error', 'else keyword cannot be used on multi-value rules or rules with variables in the head', rule.else[0]!.loc);
      }
      if (rule.default && (kind === 'set' || kind === 'object')) {
        throw new RegoError('rego_parse_error', 'default rules cannot have variables or a contains term in the head', rule.loc);
      }
      if (!node.rules) {
        node.rules = { path, kind, rules: [], defaults: [], module: mod, modules: new Map(), loc: rule.loc };
      } else if (node.rules.kind !== kind) {
        throw new RegoError(kind === 'func' || node.rules.kind === 'func' ? 'rego_type_error' : 'rego_type_error',
          `conflicting rules data.${path.join('.')} found`, rule.loc);
      }
      node.rules.modules.set(rule, mod);
      if (rule.default) node.rules.defaults.push(rule);
      else node.rules.rules.push(rule);
    }
  }
  checkTree(root);
  return root;
}

function checkTree(node: TreeNode): void {
  const rs = node.rules;
  if (rs) {
    if (rs.defaults.length > 1) throw new RegoError('rego_type_error', `multiple default rules data.${rs.path.join('.')} found`, rs.defaults[1]!.loc);
    if ((rs.kind === 'complete' || rs.kind === 'func') && node.children.size > 0) {
      const firstChild = [...node.children.values()][0]!;
      const loc = firstDescendantRule(firstChild)?.loc ?? rs.loc;
      throw new RegoError('rego_type_error', `rule data.${rs.path.join('.')} conflicts with [data.${[...firstChild.path].join('.')}]`, loc);
    }
    if (rs.kind === 'func') {
      const n = rs.rules[0]?.head.args?.length ?? rs.defaults[0]?.head.args?.length;
      for (const r of [...rs.rules, ...rs.defaults]) {
        if (r.head.args?.length !== n) throw new RegoError('rego_type_error', `function data.${rs.path.join('.')} has arity ${r.head.args?.length}, previous definitions have arity ${n}`, r.loc);
      }
    }
  }
  for (const c of node.children.values()) checkTree(c);
}

function firstDescendantRule(node: TreeNode): Rule | undefined {
  if (node.rules) return node.rules.rules[0] ?? node.rules.defaults[0];
  for (const c of node.children.values()) { const r = firstDescendantRule(c); if (r) return r; }
  return undefined;
}

export function findNode(root: TreeNode, path: readonly string[]): TreeNode | undefined {
  let node: TreeNode | undefined = root;
  for (const seg of path) {
    node = node.children.get(seg);
    if (!node) return undefined;
  }
  return node;
}
