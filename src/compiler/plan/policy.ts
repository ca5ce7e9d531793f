/**
 * Policy-wide planning state: the string table, builtin table, files, and the
 * planned functions (one per rule set per mock environment, named like OPA:
 * `g<gen>.data.<path>`).
 */
import { RegoError } from '../ast/errors.ts';
import type { Module, Term } from '../ast/types.ts';
import { builtinDecl } from '../builtins/decls.ts';
import type { BuiltinFunc, FunctionDecl, Func, Policy, Plan } from '../ir/types.ts';
import { findNode, type RuleSet, type TreeNode } from './tree.ts';

/** A `with` replacement for a function or builtin. */
export type Mock =
  | { kind: 'func'; name: string }
  | { kind: 'value'; term: Term }
  /** A value held in a local of the frame that set the mock: passed to functions as an extra parameter. */
  | { kind: 'param'; slot: number };

/** What `with` has replaced: virtual documents read from data instead, and mocked functions. */
export interface Env {
  gen: number;
  mockedPaths: string[][];
  funcMocks: Map<string, Mock>;
  /** How many `param` mock values functions planned in this environment receive after their arguments. */
  params: number;
}

export const BASE_ENV: Env = { gen: 0, mockedPaths: [], funcMocks: new Map(), params: 0 };

export class PolicyState {
  readonly strings: string[] = [];
  private readonly stringIdx = new Map<string, number>();
  readonly builtins = new Map<string, FunctionDecl>();
  readonly files: string[] = [];
  readonly funcs = new Map<string, Func>();
  readonly funcOrder: string[] = [];
  readonly inProgress = new Set<string>();
  readonly plans: Plan[] = [];
  private gens = 0;
  readonly tree: TreeNode;
  readonly modules: Module[];
  readonly userFuncArity = new Map<string, number>();

  constructor(tree: TreeNode, modules: Module[]) {
    this.tree = tree;
    this.modules = modules;
    for (const m of modules) this.file(m.file);
  }

  str(s: string): number {
    let i = this.stringIdx.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.stringIdx.set(s, i);
    }
    return i;
  }

  file(name: string): number {
    const i = this.files.indexOf(name);
    if (i >= 0) return i;
    this.files.push(name);
    return this.files.length - 1;
  }

  nextGen(): number {
    return ++this.gens;
  }

  /** Record a builtin call; fails (rego_type_error) for unknown functions. */
  useBuiltin(name: string, loc: { file: string; row: number; col: number }): FunctionDecl {
    let decl = this.builtins.get(name);
    if (decl) return decl;
    const d = builtinDecl(name);
    if (!d) throw new RegoError('rego_type_error', `undefined function ${name}`, loc);
    decl = d as FunctionDecl;
    this.builtins.set(name, decl);
    return decl;
  }

  ruleSetAt(path: readonly string[]): RuleSet | undefined {
    return findNode(this.tree, path)?.rules;
  }

  toPolicy(): Policy {
    const builtinFuncs: BuiltinFunc[] = [...this.builtins.entries()].map(([name, decl]) => ({ name, decl }));
    const policy: Policy = {
      static: {
        strings: this.strings.map((value) => ({ value })),
        files: this.files.map((value) => ({ value })),
      },
      plans: { plans: this.plans },
      funcs: { funcs: this.funcOrder.map((n) => this.funcs.get(n)!) },
    };
    if (builtinFuncs.length) policy.static.builtin_funcs = builtinFuncs;
    return policy;
  }
}
