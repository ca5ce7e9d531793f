/**
 * Plans Rego bodies, terms and references into IR statements for one frame.
 * Rule sets become functions (see rules.ts); this file knows expressions.
 */
import { RegoError } from '../ast/errors.ts';
import type { Expr, Term, TermOf } from '../ast/types.ts';
import { allVars, opName, plannable, reorderBody } from '../check/safety.ts';
import type { Local, Operand, Stmt } from '../ir/types.ts';
import { Frame, localOp } from './frame.ts';
import type { Env, Mock } from './policy.ts';
import { headSplit, type TreeNode } from './tree.ts';
import { foldMetadata } from './metadata.ts';

type K = () => void;
type OpK = (op: Operand) => void;

/** Planner hook to get (planning on demand) the function for a rule set. */
export interface FuncResolver {
  funcFor(path: readonly string[], env: Env): string;
}

const FALSE: Operand = { type: 'bool', value: false };
const TRUE: Operand = { type: 'bool', value: true };

export class Planner extends Frame {
  resolver!: FuncResolver;
  private tmpCount = 0;

  // ---- names ----

  isWildcard(name: string): boolean {
    return name === '_' || name.startsWith('$_');
  }

  /** A global name: input, data, a rule of the current package, or an import. */
  globalRef(name: string): Term[] | undefined {
    const loc = this.loc;
    if (name === 'input' || name === 'data') return [{ type: 'var', value: name, loc }];
    const mod = this.module;
    if (!mod) return undefined;
    for (const imp of mod.imports) {
      const p = imp.path;
      const parts = p.type === 'ref' ? p.value : [p];
      const head = parts[0];
      if (head?.type !== 'var' || (head.value !== 'data' && head.value !== 'input')) continue;
      const last = parts[parts.length - 1]!;
      const alias = imp.alias ?? (last.type === 'string' ? last.value : last.type === 'var' ? last.value : undefined);
      if (alias === name) return parts;
    }
    const child = this.ps.tree.children.get(mod.package[0]!);
    let node: TreeNode | undefined = child;
    for (const seg of mod.package.slice(1)) node = node?.children.get(seg);
    if (node?.children.has(name)) {
      return [{ type: 'var', value: 'data', loc }, ...[...mod.package, name].map((s): Term => ({ type: 'string', value: s, loc }))];
    }
    return undefined;
  }

  isBound = (name: string): boolean => {
    if (this.lookup(name) !== undefined) return true;
    if (this.isDeclared(name)) return false;
    return this.globalRef(name) !== undefined;
  };

  arity = (name: string): number | undefined => {
    const fn = this.resolveFunc(name);
    if (fn.kind === 'user') return fn.arity;
    if (fn.kind === 'builtin') {
      return builtinArgs(this, fn.name);
    }
    return undefined;
  };

  tmpVar(l: Local): TermOf<'var'> {
    const name = `$t${this.tmpCount++}`;
    this.bind(name, l);
    return { type: 'var', value: name, loc: this.loc };
  }

  // ---- bodies ----

  planBody(body: Expr[], k: K): void {
    const ordered = reorderBody(body, this.isBound, this.arity);
    this.planExprs(ordered, 0, k);
  }

  private planExprs(body: Expr[], i: number, k: K): void {
    if (i >= body.length) { k(); return; }
    this.planExpr(body[i]!, () => this.planExprs(body, i + 1, k));
  }

  planExpr(e: Expr, k: K): void {
    this.setLoc(e.loc);
    if (e.with.length > 0) { this.planWith(e, k); return; }
    if (e.negated) {
      const inner: Expr = { ...e, negated: false };
      const found = this.local();
      const block = this.block(() => this.scoped(() => this.planExpr(inner, () => this.emit('AssignVarStmt', { source: TRUE, target: found }))));
      this.setLoc(e.loc);
      if (!containsScan(block.stmts) && stripMarker(block.stmts, found)) {
        // Straight-line: the block reaches its end exactly when the expression holds.
        this.emit('NotStmt', { block });
      } else {
        // With iteration the block's end is reached either way: record whether any solution existed.
        this.emit('ResetLocalStmt', { target: found });
        this.emit('BlockStmt', { blocks: [block] });
        this.emit('IsUndefinedStmt', { source: found });
      }
      k();
      return;
    }
    switch (e.kind) {
      case 'some':
        for (const v of e.vars) this.declare(v.value);
        k();
        return;
      case 'somein':
        this.planSomeIn(e.key, e.value, e.domain, k);
        return;
      case 'every':
        this.planEvery(e, k);
        return;
      case 'term':
        this.planTermExpr(e.term, k);
        return;
    }
  }

