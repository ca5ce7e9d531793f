/**
 * Which parts of `input` a set of modules can read: a static analysis over the AST.
 *
 * Every reference to `input` is a ref whose head is the var `input`. The leading
 * constant string segments of such a ref (`input.agent.id` → agent, id) name the
 * subtree it can see; the first non-constant segment (`input.history.tools[t]`)
 * ends the path there, so the whole subtree under it counts as read. Anything
 * the analysis cannot bound reads everything: `input` used as a value, a `with
 * input… as` override, an `import input…`.
 *
 * The gateway uses the result to leave out of the policy input what the policy
 * can never see (tool arguments, most of the agent manifest, for the default
 * policy), so it is neither serialised nor parsed on every call. Removing a
 * subtree nothing reads cannot change a decision.
 *
 * Given the data document the policy will run with, a rule body that cannot
 * succeed with it is left out too: a body holding an expression (not negated,
 * without `with`) whose operand is a constant `data.…` path that data does not
 * hold and no rule can define can never succeed, so nothing it or its head read
 * of input can reach a result (the default policy's per-tool call ceiling reads
 * the call history only when data.config.max_calls_per_tool is set). Any `with
 * data…` in the modules turns this off, as a data document replaced during
 * evaluation is not the one analysed.
 */
import type { Expr, Module, Rule, Term } from './ast/types.ts';
import { someNode } from './ast/walk.ts';

/** A tree of read paths: a key maps to `true` (its whole subtree is read) or to the paths read below it. */
export interface InputReadTree {
  [key: string]: true | InputReadTree;
}

/** `'all'` when the modules may read any part of input; otherwise the paths they can read. */
export type InputReads = 'all' | InputReadTree;

class ReadsAll extends Error {}

/**
 * What `modules` (and a query planned with them, if any) can read of input; with `data` (the
 * document the policy is evaluated with), bodies that cannot succeed with that data are left out.
 */
export function inputReads(modules: readonly Module[], query?: readonly Expr[], data?: unknown): InputReads {
  const tree: InputReadTree = Object.create(null) as InputReadTree;
  const guards = data === undefined || withOnData(modules) ? undefined : new DataGuards(data, modules);
  try {
    for (const m of modules) {
      for (const imp of m.imports) if (refHead(imp.path) === 'input') throw new ReadsAll();
      for (const rule of m.rules) {
        if (guards) visitRule(rule, tree, guards);
        else visit(rule, tree);
      }
    }
    if (query) visit(query, tree);
  } catch (err) {
    if (err instanceof ReadsAll) return 'all';
    throw err;
  }
  return tree;
}

/** A rule whose bodies that cannot succeed (with the data analysed) are skipped, with what only they reach. */
function visitRule(rule: Rule, tree: InputReadTree, guards: DataGuards): void {
  const { head } = rule;
  visit(head.ref, tree);
  visit(head.args, tree);
  if (!guards.fails(rule.body)) {
    visit(rule.body, tree);
    visit(head.key, tree);
    visit(head.value, tree);
  }
  for (const branch of rule.else) {
    if (guards.fails(branch.body)) continue;
    visit(branch.body, tree);
    visit(branch.value, tree);
  }
}

/** Whether a body holds an expression that is undefined with the analysed data document. */
class DataGuards {
  readonly #data: unknown;
  /** Package paths (rules live under data.<package>): a path next to one may be defined by a rule. */
  readonly #packages: string[][];

  constructor(data: unknown, modules: readonly Module[]) {
    this.#data = data;
    this.#packages = modules.map((m) => m.package);
  }

