/**
 * Variable safety: which variables an expression needs bound before it can run,
 * which it binds, and OPA-style body reordering (an expression that uses a var
 * before it is bound moves after the one binding it). Unsafe bodies fail with
 * rego_unsafe_var_error.
 */
import { RegoError } from '../ast/errors.ts';
import type { Expr, Term } from '../ast/types.ts';

/** Answers whether a name is bound (a local already bound, or a global like `input`, a rule, an import). */
export type IsBound = (name: string) => boolean;
/** Arity of a function or builtin by call name, or undefined if unknown. */
export type ArityOf = (name: string) => number | undefined;

interface VarUse {
  /** Must be bound before the expression runs. */
  needs: Set<string>;
  /** Bound by the expression (pattern positions, ref segments, outputs). */
  outs: Set<string>;
  /** Vars inside closures (comprehensions, negation, every): needed only if bound elsewhere. */
  closure: Set<string>;
}

/** The dotted name of a call operator (`plus`, `data.x.f`, `io.jwt.decode`). */
export function opName(op: Term): string | undefined {
  if (op.type === 'var') return op.value;
  if (op.type !== 'ref') return undefined;
  const head = op.value[0];
  if (head?.type !== 'var') return undefined;
  let s = head.value;
  for (let i = 1; i < op.value.length; i++) {
    const seg = op.value[i]!;
    if (seg.type !== 'string') return undefined;
    s += '.' + seg.value;
  }
  return s;
}

function isWildcard(name: string): boolean {
  return name === '_' || name.startsWith('$_');
}

/** Collect var uses in a term. `pattern`: vars in value position may be bound by unification. */
function termUse(t: Term, pattern: boolean, u: VarUse, arity: ArityOf): void {
  switch (t.type) {
    case 'var':
      if (isWildcard(t.value)) return;
      (pattern ? u.outs : u.needs).add(t.value);
      return;
    case 'ref': {
      const head = t.value[0]!;
      if (head.type === 'var') { if (!isWildcard(head.value)) u.needs.add(head.value); } else termUse(head, false, u, arity);
      for (let i = 1; i < t.value.length; i++) termUse(t.value[i]!, true, u, arity);
      return;
    }
    case 'array':
      for (const x of t.value) termUse(x, pattern, u, arity);
      return;
    case 'set':
      for (const x of t.value) termUse(x, false, u, arity);
      return;
    case 'object':
      for (const [k, v] of t.value) { termUse(k, false, u, arity); termUse(v, pattern, u, arity); }
      return;
    case 'call':
      for (const a of t.args) termUse(a, false, u, arity);
      return;
    case 'arraycomp': case 'setcomp':
      closureUse([t.term], t.body, u);
      return;
    case 'objectcomp':
      closureUse([t.key, t.value], t.body, u);
      return;
    default:
      return;
  }
}

function closureUse(terms: Term[], body: Expr[], u: VarUse): void {
  const all = new Set<string>();
  for (const t of terms) allVars(t, all);
  for (const e of body) exprAllVars(e, all);
  for (const v of all) u.closure.add(v);
}

/** Every var name occurring in a term (wildcards excluded). */
export function allVars(t: Term, out: Set<string>): void {
  switch (t.type) {
    case 'var': if (!isWildcard(t.value)) out.add(t.value); return;
    case 'ref': for (const x of t.value) allVars(x, out); return;
    case 'array': case 'set': for (const x of t.value) allVars(x, out); return;
    case 'object': for (const [k, v] of t.value) { allVars(k, out); allVars(v, out); } return;
    case 'call': for (const a of t.args) allVars(a, out); return;
    case 'arraycomp': case 'setcomp': allVars(t.term, out); for (const e of t.body) exprAllVars(e, out); return;
    case 'objectcomp': allVars(t.key, out); allVars(t.value, out); for (const e of t.body) exprAllVars(e, out); return;
    default: return;
  }
}

