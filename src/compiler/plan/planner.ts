/**
 * Plans Rego bodies into IR statements for one frame: expressions in safe order,
 * negation, `some … in`, `every` and `with`. Rule sets become functions (rules.ts);
 * the layers below handle terms (terms.ts), references (refs.ts), unification
 * (unify.ts) and names (names.ts).
 */
import { RegoError } from '../ast/errors.ts';
import type { Expr, Term } from '../ast/types.ts';
import { allVars, opName, reorderBody } from '../check/safety.ts';
import type { Local, Operand, Stmt } from '../ir/types.ts';
import { localOp } from './frame.ts';
import type { Env, Mock } from './policy.ts';
import { TermPlanner } from './terms.ts';
import { collectPatternVars, FALSE, patternVarsOf, TRUE, type K } from './unify.ts';

export { collectPatternVars } from './unify.ts';
export type { FuncResolver } from './names.ts';

export class Planner extends TermPlanner {
  // ---- bodies ----

  planBody(body: Expr[], k: K): void {
    const ordered = reorderBody(body, this.isBound, this.arity);
    this.planExprs(ordered, 0, k);
  }

  protected planExprs(body: Expr[], i: number, k: K): void {
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

  protected planTermExpr(t: Term, k: K): void {
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

  protected planSomeIn(key: Term | undefined, value: Term, domain: Term, k: K): void {
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

  protected planEvery(e: Extract<Expr, { kind: 'every' }>, k: K): void {
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

  protected planWith(e: Expr, k: K): void {
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

  protected withTarget(t: Term): { kind: 'doc'; local: Local; path: string[] } | { kind: 'func'; name: string } {
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
  protected usesLocals(t: Term): boolean {
    const vars = new Set<string>();
    allVars(t, vars);
    for (const v of vars) if (this.lookup(v) !== undefined) return true;
    return false;
  }

  protected mockFor(value: Term): Mock {
    const name = opName(value);
    if (name !== undefined && !(value.type === 'var' && this.lookup(value.value) !== undefined)) {
      const fn = this.resolveFunc(name);
      if (fn.kind === 'user') return { kind: 'func', name: fn.key };
      if (fn.kind === 'builtin' && !this.globalRef(name.split('.')[0]!)) return { kind: 'func', name: fn.name };
    }
    return { kind: 'value', term: this.globalise(value) };
  }

  /** Rewrite bare rule names to full data refs so a mock value plans in any frame. */
  protected globalise(t: Term): Term {
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