  private planTermExpr(t: Term, k: K): void {
    if (t.type === 'call') {
      const name = opName(t.op);
      if (name === 'eq') { this.unify(t.args[0]!, t.args[1]!, k); return; }
      if (name === 'assign') {
        const vars = new Set<string>();
        collectPatternVars(t.args[0]!, vars);
        for (const v of vars) {
          if (v === 'input' || v === 'data') throw new RegoError('rego_compile_error', `variables must not shadow ${v} (use a different variable name)`, t.loc);
          if (this.inTopScope(v)) throw new RegoError('rego_compile_error', `var ${v} assigned above`, t.loc);
          this.declare(v);
        }
        this.unify(t.args[0]!, t.args[1]!, k);
        return;
      }
      const n = name === undefined ? undefined : this.arity(name);
      if (n !== undefined && t.args.length === n + 1) {
        const out = t.args[n]!;
        this.planCall({ ...t, args: t.args.slice(0, n) }, (r) => this.unify(out, this.opTerm(r), k));
        return;
      }
    }
    this.planTerm(t, (op) => {
      this.emit('NotEqualStmt', { a: op, b: FALSE });
      k();
    });
  }

  /** A term standing for an already planned operand. */
  opTerm(op: Operand): Term {
    if (op.type === 'local') return this.tmpVar(op.value);
    if (op.type === 'bool') return { type: 'boolean', value: op.value, loc: this.loc };
    return { type: 'string', value: this.ps.strings[op.value]!, loc: this.loc };
  }

  private planSomeIn(key: Term | undefined, value: Term, domain: Term, k: K): void {
    const decl = new Set<string>();
    if (key) collectPatternVars(key, decl);
    collectPatternVars(value, decl);
    this.planTerm(domain, (op) => {
      const src = this.toLocal(op);
      const kl = this.local();
      const vl = this.local();
      const block = this.block(() => {
        for (const v of decl) this.declare(v);
        const bindValue = (): void => this.unify(value, this.tmpVar(vl), k);
        if (key) this.unify(key, this.tmpVar(kl), bindValue);
        else bindValue();
      });
      this.emit('ScanStmt', { source: src, key: kl, value: vl, block });
    });
  }

  private planEvery(e: Extract<Expr, { kind: 'every' }>, k: K): void {
    this.planTerm(e.domain, (op) => {
      const src = this.toLocal(op);
      // The domain must be a collection, else `every` is undefined.
      const isColl = (['IsArrayStmt', 'IsObjectStmt', 'IsSetStmt'] as const).map((kind) => this.block(() => {
        this.emit(kind, { source: localOp(src) });
        this.emit('BreakStmt', { index: 1 });
      }));
      this.emit('BlockStmt', { blocks: [this.block(() => { this.emit('BlockStmt', { blocks: isColl }); this.emit('BreakStmt', { index: 1 }); })] });
      const found = this.local();
      this.emit('ResetLocalStmt', { target: found });
      const kl = this.local();
      const vl = this.local();
      const block = this.block(() => this.scoped(() => {
        if (e.key) for (const v of patternVarsOf(e.key)) this.declare(v);
        for (const v of patternVarsOf(e.value)) this.declare(v);
        const inner = this.local();
        const bodyThen = (): void => {
          this.emit('ResetLocalStmt', { target: inner });
          const b = this.block(() => this.scoped(() => this.planBody(e.body, () => this.emit('AssignVarStmt', { source: TRUE, target: inner }))));
          this.emit('BlockStmt', { blocks: [b] });
          this.emit('IsUndefinedStmt', { source: inner });
          this.emit('AssignVarStmt', { source: TRUE, target: found });
        };
        const bindValue = (): void => this.unify(e.value, this.tmpVar(vl), bodyThen);
        if (e.key) this.unify(e.key, this.tmpVar(kl), bindValue);
        else bindValue();
      }));
      this.setLoc(e.loc);
      this.emit('ScanStmt', { source: src, key: kl, value: vl, block });
      this.emit('IsUndefinedStmt', { source: found });
      k();
    });
  }

  // ---- with ----

