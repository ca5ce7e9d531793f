/** Small AST term constructors the parsers share. */
import type { Expr, Location, Term } from '../ast/types.ts';

export function trueExpr(loc: Location): Expr {
  return { kind: 'term', term: { type: 'boolean', value: true, loc }, negated: false, with: [], loc };
}

/** A call term whose operator is a builtin/function name like `plus` or `internal.member_2`. */
export function call(name: string, args: Term[], loc: Location): Term {
  return { type: 'call', op: nameRef(name, loc), args, loc };
}

export function nameRef(name: string, loc: Location): Term {
  const parts = name.split('.');
  if (parts.length === 1) return { type: 'var', value: name, loc };
  return { type: 'ref', value: [{ type: 'var', value: parts[0]!, loc }, ...parts.slice(1).map((p): Term => ({ type: 'string', value: p, loc }))], loc };
}
