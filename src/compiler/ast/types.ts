/**
 * Rego AST. Every node carries its source location; scalar numbers keep their
 * source text so big numbers survive until the planner hands them to the backend.
 */

export interface Location {
  file: string;
  row: number;
  col: number;
}

export type Term =
  | { type: 'null'; loc: Location }
  | { type: 'boolean'; value: boolean; loc: Location }
  | { type: 'number'; value: string; loc: Location }
  | { type: 'string'; value: string; loc: Location }
  | { type: 'var'; value: string; loc: Location }
  /** value[0] is the head (var, or any term for e.g. `[1,2][0]`); the rest are segments. */
  | { type: 'ref'; value: Term[]; loc: Location }
  | { type: 'array'; value: Term[]; loc: Location }
  | { type: 'set'; value: Term[]; loc: Location }
  | { type: 'object'; value: [Term, Term][]; loc: Location }
  /** A call: `op` is the operator or function ref (e.g. `plus`, `data.x.f`, `count`). */
  | { type: 'call'; op: Term; args: Term[]; loc: Location }
  | { type: 'arraycomp'; term: Term; body: Expr[]; loc: Location }
  | { type: 'setcomp'; term: Term; body: Expr[]; loc: Location }
  | { type: 'objectcomp'; key: Term; value: Term; body: Expr[]; loc: Location };

export type TermOf<K extends Term['type']> = Extract<Term, { type: K }>;

export interface With {
  target: Term;
  value: Term;
  loc: Location;
}

export type ExprBody =
  | { kind: 'term'; term: Term }
  | { kind: 'some'; vars: TermOf<'var'>[] }
  | { kind: 'somein'; key: Term | undefined; value: Term; domain: Term }
  | { kind: 'every'; key: Term | undefined; value: Term; domain: Term; body: Expr[] };

export type Expr = ExprBody & { negated: boolean; with: With[]; loc: Location };

export interface RuleHead {
  /** The head reference: name plus segments (`a.b[c]` → [var a, string b, var c]). */
  ref: Term[];
  args: Term[] | undefined;
  /** `contains` term for multi-value rules. */
  key: Term | undefined;
  value: Term | undefined;
  assign: boolean;
  loc: Location;
}

export interface Rule {
  default: boolean;
  head: RuleHead;
  body: Expr[];
  /** `else [= value] [if] { … }` chain. */
  else: { value: Term | undefined; body: Expr[]; loc: Location }[];
  annotations: Record<string, unknown>[];
  loc: Location;
}

export interface Import {
  path: Term;
  alias: string | undefined;
  loc: Location;
}

export interface Module {
  file: string;
  package: string[];
  packageLoc: Location;
  imports: Import[];
  rules: Rule[];
  /** Package-scoped `# METADATA` blocks. */
  annotations: Record<string, unknown>[];
}