  private planWith(e: Expr, k: K): void {
    const mods = e.with;
    const inner: Expr = { ...e, with: [] };
    const newPaths: string[][] = [];
    const funcMocks = new Map(this.env.funcMocks);
    const docWiths: { local: Local; path: string[]; value: Term }[] = [];
    const paramValues: Term[] = [];
    const savedEnv = this.env;
    const savedParams = this.paramLocals;
    for (const w of mods) {
      const target = this.withTarget(w.target);
      if (target.kind === 'doc') {
        docWiths.push({ local: target.local, path: target.path, value: w.value });
        if (target.local === 1) newPaths.push(target.path);
      } else if (this.usesLocals(w.value)) {
        funcMocks.set(target.name, { kind: 'param', slot: savedEnv.params + paramValues.length });
        paramValues.push(w.value);
      } else {
        funcMocks.set(target.name, this.mockFor(w.value));
      }
    }
    const needGen = newPaths.length > 0 || funcMocks.size !== savedEnv.funcMocks.size || [...funcMocks].some(([n, m]) => savedEnv.funcMocks.get(n) !== m);
    const env: Env = needGen
      ? { gen: this.ps.nextGen(), mockedPaths: [...savedEnv.mockedPaths, ...newPaths], funcMocks, params: savedEnv.params + paramValues.length }
      : savedEnv;
    let innerParams = savedParams;
    // Plan every replacement value first (in the outer environment), then nest WithStmts.
    this.planArgs(docWiths.map((d) => d.value), 0, [], (values) => this.planArgs(paramValues, 0, [], (paramOps) => {
      innerParams = [...savedParams];
      for (const op of paramOps) {
        const l = this.local();
        this.emit('AssignVarStmt', { source: op, target: l });
        innerParams.push(l);
      }
      const saves = new Map<Local, Local>();
      for (const d of docWiths) {
        if (!saves.has(d.local)) {
          const s = this.local();
          this.emit('AssignVarStmt', { source: localOp(d.local), target: s });
          saves.set(d.local, s);
        }
      }
      const nest = (i: number): void => {
        if (i < docWiths.length) {
          const d = docWiths[i]!;
          const block = this.block(() => nest(i + 1));
          this.setLoc(e.loc);
          this.emit('WithStmt', { local: d.local, path: d.path.map((s) => this.ps.str(s)), value: values[i]!, block });
          return;
        }
        this.env = env;
        this.paramLocals = innerParams;
        this.planExpr(inner, () => {
          this.env = savedEnv;
          this.paramLocals = savedParams;
          const restore = (entries: [Local, Local][], j: number): void => {
            if (j >= entries.length) { k(); return; }
            const [local, saved] = entries[j]!;
            const block = this.block(() => restore(entries, j + 1));
            this.emit('WithStmt', { local, path: [], value: localOp(saved), block });
          };
          restore([...saves.entries()], 0);
          this.env = env;
          this.paramLocals = innerParams;
        });
        this.env = savedEnv;
        this.paramLocals = savedParams;
      };
      nest(0);
    }));
  }

  private withTarget(t: Term): { kind: 'doc'; local: Local; path: string[] } | { kind: 'func'; name: string } {
    const parts = t.type === 'ref' ? t.value : [t];
    const head = parts[0]!;
    if (head.type === 'var' && (head.value === 'input' || head.value === 'data')) {
      const path: string[] = [];
      for (const s of parts.slice(1)) {
        if (s.type !== 'string') throw new RegoError('rego_type_error', 'with target must be a ground reference', t.loc);
        path.push(s.value);
      }
      if (head.value === 'data') {
        const fn = this.ps.ruleSetAt(path);
        if (fn?.kind === 'func') return { kind: 'func', name: 'data.' + path.join('.') };
      }
      return { kind: 'doc', local: head.value === 'input' ? 0 : 1, path };
    }
    const name = opName(t);
    if (name === undefined) throw new RegoError('rego_type_error', 'with target must be input, data or a function', t.loc);
    const fn = this.resolveFunc(name);
    if (fn.kind === 'user') return { kind: 'func', name: fn.key };
    if (fn.kind === 'builtin') return { kind: 'func', name: fn.name };
    throw new RegoError('rego_compile_error', `with keyword referring to unknown function ${name}`, t.loc);
  }

  /** Does the term read a variable bound in this frame? */
  private usesLocals(t: Term): boolean {
    const vars = new Set<string>();
    allVars(t, vars);
    for (const v of vars) if (this.lookup(v) !== undefined) return true;
    return false;
  }

  private mockFor(value: Term): Mock {
    const name = opName(value);
    if (name !== undefined && !(value.type === 'var' && this.lookup(value.value) !== undefined)) {
      const fn = this.resolveFunc(name);
      if (fn.kind === 'user') return { kind: 'func', name: fn.key };
      if (fn.kind === 'builtin' && !this.globalRef(name.split('.')[0]!)) return { kind: 'func', name: fn.name };
    }
    return { kind: 'value', term: this.globalise(value) };
  }

  /** Rewrite bare rule names to full data refs so a mock value plans in any frame. */
  private globalise(t: Term): Term {
    if (t.type === 'var') {
      const l = this.lookup(t.value);
      if (l !== undefined) throw new RegoError('rego_type_error', 'with: mocking a function with a local variable value is not supported', t.loc);
      const g = this.globalRef(t.value);
      return g ? { type: 'ref', value: g, loc: t.loc } : t;
    }
    if (t.type === 'ref' && t.value[0]?.type === 'var') {
      const g = this.globalRef(t.value[0].value);
      if (g && this.lookup(t.value[0].value) === undefined) return { type: 'ref', value: [...g, ...t.value.slice(1)], loc: t.loc };
    }
    return t;
  }

  // ---- functions ----

