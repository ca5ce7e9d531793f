/**
 * Rule sets → IR functions, and the two kinds of plan: entrypoints
 * (`warden/decision` → rows `{"result": …}`) and queries (rows binding the
 * query's variables). Functions are planned on demand, once per environment.
 */
import { RegoError } from '../ast/errors.ts';
import type { Expr, Module, Rule, Term } from '../ast/types.ts';
import { exprAllVars } from '../check/safety.ts';
import type { Block, Func, Local, Operand, Policy } from '../ir/types.ts';
import { localOp } from './frame.ts';
import { Planner, collectPatternVars, type FuncResolver } from './planner.ts';
import { BASE_ENV, PolicyState, type Env } from './policy.ts';
import { buildTree, findNode, headSplit, type RuleSet } from './tree.ts';

export class PolicyPlanner implements FuncResolver {
  readonly ps: PolicyState;
  /** Parameter locals of the rule function being planned (mock values). */
  private paramLocals: Local[] = [];

  constructor(modules: Module[]) {
    this.ps = new PolicyState(buildTree(modules), modules);
  }

  funcFor(path: readonly string[], env: Env): string {
    const name = `g${env.gen}.data.${path.join('.')}`;
    if (this.ps.funcs.has(name)) return name;
    if (this.ps.inProgress.has(name)) {
      const rs = this.ps.ruleSetAt(path)!;
      // The functions being planned, in call order, from this rule back to itself.
      const stack = [...this.ps.inProgress];
      const cycle = [...stack.slice(stack.indexOf(name)), name].map((f) => f.slice(f.indexOf('.') + 1));
      throw new RegoError('rego_recursion_error', `rule data.${path.join('.')} is recursive: ${cycle.join(' -> ')}`, rs.loc);
    }
    const rs = this.ps.ruleSetAt(path);
    if (!rs) throw new RegoError('rego_type_error', `undefined ref: data.${path.join('.')}`, { file: '<query>', row: 1, col: 1 });
    this.ps.inProgress.add(name);
    const outerParams = this.paramLocals;
    try {
      const fn = this.planRuleSet(rs, env, name);
      this.ps.funcs.set(name, fn);
      this.ps.funcOrder.push(name);
    } finally {
      this.ps.inProgress.delete(name);
      this.paramLocals = outerParams;
    }
    return name;
  }

  private frame(rs: RuleSet, rule: Rule, env: Env, firstLocal: number): Planner {
    const p = new Planner(this.ps, env, rs.modules.get(rule) ?? rs.module, rule, firstLocal, rule.loc);
    p.resolver = this;
    p.paramLocals = this.paramLocals;
    return p;
  }

  private planRuleSet(rs: RuleSet, env: Env, name: string): Func {
    const all = [...rs.rules, ...rs.defaults];
    const nargs = rs.kind === 'func' ? all[0]!.head.args!.length : 0;
    const params: Local[] = [0, 1];
    for (let i = 0; i < nargs; i++) params.push(2 + i);
    // Mock values of the environment arrive after the arguments.
    const paramLocals: Local[] = [];
    for (let i = 0; i < env.params; i++) paramLocals.push(2 + nargs + i);
    params.push(...paramLocals);
    this.paramLocals = paramLocals;
    const ret = 2 + nargs + env.params;
    let next = ret + 1;
    const blocks: Block[] = [];
    const first = all[0]!;
    const init = this.frame(rs, first, env, next);
    if (rs.kind === 'set') blocks.push(init.block(() => init.emit('MakeSetStmt', { target: ret })));
    if (rs.kind === 'object') blocks.push(init.block(() => init.emit('MakeObjectStmt', { target: ret })));

    for (const rule of rs.rules) {
      const p = this.frame(rs, rule, env, next);
      blocks.push(p.block(() => this.planRule(p, rs, rule, ret, nargs)));
      next = p.local();
    }
    if (rs.kind === 'object') {
      // Rules below an object rule's path (`p.q.r := 1` next to `p.q[s] := 2`) add keys to it.
      const node = findNode(this.ps.tree, rs.path)!;
      for (const child of node.children.values()) {
        const p = this.frame(rs, first, env, next);
        if (!p.isVirtual(child)) continue;
        blocks.push(p.block(() => {
          const insert = (v: Operand): void => p.emit('ObjectInsertOnceStmt', { key: { type: 'string_index', value: this.ps.str(child.name) }, value: v, object: ret });
          if (child.rules) {
            insert(localOp(p.callRule(this.funcFor(child.path, env))));
          } else p.buildVirtual(child, insert);
        }));
        next = p.local();
      }
    }
    for (const rule of rs.defaults) {
      const p = this.frame(rs, rule, env, next);
      blocks.push(p.block(() => {
        p.emit('IsUndefinedStmt', { source: ret });
        p.planTerm(rule.head.value!, (op) => p.emit('AssignVarOnceStmt', { source: op, target: ret }));
      }));
      next = p.local();
    }
    const last = this.frame(rs, first, env, next);
    blocks.push(last.block(() => last.emit('ReturnLocalStmt', { source: ret })));
    return { name, params, return: ret, blocks, path: name.split('.').filter((_, i) => i !== 1) };
  }