export function exprAllVars(e: Expr, out: Set<string>): void {
  switch (e.kind) {
    case 'term': allVars(e.term, out); break;
    case 'some': for (const v of e.vars) out.add(v.value); break;
    case 'somein': if (e.key) allVars(e.key, out); allVars(e.value, out); allVars(e.domain, out); break;
    case 'every': if (e.key) allVars(e.key, out); allVars(e.value, out); allVars(e.domain, out); for (const b of e.body) exprAllVars(b, out); break;
  }
  for (const w of e.with) allVars(w.value, out);
}

/** Var uses of one body expression. */
export function exprUse(e: Expr, arity: ArityOf): VarUse {
  const u: VarUse = { needs: new Set(), outs: new Set(), closure: new Set() };
  for (const w of e.with) {
    const fn = opName(w.value);
    if (fn !== undefined && arity(fn) !== undefined) continue;
    termUse(w.value, false, u, arity);
  }
  if (e.negated) {
    const inner: Expr = { ...e, negated: false, with: [] };
    const all = new Set<string>();
    exprAllVars(inner, all);
    for (const v of all) u.closure.add(v);
    return u;
  }
  switch (e.kind) {
    case 'some':
      return u;
    case 'somein':
      termUse(e.domain, false, u, arity);
      if (e.key) termUse(e.key, true, u, arity);
      termUse(e.value, true, u, arity);
      return u;
    case 'every': {
      termUse(e.domain, false, u, arity);
      const all = new Set<string>();
      for (const b of e.body) exprAllVars(b, all);
      if (e.key) allVars(e.key, all);
      allVars(e.value, all);
      const local = new Set<string>();
      if (e.key) allVars(e.key, local);
      allVars(e.value, local);
      for (const v of all) if (!local.has(v)) u.closure.add(v);
      return u;
    }
    case 'term': {
      const t = e.term;
      if (t.type === 'call') {
        const name = opName(t.op);
        if (name === 'eq' || name === 'assign') {
          termUse(t.args[0]!, true, u, arity);
          termUse(t.args[1]!, true, u, arity);
          return u;
        }
        const n = name === undefined ? undefined : arity(name);
        t.args.forEach((a, i) => termUse(a, n !== undefined && i === n && i === t.args.length - 1, u, arity));
        return u;
      }
      termUse(t, false, u, arity);
      return u;
    }
  }
}

/** True when every var a term needs in value position is bound (refs may still iterate). */
export function plannable(t: Term, isBound: IsBound): boolean {
  const u: VarUse = { needs: new Set(), outs: new Set(), closure: new Set() };
  termUse(t, false, u, () => undefined);
  for (const v of u.needs) if (!isBound(v)) return false;
  return !hasValueWildcard(t);
}

/** A `_` in value position (not a ref segment): the term is a pattern, not a value. */
function hasValueWildcard(t: Term): boolean {
  switch (t.type) {
    case 'var': return isWildcard(t.value);
    case 'array': case 'set': return t.value.some(hasValueWildcard);
    case 'object': return t.value.some(([k, v]) => hasValueWildcard(k) || hasValueWildcard(v));
    case 'call': return t.args.some(hasValueWildcard);
    default: return false;
  }
}

/** Vars of a term in pattern position that are not yet bound (what unification would bind). */
function patternNeeds(t: Term, isBound: IsBound): string[] {
  const u: VarUse = { needs: new Set(), outs: new Set(), closure: new Set() };
  termUse(t, true, u, () => undefined);
  return [...u.needs].filter((v) => !isBound(v));
}

/**
 * Order a body so each expression runs once its inputs are bound. `isBound` says
 * what is bound on entry; `bind` records new bindings as the order is built.
 */