  resolveFunc(name: string): { kind: 'user'; path: string[]; key: string; arity: number } | { kind: 'builtin'; name: string } | { kind: 'none' } {
    const parts = name.split('.');
    let full: string[] | undefined;
    if (parts[0] === 'data') full = parts.slice(1);
    else {
      const g = this.isDeclared(parts[0]!) ? undefined : this.globalRef(parts[0]!);
      if (g && g[0]?.type === 'var' && g[0].value === 'data') {
        full = [...g.slice(1).map((s) => (s as { value: string }).value), ...parts.slice(1)];
      }
    }
    if (full) {
      const rs = this.ps.ruleSetAt(full);
      if (rs?.kind === 'func') {
        const r = rs.rules[0] ?? rs.defaults[0]!;
        return { kind: 'user', path: full, key: 'data.' + full.join('.'), arity: r.head.args!.length };
      }
      if (parts[0] === 'data') return { kind: 'none' };
    }
    if (builtinArgs(this, name) !== undefined) return { kind: 'builtin', name };
    return { kind: 'none' };
  }

  planCall(t: TermOf<'call'>, k: OpK): void {
    const name = opName(t.op);
    if (name === undefined) throw new RegoError('rego_type_error', 'illegal call: operator must be a function name', t.loc);
    if (name === 'rego.metadata.chain' || name === 'rego.metadata.rule') {
      const siblings = this.rule && this.module ? this.ps.ruleSetAt([...this.module.package, ...headSplit(this.rule).ground])?.rules ?? [] : [];
      this.planTerm(foldMetadata(name, this.rule, this.module, t.loc, siblings, this.ps.modules), k);
      return;
    }
    if (name === 'print' || name === 'internal.print') { k(TRUE); return; }
    let fn = this.resolveFunc(name);
    const mockKey = fn.kind === 'user' ? fn.key : fn.kind === 'builtin' ? fn.name : name;
    const mock = this.env.funcMocks.get(mockKey);
    if (mock) {
      if (mock.kind === 'value') { this.planArgs(t.args, 0, [], () => this.planTerm(mock.term, k)); return; }
      if (mock.kind === 'param') { const l = this.paramLocals[mock.slot]!; this.planArgs(t.args, 0, [], () => k(localOp(l))); return; }
      fn = this.resolveFunc(mock.name);
    }
    if (fn.kind === 'none') throw new RegoError('rego_type_error', `undefined function ${name}`, t.loc);
    const loc = t.loc;
    if (fn.kind === 'user') {
      if (t.args.length !== fn.arity) throw new RegoError('rego_type_error', `function ${name} called with ${t.args.length} arguments, expects ${fn.arity}`, loc);
      // A mock's replacement runs without the mocks ("a mock will not call another mock").
      const fname = this.resolver.funcFor(fn.path, mock ? this.mockFreeEnv() : this.env);
      const extra = mock ? [] : this.paramLocals.map(localOp);
      this.planArgs(t.args, 0, [localOp(0), localOp(1)], (args) => {
        const r = this.local();
        this.setLoc(loc);
        this.emit('CallStmt', { func: fname, args: [...args, ...extra], result: r });
        k(localOp(r));
      });
      return;
    }
    const decl = this.ps.useBuiltin(fn.name, loc);
    const n = decl.args?.length ?? 0;
    if (t.args.length !== n && !decl.variadic) throw new RegoError('rego_type_error', `${name}: arity mismatch\n\thave: ${t.args.length} args\n\twant: ${n} args`, loc);
    this.planArgs(t.args, 0, [], (args) => {
      const r = this.local();
      this.setLoc(loc);
      this.emit('CallStmt', { func: fn.name, args: args.length ? args : null, result: r });
      if (fn.name === 'walk') {
        // walk is a relation: each [path, value] pair is a separate solution.
        const kl = this.local();
        const vl = this.local();
        const block = this.block(() => k(localOp(vl)));
        this.emit('ScanStmt', { source: r, key: kl, value: vl, block });
        return;
      }
      k(localOp(r));
    });
  }

  private mockFreeEnv(): Env {
    return { gen: this.ps.nextGen(), mockedPaths: this.env.mockedPaths, funcMocks: new Map(), params: 0 };
  }

  /** Call a planned rule function of the current environment (input, data, then any mock parameters). */
  callRule(fname: string): Local {
    const r = this.local();
    const args: Operand[] = [localOp(0), localOp(1)];
    for (const l of this.paramLocals) args.push(localOp(l));
    this.emit('CallStmt', { func: fname, args, result: r });
    return r;
  }

  /**
   * Plan terms in order, except that terms whose vars another term binds (`x == xs[x]`)
   * wait for it. Continuations may run more than once, so no state is shared between runs.
   */
  private planArgs(args: Term[], _i: number, acc: Operand[], k: (ops: Operand[]) => void): void {
    const step = (pending: number[], ops: Operand[]): void => {
      if (pending.length === 0) { k(acc.length ? [...acc, ...ops] : ops); return; }
      let at = pending.findIndex((j) => plannable(args[j]!, this.isBound));
      if (at < 0) at = 0;
      const j = pending[at]!;
      const rest = pending.filter((_, x) => x !== at);
      this.planTerm(args[j]!, (op) => {
        const next = ops.slice();
        next[j] = op;
        step(rest, next);
      });
    };
    step(args.map((_, j) => j), new Array<Operand>(args.length));
  }