  private planRule(p: Planner, rs: RuleSet, rule: Rule, ret: Local, nargs: number): void {
    /** Bind arguments, then plan `body`; arguments that are not patterns (calls, templates) join the body as `arg = param`. */
    const bindArgs = (body: Expr[], k: (body: Expr[]) => void): void => {
      const args = rule.head.args ?? [];
      // Argument vars are local: they shadow rules of the same name.
      const vars = new Set<string>();
      for (const a of args) collectPatternVars(a, vars);
      for (const v of vars) p.declare(v);
      const extra: Expr[] = [];
      const step = (i: number): void => {
        if (i >= nargs) { k(extra.length ? [...extra, ...body] : body); return; }
        const a = args[i]!;
        const param = p.tmpVar(2 + i);
        if (isPattern(a)) { p.unify(a, param, () => step(i + 1)); return; }
        extra.push({ kind: 'term', term: { type: 'call', op: { type: 'var', value: 'eq', loc: a.loc }, args: [a, param], loc: a.loc }, negated: false, with: [], loc: a.loc });
        step(i + 1);
      };
      step(0);
    };
    if (rs.kind === 'set') {
      p.scoped(() => bindArgs(rule.body, (body) => p.planBody(body, () => { p.setLoc(rule.loc); p.planTerm(rule.head.key!, (op) => p.emit('SetAddStmt', { value: op, set: ret })); })));
      return;
    }
    if (rs.kind === 'object') {
      const { keys } = headSplit(rule);
      p.scoped(() => p.planBody(rule.body, () => {
        p.setLoc(rule.loc);
        if (rule.head.key) this.planObjectInsert(p, keys, rule.head.key, ret, true);
        else this.planObjectInsert(p, keys, rule.head.value ?? { type: 'boolean', value: true, loc: rule.loc }, ret);
      }));
      return;
    }
    // Complete rules and functions: the first alternative whose body succeeds (else chains).
    const alts: { value: Term | undefined; body: Expr[] }[] = [{ value: rule.head.value, body: rule.body }, ...rule.else];
    if (alts.length === 1) {
      p.scoped(() => bindArgs(rule.body, (body) => p.planBody(body, () => this.assignValue(p, rule, alts[0]!.value, ret))));
      return;
    }
    const t = p.local();
    p.emit('ResetLocalStmt', { target: t });
    alts.forEach((alt, i) => {
      const b = p.block(() => p.scoped(() => {
        if (i > 0) p.emit('IsUndefinedStmt', { source: t });
        bindArgs(alt.body, (body) => p.planBody(body, () => this.assignValue(p, rule, alt.value, t)));
      }));
      p.emit('BlockStmt', { blocks: [b] });
    });
    p.emit('IsDefinedStmt', { source: t });
    p.emit('AssignVarOnceStmt', { source: localOp(t), target: ret });
  }

  private assignValue(p: Planner, rule: Rule, value: Term | undefined, target: Local): void {
    p.setLoc(rule.loc);
    if (!value) { p.emit('AssignVarOnceStmt', { source: { type: 'bool', value: true }, target }); return; }
    p.planTerm(value, (op) => p.emit('AssignVarOnceStmt', { source: op, target }));
  }

  /**
   * Insert `value` at `keys` into the object `ret`, creating nested objects on the
   * way (they are shared references, so later inserts land in them). With `setLeaf`
   * the last key holds a set that `value` joins (`a[x] contains y`).
   */
  private planObjectInsert(p: Planner, keys: Term[], value: Term, ret: Local, setLeaf = false): void {
    const planKeys = (i: number, acc: Operand[], k: (ops: Operand[]) => void): void => {
      if (i >= keys.length) { k(acc); return; }
      p.planTerm(keys[i]!, (op) => planKeys(i + 1, [...acc, op], k));
    };
    planKeys(0, [], (ops) => p.planTerm(value, (vop) => {
      let cur = ret;
      for (let j = 0; j < ops.length - 1; j++) cur = this.childOf(p, cur, ops[j]!, 'MakeObjectStmt');
      const last = ops[ops.length - 1]!;
      if (setLeaf) {
        const set = this.childOf(p, cur, last, 'MakeSetStmt');
        p.emit('SetAddStmt', { value: vop, set });
      } else p.emit('ObjectInsertOnceStmt', { key: last, value: vop, object: cur });
    }));
  }

