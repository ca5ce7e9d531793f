/**
 * `rego.parse_module`: parses with warden's own Rego parser and reports the
 * module in OPA's AST JSON shape (package path, imports, rules with heads and
 * bodies; no locations, as OPA omits them by default).
 */
import type { Expr, Module, Rule, Term } from '../../ast/types.ts';
import { parseModule } from '../../parser/index.ts';
import { type BuiltinFn, type JsonObject, builtinError, str } from './values.ts';

/** An operator as OPA writes it: always a ref (`plus` → ref[var plus], `a.b` → ref[var a, string b]). */
function opTerm(op: Term): JsonObject {
  if (op.type !== 'var') return term(op);
  const [head, ...rest] = op.value.split('.');
  return { type: 'ref', value: [{ type: 'var', value: head }, ...rest.map((s) => ({ type: 'string', value: s }))] };
}

function term(t: Term): JsonObject {
  switch (t.type) {
    case 'null':
      return { type: 'null' };
    case 'boolean':
    case 'string':
    case 'var':
      return { type: t.type, value: t.value };
    case 'number':
      return { type: 'number', value: Number(t.value) };
    case 'ref':
    case 'array':
    case 'set':
      return { type: t.type, value: t.value.map(term) };
    case 'object':
      return { type: 'object', value: t.value.map(([k, v]) => [term(k), term(v)]) };
    case 'call':
      return { type: 'call', value: [opTerm(t.op), ...t.args.map(term)] };
    case 'arraycomp':
      return { type: 'arraycomprehension', value: { term: term(t.term), body: body(t.body) } };
    case 'setcomp':
      return { type: 'setcomprehension', value: { term: term(t.term), body: body(t.body) } };
    default:
      return { type: 'objectcomprehension', value: { key: term(t.key), value: term(t.value), body: body(t.body) } };
  }
}

function expr(e: Expr, index: number): JsonObject {
  const out: JsonObject = { index };
  if (e.kind === 'term') {
    // A call expression lists operator and operands; any other term stands alone.
    out.terms = e.term.type === 'call' ? [opTerm(e.term.op), ...e.term.args.map(term)] : term(e.term);
  } else if (e.kind === 'some') out.terms = { type: 'some', value: e.vars.map(term) };
  else if (e.kind === 'somein') {
    const args = [...(e.key ? [term(e.key)] : []), term(e.value), term(e.domain)];
    out.terms = { type: 'some', value: [{ type: 'call', value: [{ type: 'ref', value: [{ type: 'var', value: 'internal' }, { type: 'string', value: `member_${args.length}` }] }, ...args] }] };
  } else {
    out.terms = { type: 'every', value: { ...(e.key ? { key: term(e.key) } : {}), value: term(e.value), domain: term(e.domain), body: body(e.body) } };
  }
  if (e.negated) out.negated = true;
  if (e.with.length > 0) out.with = e.with.map((w) => ({ target: term(w.target), value: term(w.value) }));
  return out;
}

function body(b: Expr[]): JsonObject[] {
  return b.length === 0 ? [{ index: 0, terms: { type: 'boolean', value: true } }] : b.map(expr);
}

function rule(r: Rule): JsonObject {
  const h = r.head;
  const first = h.ref[0];
  const head: JsonObject = { name: first && first.type === 'var' ? first.value : '', ref: h.ref.map(term) };
  if (h.args) head.args = h.args.map(term);
  if (h.key) head.key = term(h.key);
  head.value = h.value ? term(h.value) : { type: 'boolean', value: true };
  if (h.assign) head.assign = true;
  const out: JsonObject = { head, body: body(r.body) };
  if (r.default) out.default = true;
  if (r.else.length > 0) {
    // OPA nests else branches: each one is the `else` of the previous rule.
    let tail: JsonObject | undefined;
    for (const e of [...r.else].reverse()) {
      const branch: JsonObject = { head: { ...head, value: e.value ? term(e.value) : { type: 'boolean', value: true } }, body: body(e.body) };
      if (tail) branch.else = tail;
      tail = branch;
    }
    out.else = tail;
  }
  return out;
}

/** OPA's AST JSON for a parsed module. */
export function moduleJson(m: Module): JsonObject {
  const out: JsonObject = {
    package: { path: [{ type: 'var', value: 'data' }, ...m.package.map((p) => ({ type: 'string', value: p }))] },
  };
  if (m.imports.length > 0) out.imports = m.imports.map((i) => ({ path: term(i.path), ...(i.alias ? { alias: i.alias } : {}) }));
  if (m.rules.length > 0) out.rules = m.rules.map(rule);
  return out;
}

export function regoBuiltins(): Record<string, BuiltinFn> {
  return {
    'rego.parse_module': (file, text) => {
      const f = str(file, 1);
      const src = str(text, 2);
      let m: Module;
      try {
        m = parseModule(src, f);
      } catch (e) {
        throw builtinError((e as Error).message);
      }
      return moduleJson(m);
    },
  };
}