  // ---- terms ----

  planTerm(t: Term, k: OpK): void {
    if ((t.type === 'array' || t.type === 'object' || t.type === 'set') && isConstant(t)) { k(this.constant(t)); return; }
    switch (t.type) {
      case 'null': { const l = this.local(); this.emit('MakeNullStmt', { target: l }); k(localOp(l)); return; }
      case 'boolean': k({ type: 'bool', value: t.value }); return;
      case 'string': k({ type: 'string_index', value: this.ps.str(t.value) }); return;
      case 'number': k(localOp(this.number(t.value))); return;
      case 'var': {
        if (this.isWildcard(t.value)) throw new RegoError('rego_unsafe_var_error', `var _ is unsafe`, t.loc);
        const l = this.lookup(t.value);
        if (l !== undefined) { k(localOp(l)); return; }
        const g = this.isDeclared(t.value) ? undefined : this.globalRef(t.value);
        if (g) { this.planRefParts(g, 0, k); return; }
        throw new RegoError('rego_unsafe_var_error', `var ${t.value} is unsafe`, t.loc);
      }
      case 'ref': this.planRefParts(t.value, 0, k); return;
      case 'array':
        this.planArgs(t.value, 0, [], (ops) => {
          const l = this.local();
          this.emit('MakeArrayStmt', { capacity: ops.length, target: l });
          for (const op of ops) this.emit('ArrayAppendStmt', { value: op, array: l });
          k(localOp(l));
        });
        return;
      case 'set':
        this.planArgs(t.value, 0, [], (ops) => {
          const l = this.local();
          this.emit('MakeSetStmt', { target: l });
          for (const op of ops) this.emit('SetAddStmt', { value: op, set: l });
          k(localOp(l));
        });
        return;
      case 'object':
        this.planArgs(t.value.flat(), 0, [], (ops) => {
          const l = this.local();
          this.emit('MakeObjectStmt', { target: l });
          for (let i = 0; i < ops.length; i += 2) this.emit('ObjectInsertStmt', { key: ops[i]!, value: ops[i + 1]!, object: l });
          k(localOp(l));
        });
        return;
      case 'call': this.planCall(t, k); return;
      case 'arraycomp': case 'setcomp': case 'objectcomp': this.planComprehension(t, k); return;
    }
  }

  /** Build a constant composite directly (no continuation nesting: big literals stay flat). */
  private constant(t: Term): Operand {
    switch (t.type) {
      case 'null': { const l = this.local(); this.emit('MakeNullStmt', { target: l }); return localOp(l); }
      case 'boolean': return { type: 'bool', value: t.value };
      case 'string': return { type: 'string_index', value: this.ps.str(t.value) };
      case 'number': return localOp(this.number(t.value));
      case 'array': {
        const ops = t.value.map((x) => this.constant(x));
        const l = this.local();
        this.emit('MakeArrayStmt', { capacity: ops.length, target: l });
        for (const op of ops) this.emit('ArrayAppendStmt', { value: op, array: l });
        return localOp(l);
      }
      case 'set': {
        const ops = t.value.map((x) => this.constant(x));
        const l = this.local();
        this.emit('MakeSetStmt', { target: l });
        for (const op of ops) this.emit('SetAddStmt', { value: op, set: l });
        return localOp(l);
      }
      case 'object': {
        const ops = t.value.map(([a, b]) => [this.constant(a), this.constant(b)] as const);
        const l = this.local();
        this.emit('MakeObjectStmt', { target: l });
        for (const [a, b] of ops) this.emit('ObjectInsertStmt', { key: a, value: b, object: l });
        return localOp(l);
      }
      default: throw new RegoError('rego_type_error', 'not a constant', t.loc);
    }
  }

  number(text: string): Local {
    const l = this.local();
    this.emit('MakeNumberRefStmt', { Index: this.ps.str(text), target: l });
    return l;
  }

  private planComprehension(t: TermOf<'arraycomp' | 'setcomp' | 'objectcomp'>, k: OpK): void {
    const l = this.local();
    const loc = t.loc;
    if (t.type === 'arraycomp') this.emit('MakeArrayStmt', { capacity: 0, target: l });
    else if (t.type === 'setcomp') this.emit('MakeSetStmt', { target: l });
    else this.emit('MakeObjectStmt', { target: l });
    const block = this.block(() => this.scoped(() => {
      this.planBody(t.body, () => {
        this.setLoc(loc);
        if (t.type === 'objectcomp') {
          this.planTerm(t.key, (kop) => this.planTerm(t.value, (vop) => this.emit('ObjectInsertOnceStmt', { key: kop, value: vop, object: l })));
        } else {
          this.planTerm(t.term, (op) => {
            if (t.type === 'arraycomp') this.emit('ArrayAppendStmt', { value: op, array: l });
            else this.emit('SetAddStmt', { value: op, set: l });
          });
        }
      });
    }));
    this.setLoc(loc);
    this.emit('BlockStmt', { blocks: [block] });
    k(localOp(l));
  }

