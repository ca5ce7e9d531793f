/**
 * Unification (`=`, `:=`, function arguments, patterns): bind free variables,
 * destructure arrays and objects, or compare.
 */
import { RegoError } from '../ast/errors.ts';
import type { Term, TermOf } from '../ast/types.ts';
import { plannable } from '../check/safety.ts';
import type { Local, Operand } from '../ir/types.ts';
import { localOp } from './frame.ts';
import { NamePlanner } from './names.ts';

export type K = () => void;
export type OpK = (op: Operand) => void;

export const FALSE: Operand = { type: 'bool', value: false };
export const TRUE: Operand = { type: 'bool', value: true };

export abstract class UnifyPlanner extends NamePlanner {
  /** Plan a term's value (terms.ts). */
  abstract planTerm(t: Term, k: OpK): void;

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

  protected unifyPairs(pairs: [Term, Term][], i: number, k: K): void {
    if (i >= pairs.length) { k(); return; }
    const [x, y] = pairs[i]!;
    this.unify(x, y, () => this.unifyPairs(pairs, i + 1, k));
  }

  protected bindVar(name: string, value: Term, k: K): void {
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

  /** Checks that `src` is an array/object (per `check`) holding exactly `length` members. */
  private emitShapeCheck(check: 'IsArrayStmt' | 'IsObjectStmt', src: number, length: number): void {
    this.emit(check, { source: localOp(src) });
    const n = this.local();
    this.emit('LenStmt', { source: localOp(src), target: n });
    const m = this.local();
    this.emit('MakeNumberIntStmt', { value: length, target: m });
    this.emit('EqualStmt', { a: localOp(n), b: localOp(m) });
  }

  /** Unify a pattern (array/object with unbound vars) against a plannable value. */
  protected destructure(pattern: Term, value: Term, k: K): void {
    this.planTerm(value, (op) => {
      const src = this.toLocal(op);
      if (pattern.type === 'array') {
        this.emitShapeCheck('IsArrayStmt', src, pattern.value.length);
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
        this.emitShapeCheck('IsObjectStmt', src, pattern.value.length);
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
  }}

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

export function patternVarsOf(t: Term): string[] {
  const s = new Set<string>();
  collectPatternVars(t, s);
  return [...s];
}