export function reorderBody(body: Expr[], isBound: IsBound, arity: ArityOf): Expr[] {
  if (body.length <= 1 && !(body[0] && needsCheck(body[0]))) return body;
  const bound = new Set<string>();
  const has = (v: string): boolean => bound.has(v) || isBound(v);
  const uses = body.map((e) => exprUse(e, arity));
  // Vars that some expression of this body can bind: closures must wait for them.
  const bindable = new Set<string>();
  for (const u of uses) for (const v of u.outs) bindable.add(v);
  for (const e of body) if (e.kind === 'some') for (const v of e.vars) bindable.add(v.value);
  const declared = new Set<string>();
  for (const e of body) if (e.kind === 'some') for (const v of e.vars) declared.add(v.value);
  // A `:=` declares a new var: closures before it cannot mean it.
  const assignedAt = new Map<string, number>();
  body.forEach((e, i) => {
    if (e.kind === 'term' && e.term.type === 'call' && opName(e.term.op) === 'assign') {
      const s = new Set<string>();
      allVars(e.term.args[0]!, s);
      for (const v of s) if (!assignedAt.has(v)) assignedAt.set(v, i);
    }
  });
  const out: Expr[] = [];
  const left = body.map((e, i) => ({ e, u: closureFilter(uses[i]!, i, assignedAt) }));
  while (left.length > 0) {
    let picked = -1;
    for (let i = 0; i < left.length; i++) {
      if (ready(left[i]!.e, left[i]!.u, has, bindable, declared)) { picked = i; break; }
    }
    if (picked < 0) {
      const first = left[0]!;
      const missing = missingVar(first.u, has, bindable, declared);
      throw new RegoError('rego_unsafe_var_error', `var ${missing} is unsafe`, first.e.loc);
    }
    const { e, u } = left.splice(picked, 1)[0]!;
    out.push(e);
    for (const v of u.outs) bound.add(v);
    if (e.kind === 'term' && e.term.type === 'call' && !e.negated) {
      const name = opName(e.term.op);
      if (name === 'eq' || name === 'assign') for (const a of e.term.args) allVars(a, bound);
    }
  }
  return out;
}

function needsCheck(e: Expr): boolean {
  return e.kind === 'term' && e.term.type !== 'boolean';
}

function closureFilter(u: VarUse, i: number, assignedAt: Map<string, number>): VarUse {
  let closure = u.closure;
  for (const v of u.closure) {
    const at = assignedAt.get(v);
    if (at !== undefined && at > i) { if (closure === u.closure) closure = new Set(u.closure); closure.delete(v); }
  }
  return closure === u.closure ? u : { ...u, closure };
}

function ready(e: Expr, u: VarUse, has: IsBound, bindable: Set<string>, declared: Set<string>): boolean {
  // A var the expression binds itself through a ref (`x == xs[x]`) counts as bound.
  for (const v of u.needs) if (!has(v) && !u.outs.has(v)) return false;
  for (const v of u.closure) if (!has(v) && (bindable.has(v) || declared.has(v)) && !selfBinds(u, v)) return false;
  if (e.kind === 'term' && e.term.type === 'call' && !e.negated) {
    const name = opName(e.term.op);
    if (name === 'eq' || name === 'assign') {
      const [a, b] = e.term.args as [Term, Term];
      return patternNeeds(a, has).length === 0 || patternNeeds(b, has).length === 0 || unifiable(a, b, has);
    }
  }
  return true;
}

function selfBinds(u: VarUse, v: string): boolean {
  return u.outs.has(v);
}

/** Composite patterns on both sides unify element-wise (`[x, 1] = [2, y]`). */
function unifiable(a: Term, b: Term, has: IsBound): boolean {
  if (a.type === 'var' && !has(a.value)) return plannable(b, has);
  if (b.type === 'var' && !has(b.value)) return plannable(a, has);
  if (a.type === 'array' && b.type === 'array' && a.value.length === b.value.length) return a.value.every((x, i) => unifiable(x, b.value[i]!, has));
  if (a.type === 'object' && b.type === 'object' && a.value.length === b.value.length) {
    return a.value.every(([k, v]) => { const m = b.value.find(([k2]) => sameConst(k, k2)); return m !== undefined && unifiable(v, m[1], has); });
  }
  return plannable(a, has) || plannable(b, has);
}

function sameConst(a: Term, b: Term): boolean {
  return a.type === b.type && 'value' in a && 'value' in b && a.value === b.value && a.type !== 'var';
}

function missingVar(u: VarUse, has: IsBound, bindable: Set<string>, declared: Set<string>): string {
  for (const v of u.needs) if (!has(v) && !u.outs.has(v)) return v;
  for (const v of u.closure) if (!has(v) && (bindable.has(v) || declared.has(v))) return v;
  for (const v of u.outs) if (!has(v)) return v;
  return '_';
}
