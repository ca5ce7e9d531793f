/**
 * Terms: scalars, collections, comprehensions and calls (builtins, user
 * functions, `with` replacements, folded `rego.metadata.*`).
 */
import { RegoError } from '../ast/errors.ts';
import type { Expr, Term, TermOf } from '../ast/types.ts';
import { opName, plannable } from '../check/safety.ts';
import type { Local, Operand } from '../ir/types.ts';
import { localOp } from './frame.ts';
import { foldMetadata } from './metadata.ts';
import { RefPlanner } from './refs.ts';
import { headSplit } from './tree.ts';
import { TRUE, type OpK } from './unify.ts';

export abstract class TermPlanner extends RefPlanner {
  /** Plan a body (planner.ts). */
  abstract planBody(body: Expr[], k: () => void): void;

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


  /**
   * Plan terms in order, except that terms whose vars another term binds (`x == xs[x]`)
   * wait for it. Continuations may run more than once, so no state is shared between runs.
   */
  protected planArgs(args: Term[], _i: number, acc: Operand[], k: (ops: Operand[]) => void): void {
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
  protected constant(t: Term): Operand {
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

  protected planComprehension(t: TermOf<'arraycomp' | 'setcomp' | 'objectcomp'>, k: OpK): void {
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