  // ---- references ----

  /** Plan `parts[i..]` of a reference; parts[0] is the head. */
  planRefParts(parts: Term[], _i: number, k: OpK): void {
    const head = parts[0]!;
    if (head.type === 'var') {
      const name = head.value;
      const l = this.lookup(name);
      if (l !== undefined) { this.planRest(localOp(l), parts, 1, k); return; }
      if (name === 'input') {
        if (parts.length === 1) this.emit('IsDefinedStmt', { source: 0 });
        this.planRest(localOp(0), parts, 1, k);
        return;
      }
      if (name === 'data') { this.planData(parts, k); return; }
      const g = this.isDeclared(name) ? undefined : this.globalRef(name);
      if (g) { this.planRefParts([...g, ...parts.slice(1)], 0, k); return; }
      throw new RegoError('rego_unsafe_var_error', `var ${name} is unsafe`, head.loc);
    }
    this.planTerm(head, (op) => this.planRest(op, parts, 1, k));
  }

  /** Dot or scan through `parts[i..]` starting from a value. */
  planRest(op: Operand, parts: Term[], i: number, k: OpK): void {
    if (i >= parts.length) { k(op); return; }
    const seg = parts[i]!;
    if (plannable(seg, this.isBound) && !(seg.type === 'var' && this.isWildcard(seg.value))) {
      this.planTerm(seg, (key) => {
        const t = this.local();
        this.emit('DotStmt', { source: op, key, target: t });
        this.planRest(localOp(t), parts, i + 1, k);
      });
      return;
    }
    const src = this.toLocal(op);
    const kl = this.local();
    const vl = this.local();
    const block = this.block(() => {
      if (seg.type === 'var' && this.isWildcard(seg.value)) this.planRest(localOp(vl), parts, i + 1, k);
      else this.unify(seg, this.tmpVar(kl), () => this.planRest(localOp(vl), parts, i + 1, k));
    });
    this.emit('ScanStmt', { source: src, key: kl, value: vl, block });
  }

  private mocked(path: readonly string[]): boolean {
    return this.env.mockedPaths.some((m) => m.length <= path.length && m.every((s, j) => path[j] === s));
  }

  /** Is there any (unmocked) rule at or below this node? */
  isVirtual(node: TreeNode): boolean {
    // Every package and rule-path prefix is a (possibly empty) virtual object; functions are not documents.
    if (this.mocked(node.path)) return false;
    if (node.rules) return node.rules.kind !== 'func';
    return true;
  }

  /** `data.…`: call rule functions where the path meets a rule, merge virtual and base documents. */
  private planData(parts: Term[], k: OpK): void {
    this.planDataFrom(this.ps.tree, parts, 1, k);
  }

  private planDataFrom(start: TreeNode, parts: Term[], from: number, k: OpK): void {
    let node = start;
    let i = from;
    for (;;) {
      if (node.rules && !this.mocked(node.path)) {
        if (node.rules.kind === 'func') {
          throw new RegoError('rego_type_error', `function data.${node.path.join('.')} must be called`, parts[0]!.loc);
        }
        const r = this.callRule(this.resolver.funcFor(node.path, this.env));
        this.planRest(localOp(r), parts, i, k);
        return;
      }
      if (!this.isVirtual(node)) break;
      if (i >= parts.length) { this.buildVirtual(node, k); return; }
      const seg = parts[i]!;
      if (seg.type === 'string') {
        const child = node.children.get(seg.value);
        if (!child) break;
        node = child;
        i++;
        continue;
      }
      // Rule paths are strings: a number/boolean/null key can only hit base data.
      if (seg.type === 'number' || seg.type === 'boolean' || seg.type === 'null') break;
      if (plannable(seg, this.isBound)) { this.planDataDynamic(node, parts, i, k); return; }
      this.buildVirtual(node, (op) => this.planRest(op, parts, i, k));
      return;
    }
    this.planRest(this.baseData(node.path), parts, i, k);
  }

  /** Plain base data at a path. */
  private baseData(path: readonly string[]): Operand {
    let op: Operand = localOp(1);
    for (const s of path) {
      const t = this.local();
      this.emit('DotStmt', { source: op, key: { type: 'string_index', value: this.ps.str(s) }, target: t });
      op = localOp(t);
    }
    return op;
  }

  /**
   * `data.a[x]…` with x bound: try each virtual child whose name x may equal (so only
   * the matching rule is evaluated), else fall through to base data.
   */
  private planDataDynamic(node: TreeNode, parts: Term[], i: number, k: OpK): void {
    this.planTerm(parts[i]!, (key) => {
      const children = [...node.children.values()].filter((c) => this.isVirtual(c));
      // The continuation is planned once per alternative; each starts from the same bindings.
      const scopes = this.saveScopes();
      const blocks = children.map((child) => this.block(() => {
        this.restoreScopes(scopes);
        this.emit('EqualStmt', { a: key, b: { type: 'string_index', value: this.ps.str(child.name) } });
        this.planDataFrom(child, parts, i + 1, k);
      }));
      blocks.push(this.block(() => {
        this.restoreScopes(scopes);
        for (const child of children) this.emit('NotEqualStmt', { a: key, b: { type: 'string_index', value: this.ps.str(child.name) } });
        const t = this.local();
        this.emit('DotStmt', { source: this.baseData(node.path), key, target: t });
        this.planRest(localOp(t), parts, i + 1, k);
      }));
      this.emit('BlockStmt', { blocks });
    });
  }