  fails(body: readonly Expr[]): boolean {
    for (const expr of body) {
      if (expr.negated || expr.with.length > 0) continue;
      if (expr.kind === 'term' && this.#undefinedTerm(expr.term)) return true;
      if (expr.kind === 'somein' && this.#undefinedTerm(expr.domain)) return true;
    }
    return false;
  }

  /** The term is, or is a call with an operand (at any depth of calls) that is, a data path that is not there. */
  #undefinedTerm(t: Term): boolean {
    if (t.type === 'ref') return this.#missing(t.value);
    if (t.type === 'call') return t.args.some((a) => this.#undefinedTerm(a));
    return false;
  }

  #missing(segments: Term[]): boolean {
    const head = segments[0];
    if (head?.type !== 'var' || head.value !== 'data' || segments.length < 2) return false;
    const path: string[] = [];
    for (let i = 1; i < segments.length; i++) {
      const seg = segments[i]!;
      if (seg.type !== 'string') return false;
      path.push(seg.value);
    }
    // A rule may define this path or something under it.
    for (const pkg of this.#packages) {
      const n = Math.min(pkg.length, path.length);
      let same = true;
      for (let i = 0; i < n && same; i++) same = pkg[i] === path[i];
      if (same) return false;
    }
    let node: unknown = this.#data;
    for (const key of path) {
      if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, key)) return true;
      node = (node as Record<string, unknown>)[key];
    }
    return false;
  }
}

/** Whether any `with` modifier replaces (part of) data. */
function withOnData(modules: readonly Module[]): boolean {
  return someNode(modules, (n) => 'target' in n && 'value' in n && 'loc' in n && !('type' in n) && refHead(n.target as Term) === 'data');
}

function refHead(t: Term): string | undefined {
  if (t.type === 'var') return t.value;
  if (t.type === 'ref' && t.value[0]?.type === 'var') return t.value[0].value;
  return undefined;
}

/** Walks any AST value (rules, bodies, terms, with-modifiers) looking for input. */
function visit(node: unknown, tree: InputReadTree): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const child of node) visit(child, tree);
    return;
  }
  const n = node as Record<string, unknown>;
  if ('target' in n && 'value' in n && 'loc' in n && !('type' in n)) {
    // A with-modifier: overriding input replaces what rules see in ways this analysis does not follow.
    if (refHead(n.target as Term) === 'input') throw new ReadsAll();
  }
  if (n.type === 'var' && n.value === 'input') throw new ReadsAll();
  if (n.type === 'ref') {
    const segments = n.value as Term[];
    const head = segments[0];
    if (head?.type === 'var' && head.value === 'input') {
      addPath(tree, segments);
      for (let i = 1; i < segments.length; i++) visit(segments[i], tree);
      return;
    }
  }
  for (const key in n) {
    if (key === 'loc' || key === 'annotations') continue;
    visit(n[key], tree);
  }
}

function addPath(tree: InputReadTree, segments: Term[]): void {
  if (segments.length === 1 || segments[1]!.type !== 'string') throw new ReadsAll();
  let node = tree;
  for (let i = 1; i < segments.length; i++) {
    const seg = segments[i]!;
    if (seg.type !== 'string') break;
    const key = seg.value;
    const last = i === segments.length - 1 || segments[i + 1]!.type !== 'string';
    const existing = node[key];
    if (existing === true) return; // already read whole
    if (last) {
      node[key] = true;
      return;
    }
    node = existing ?? (node[key] = Object.create(null) as InputReadTree);
  }
}

/**
 * Keeps only what `reads` names from an input document (no copy of what is kept whole).
 * Arrays and scalars on a partly read path are kept whole: a string key into them is undefined anyway.
 */
export function projectInput(input: unknown, reads: InputReads): unknown {
  return reads === 'all' ? input : apply(input, compile(reads));
}

/** Builds a projector for `reads` once (the tree's keys as arrays), for use on every call. */
export function inputProjector(reads: InputReads): (input: unknown) => unknown {
  if (reads === 'all') return (input) => input;
  const plan = compile(reads);
  return (input) => apply(input, plan);
}

interface Plan {
  keys: string[];
  /** null: the key's whole subtree is kept. */
  subs: (Plan | null)[];
}

function compile(tree: InputReadTree): Plan {
  const keys = Object.keys(tree);
  return { keys, subs: keys.map((k) => (tree[k] === true ? null : compile(tree[k] as InputReadTree))) };
}

function apply(value: unknown, plan: Plan): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const { keys, subs } = plan;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (!Object.hasOwn(source, key)) continue;
    const v = source[key];
    if (v === undefined) continue;
    const sub = subs[i]!;
    put(out, key, sub === null ? v : apply(v, sub));
  }
  return out;
}

/** An own, enumerable property even for the key __proto__ (plain assignment would set the prototype). */
function put(out: Record<string, unknown>, key: string, v: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
  else out[key] = v;
}