  /** `obj[key]`, created empty (object or set) when missing. */
  private childOf(p: Planner, obj: Local, key: Operand, make: 'MakeObjectStmt' | 'MakeSetStmt'): Local {
    const child = p.local();
    const found = p.block(() => {
      p.emit('DotStmt', { source: localOp(obj), key, target: child });
      p.emit('BreakStmt', { index: 1 });
    });
    const outer = p.block(() => {
      p.emit('BlockStmt', { blocks: [found] });
      p.emit(make, { target: child });
      p.emit('ObjectInsertStmt', { key, value: localOp(child), object: obj });
    });
    p.emit('BlockStmt', { blocks: [outer] });
    return child;
  }

  /** One plan per entrypoint (`pkg/rule`), rows `{"result": value}`. */
  planEntrypoint(entrypoint: string): void {
    const path = entrypoint.split('/').filter((s) => s !== '');
    const loc = { file: '<entrypoint>', row: 1, col: 1 };
    if (path.length === 0 || !findNode(this.ps.tree, path)) {
      throw new RegoError('rego_compile_error', `entrypoint ${entrypoint} does not name a rule or package`, loc);
    }
    const p = new Planner(this.ps, BASE_ENV, undefined, undefined, 2, loc);
    p.resolver = this;
    const ref: Term = { type: 'ref', value: [{ type: 'var', value: 'data', loc }, ...path.map((s): Term => ({ type: 'string', value: s, loc }))], loc };
    const block = p.block(() => p.planTerm(ref, (op) => {
      const obj = p.local();
      p.emit('MakeObjectStmt', { target: obj });
      p.emit('ObjectInsertStmt', { key: { type: 'string_index', value: this.ps.str('result') }, value: op, object: obj });
      p.emit('ResultSetAddStmt', { value: obj });
    }));
    this.ps.plans.push({ name: path.join('/'), blocks: [block] });
  }

  /** A query plan named `name`: one row per solution binding the query's named variables. */
  planQuery(body: Expr[], name: string, includeLocals = false): void {
    const loc = body[0]?.loc ?? { file: '<query>', row: 1, col: 1 };
    const p = new Planner(this.ps, BASE_ENV, undefined, undefined, 2, loc);
    p.resolver = this;
    const vars = queryVars(body, includeLocals);
    const block = p.block(() => p.planBody(body, () => {
      const obj = p.local();
      p.emit('MakeObjectStmt', { target: obj });
      for (const v of vars) {
        const l = p.lookup(v);
        if (l === undefined) continue;
        p.emit('ObjectInsertStmt', { key: { type: 'string_index', value: this.ps.str(v) }, value: localOp(l), object: obj });
      }
      p.emit('ResultSetAddStmt', { value: obj });
    }));
    this.ps.plans.push({ name, blocks: [block] });
  }

  /** Names of the functions planned so far. */
  plannedFuncs(): Set<string> {
    return new Set(this.ps.funcs.keys());
  }

  /** Plan every rule once so compile errors surface even in rules no entrypoint reaches (`done`: already planned elsewhere). */
  checkAll(done: Set<string> = new Set()): void {
    const visit = (node: import('./tree.ts').TreeNode): void => {
      if (node.rules && !done.has(`g0.data.${node.path.join('.')}`)) this.funcFor(node.path, BASE_ENV);
      for (const c of node.children.values()) visit(c);
    };
    visit(this.ps.tree);
  }

  toPolicy(): Policy {
    return this.ps.toPolicy();
  }
}

/** Terms unification can destructure: vars, scalars, and arrays/objects of them. */
function isPattern(t: Term): boolean {
  switch (t.type) {
    case 'var': case 'null': case 'boolean': case 'number': case 'string': return true;
    case 'array': return t.value.every(isPattern);
    case 'object': return t.value.every(([k, v]) => isPattern(k) && isPattern(v));
    default: return false;
  }
}

/** The variables a query reports: named vars, not wildcards, not `:=`/`some` locals. */
function queryVars(body: Expr[], includeLocals: boolean): string[] {
  const all = new Set<string>();
  for (const e of body) exprAllVars(e, all);
  const local = new Set<string>();
  if (!includeLocals) for (const e of body) {
    if (e.kind === 'some') for (const v of e.vars) local.add(v.value);
    if (e.kind === 'somein') { if (e.key) collectPatternVars(e.key, local); collectPatternVars(e.value, local); }
    if (e.kind === 'term' && e.term.type === 'call' && e.term.op.type === 'var' && e.term.op.value === 'assign') collectPatternVars(e.term.args[0]!, local);
  }
  return [...all].filter((v) => !local.has(v) && v !== 'input' && v !== 'data' && !v.startsWith('$') && !v.startsWith('__tmpl')).sort();
}