  /** The document at a node with rules below it: virtual children merged over base data. */
  buildVirtual(node: TreeNode, k: OpK): void {
    const obj = this.local();
    this.emit('MakeObjectStmt', { target: obj });
    for (const child of [...node.children.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (!this.isVirtual(child)) continue;
      const block = this.block(() => {
        const insert: OpK = (v) => this.emit('ObjectInsertStmt', { key: { type: 'string_index', value: this.ps.str(child.name) }, value: v, object: obj });
        if (child.rules) {
          const r = this.callRule(this.resolver.funcFor(child.path, this.env));
          insert(localOp(r));
        } else this.buildVirtual(child, insert);
      });
      this.emit('BlockStmt', { blocks: [block] });
    }
    const res = this.local();
    const inner = this.block(() => {
      let op: Local = 1;
      for (const s of node.path) {
        const t = this.local();
        this.emit('DotStmt', { source: localOp(op), key: { type: 'string_index', value: this.ps.str(s) }, target: t });
        op = t;
      }
      this.emit('ObjectMergeStmt', { a: op, b: obj, target: res });
      this.emit('BreakStmt', { index: 1 });
    });
    const outer = this.block(() => {
      this.emit('BlockStmt', { blocks: [inner] });
      this.emit('AssignVarStmt', { source: localOp(obj), target: res });
    });
    this.emit('BlockStmt', { blocks: [outer] });
    k(localOp(res));
  }

  // ---- unification ----

  unify(a: Term, b: Term, k: K): void {
    if (a.type === 'var' && this.isWildcard(a.value)) { this.planTerm(b, () => k()); return; }
    if (b.type === 'var' && this.isWildcard(b.value)) { this.planTerm(a, () => k()); return; }
    const aFree = a.type === 'var' && !this.isBound(a.value);
    const bFree = b.type === 'var' && !this.isBound(b.value);
    if (aFree && bFree) throw new RegoError('rego_unsafe_var_error', `var ${(a as TermOf<'var'>).value} is unsafe`, a.loc);
    if (aFree) { this.bindVar(a.value as string, b, k); return; }
    if (bFree) { this.bindVar(b.value as string, a, k); return; }
    const aOk = plannable(a, this.isBound);
    const bOk = plannable(b, this.isBound);
    if (a.type === 'array' && b.type === 'array' && (!aOk || !bOk)) {
      if (a.value.length !== b.value.length) { this.emit('EqualStmt', { a: TRUE, b: FALSE }); k(); return; }
      this.unifyPairs(a.value.map((x, i) => [x, b.value[i]!]), 0, k);
      return;
    }
    if (a.type === 'object' && b.type === 'object' && (!aOk || !bOk)) {
      const pairs: [Term, Term][] = [];
      for (const [ka, va] of a.value) {
        const m = b.value.find(([kb]) => sameKey(ka, kb));
        if (!m || a.value.length !== b.value.length) { this.emit('EqualStmt', { a: TRUE, b: FALSE }); k(); return; }
        pairs.push([va, m[1]]);
      }
      this.unifyPairs(pairs, 0, k);
      return;
    }
    if (!aOk && bOk) { this.destructure(a, b, k); return; }
    if (aOk && !bOk) { this.destructure(b, a, k); return; }
    if (!aOk && !bOk) {
      const v = firstUnbound(a, this.isBound) ?? firstUnbound(b, this.isBound) ?? '_';
      throw new RegoError('rego_unsafe_var_error', `var ${v} is unsafe`, a.loc);
    }
    this.planTerm(a, (oa) => this.planTerm(b, (ob) => { this.emit('EqualStmt', { a: oa, b: ob }); k(); }));
  }

  private unifyPairs(pairs: [Term, Term][], i: number, k: K): void {
    if (i >= pairs.length) { k(); return; }
    const [x, y] = pairs[i]!;
    this.unify(x, y, () => this.unifyPairs(pairs, i + 1, k));
  }

  private bindVar(name: string, value: Term, k: K): void {
    this.planTerm(value, (op) => {
      let l: Local;
      if (op.type === 'local') {
        l = this.local();
        this.emit('AssignVarStmt', { source: op, target: l });
      } else l = this.toLocal(op);
      this.bind(name, l);
      k();
    });
  }

  /** Unify a pattern (array/object with unbound vars) against a plannable value. */
  private destructure(pattern: Term, value: Term, k: K): void {
    this.planTerm(value, (op) => {
      const src = this.toLocal(op);
      if (pattern.type === 'array') {
        this.emit('IsArrayStmt', { source: localOp(src) });
        const n = this.local();
        this.emit('LenStmt', { source: localOp(src), target: n });
        const m = this.local();
        this.emit('MakeNumberIntStmt', { value: pattern.value.length, target: m });
        this.emit('EqualStmt', { a: localOp(n), b: localOp(m) });
        const step = (i: number): void => {
          if (i >= pattern.value.length) { k(); return; }
          const idx = this.local();
          this.emit('MakeNumberIntStmt', { value: i, target: idx });
          const el = this.local();
          this.emit('DotStmt', { source: localOp(src), key: localOp(idx), target: el });
          this.unify(pattern.value[i]!, this.tmpVar(el), () => step(i + 1));
        };
        step(0);
        return;
      }
      if (pattern.type === 'object') {
        this.emit('IsObjectStmt', { source: localOp(src) });
        const n = this.local();
        this.emit('LenStmt', { source: localOp(src), target: n });
        const m = this.local();
        this.emit('MakeNumberIntStmt', { value: pattern.value.length, target: m });
        this.emit('EqualStmt', { a: localOp(n), b: localOp(m) });
        const step = (i: number): void => {
          if (i >= pattern.value.length) { k(); return; }
          const [kt, vt] = pattern.value[i]!;
          this.planTerm(kt, (kop) => {
            const el = this.local();
            this.emit('DotStmt', { source: localOp(src), key: kop, target: el });
            this.unify(vt, this.tmpVar(el), () => step(i + 1));
          });
        };
        step(0);
        return;
      }
      if (pattern.type === 'ref') {
        // A ref with unbound segment vars: iterate it and compare.
        this.planTerm(pattern, (pop) => { this.emit('EqualStmt', { a: pop, b: localOp(src) }); k(); });
        return;
      }
      const v = firstUnbound(pattern, this.isBound) ?? '_';
      throw new RegoError('rego_unsafe_var_error', `var ${v} is unsafe`, pattern.loc);
    });
  }
}

/** Does a statement list iterate (a ScanStmt anywhere inside)? */
function containsScan(stmts: Stmt[]): boolean {
  for (const st of stmts) {
    switch (st.type) {
      case 'ScanStmt': return true;
      case 'BlockStmt': if (st.stmt.blocks.some((b) => containsScan(b.stmts))) return true; break;
      case 'NotStmt': if (containsScan(st.stmt.block.stmts)) return true; break;
      case 'WithStmt': if (containsScan(st.stmt.block.stmts)) return true; break;
      default: break;
    }
  }
  return false;
}

/** Remove the `found := true` marker when it ends the block (straight-line code); false when it sits elsewhere. */
function stripMarker(stmts: Stmt[], found: Local): boolean {
  const last = stmts[stmts.length - 1];
  if (last?.type === 'AssignVarStmt' && last.stmt.target === found) { stmts.pop(); return true; }
  if (last?.type === 'WithStmt') return stripMarker(last.stmt.block.stmts, found);
  return false;
}

/** Scalars and collections of constants only. */
function isConstant(t: Term): boolean {
  switch (t.type) {
    case 'null': case 'boolean': case 'string': case 'number': return true;
    case 'array': case 'set': return t.value.every(isConstant);
    case 'object': return t.value.every(([a, b]) => isConstant(a) && isConstant(b));
    default: return false;
  }
}

function sameKey(a: Term, b: Term): boolean {
  return termKey(a) === termKey(b);
}

/** Structural identity of a term, ignoring locations. */
function termKey(t: Term): string {
  return JSON.stringify(t, (k, v: unknown) => (k === 'loc' ? undefined : v));
}

function firstUnbound(t: Term, isBound: (n: string) => boolean): string | undefined {
  const s = new Set<string>();
  collectPatternVars(t, s);
  for (const v of s) if (!isBound(v)) return v;
  return undefined;
}

/** Vars in pattern positions of a term (not inside refs, calls or comprehensions). */
export function collectPatternVars(t: Term, out: Set<string>): void {
  switch (t.type) {
    case 'var': if (t.value !== '_' && !t.value.startsWith('$_')) out.add(t.value); return;
    case 'array': for (const x of t.value) collectPatternVars(x, out); return;
    case 'object': for (const [, v] of t.value) collectPatternVars(v, out); return;
    default: return;
  }
}

function patternVarsOf(t: Term): string[] {
  const s = new Set<string>();
  collectPatternVars(t, s);
  return [...s];
}

function builtinArgs(p: Planner, name: string): number | undefined {
  const d = p.ps.builtins.get(name);
  if (d) return d.args?.length ?? 0;
  return builtinArity(name);
}

import { builtinDecl } from '../builtins/decls.ts';
function builtinArity(name: string): number | undefined {
  const d = builtinDecl(name);
  return d ? (d.args?.length ?? 0) : undefined;
}
