/**
 * Rego expressions and bodies: tokens → AST terms and literals. Recursive descent
 * with OPA's operator precedence (lowest first): `=`/`:=`, `in`, comparisons, `|`,
 * `&`, `+ -`, `* / %`. Ref segments and call parentheses must touch what precedes
 * them (`a[x]`, `f(x)`), as in OPA, so a body line starting with `[` is a new expression.
 */
import type { Expr, Location, Term, TermOf, With } from '../ast/types.ts';
import type { TemplatePart, Token } from '../lexer/lexer.ts';
import { describe, KEYWORDS, TokenCursor } from './cursor.ts';
import { call, nameRef, trueExpr } from './terms.ts';

const RELATIONS: Record<string, string> = { '==': 'equal', '!=': 'neq', '<': 'lt', '<=': 'lte', '>': 'gt', '>=': 'gte' };

export class ExprParser extends TokenCursor {
  /** Depth of `(`…`)` nesting; newlines do not end expressions inside parentheses. */
  protected paren = 0;
  protected tmpl = 0;

  protected parseBraceBody(): Expr[] {
    this.expect('{');
    const saved = this.paren;
    this.paren = 0;
    const body = this.parseQueryUntil('}');
    this.paren = saved;
    this.expect('}');
    if (body.length === 0) this.fail('found empty body', this.toks[this.pos - 1]);
    return body;
  }

  /** Literals separated by `;` or newlines until `end` (not consumed). */
  parseQueryUntil(end: string | null): Expr[] {
    const out: Expr[] = [];
    for (;;) {
      while (this.is(';')) this.next();
      if (end === null ? this.atEnd() : this.is(end)) return out;
      if (this.atEnd()) this.fail(`unexpected eof token: expected ${end}`);
      out.push(this.parseLiteral());
      if (end === null ? this.atEnd() : this.is(end)) return out;
      if (this.is(';')) continue;
      if (!this.t.nl) this.fail(`unexpected ${describe(this.t)} token: expected \\n or ; or ${end ?? 'eof'}`);
    }
  }

  parseLiteral(): Expr {
    const start = this.t;
    let negated = false;
    if (this.isKw('some')) return this.withMods(this.parseSome());
    if (this.isKw('every')) return this.withMods(this.parseEvery());
    if (this.isKw('not')) { this.next(); negated = true; }
    const term = this.parseExprTerm();
    const e: Expr = { kind: 'term', term, negated, with: [], loc: start.loc };
    return this.withMods(e);
  }

  protected withMods(e: Expr): Expr {
    while (this.isKw('with')) {
      const w = this.next();
      const target = this.parseOperand();
      this.expect('as');
      const value = this.parseTermNoAssign();
      e.with.push({ target, value, loc: w.loc } satisfies With);
    }
    return e;
  }

  protected parseSome(): Expr {
    const start = this.next();
    const first = this.parseTermRelation();
    if (this.is(',') || this.is('in')) {
      let key: Term | undefined;
      let value = first;
      if (this.is(',')) {
        const saved = this.pos;
        this.next();
        const second = this.parseTermRelation();
        if (this.is('in')) { key = first; value = second; }
        else {
          // `some a, b, c` declaration list.
          this.pos = saved;
          return this.parseSomeDecl(first, start);
        }
      }
      if (this.is('in')) {
        this.next();
        const domain = this.parseTermRelation();
        return { kind: 'somein', key, value, domain, negated: false, with: [], loc: start.loc };
      }
    }
    return this.parseSomeDecl(first, start);
  }

  protected parseSomeDecl(first: Term, start: Token): Expr {
    const vars: TermOf<'var'>[] = [];
    const add = (t: Term): void => {
      if (t.type !== 'var') this.fail('expected var in some declaration', start);
      vars.push(t);
    };
    add(first);
    while (this.is(',')) { this.next(); add(this.parseOperand()); }
    return { kind: 'some', vars, negated: false, with: [], loc: start.loc };
  }

  protected parseEvery(): Expr {
    const start = this.next();
    let key: Term | undefined;
    let value = this.parseOperand();
    if (this.is(',')) { this.next(); key = value; value = this.parseOperand(); }
    this.expect('in');
    const domain = this.parseTermRelation();
    const body = this.parseBraceBody();
    return { kind: 'every', key, value, domain, body, negated: false, with: [], loc: start.loc };
  }

  // ---- terms ----

  /** An expression term: handles `=`, `:=` and `k, v in xs` at the top. */
  parseExprTerm(): Term {
    const lhs = this.parseTermIn(true);
    if ((this.is('=') || this.is(':=')) && !this.t.nl) {
      const op = this.next();
      const rhs = this.parseTermIn();
      return call(op.text === ':=' ? 'assign' : 'eq', [lhs, rhs], op.loc);
    }
    return lhs;
  }

  /** A term, including infix calls but not `=`/`:=`. */
  parseTerm(): Term {
    return this.parseTermIn();
  }
  protected parseTermNoAssign(): Term {
    return this.parseTermIn();
  }

  protected canContinue(): boolean {
    return !this.t.nl || this.paren > 0;
  }

  /** `keyVal`: allow `k, v in xs` (internal.member_3) here: at expression level and in parentheses. */
  protected parseTermIn(keyVal = false): Term {
    let lhs = this.parseTermRelation();
    if (keyVal && this.is(',')) {
      const saved = this.pos;
      this.next();
      const v = this.parseTermRelation();
      if (this.is('in')) {
        const op = this.next();
        lhs = call('internal.member_3', [lhs, v, this.parseTermRelation()], op.loc);
      } else this.pos = saved;
    }
    while (this.is('in') && this.canContinue()) {
      const op = this.next();
      const rhs = this.parseTermRelation();
      lhs = call('internal.member_2', [lhs, rhs], op.loc);
    }
    return lhs;
  }

  protected parseTermRelation(): Term {
    let lhs = this.parseTermOr();
    for (;;) {
      const t = this.t;
      const name = t.kind === 'punct' ? RELATIONS[t.text] : undefined;
      if (!name || !this.canContinue()) return lhs;
      this.next();
      lhs = call(name, [lhs, this.parseTermOr()], t.loc);
    }
  }

  protected noOr = 0;
  protected parseTermOr(): Term {
    let lhs = this.parseTermAnd();
    while (this.is('|') && this.noOr === 0 && this.canContinue()) {
      const t = this.next();
      lhs = call('or', [lhs, this.parseTermAnd()], t.loc);
    }
    return lhs;
  }
  protected parseTermAnd(): Term {
    let lhs = this.parseTermArith();
    while (this.is('&') && this.canContinue()) {
      const t = this.next();
      lhs = call('and', [lhs, this.parseTermArith()], t.loc);
    }
    return lhs;
  }
  protected parseTermArith(): Term {
    let lhs = this.parseTermFactor();
    while ((this.is('+') || this.is('-')) && this.canContinue()) {
      const t = this.next();
      lhs = call(t.text === '+' ? 'plus' : 'minus', [lhs, this.parseTermFactor()], t.loc);
    }
    return lhs;
  }
  protected parseTermFactor(): Term {
    let lhs = this.parseOperand();
    while ((this.is('*') || this.is('/') || this.is('%')) && this.canContinue()) {
      const t = this.next();
      lhs = call(t.text === '*' ? 'mul' : t.text === '/' ? 'div' : 'rem', [lhs, this.parseOperand()], t.loc);
    }
    return lhs;
  }

  /** A single operand with its ref/call suffixes. */
  parseOperand(): Term {
    let term = this.parsePrimary();
    for (;;) {
      const t = this.t;
      if (t.ws || t.kind !== 'punct') return term;
      if (t.text === '.') {
        this.next();
        const id = this.next();
        if (id.kind !== 'ident') this.fail(`unexpected ${describe(id)}: expected identifier after '.'`, id);
        term = appendRef(term, { type: 'string', value: id.text, loc: id.loc });
      } else if (t.text === '[') {
        this.next();
        this.paren++;
        const key = this.parseTermIn();
        this.paren--;
        this.expect(']');
        term = appendRef(term, key);
      } else if (t.text === '(') {
        if (term.type !== 'var' && term.type !== 'ref') return term;
        this.next();
        this.paren++;
        const args: Term[] = [];
        while (!this.is(')')) {
          args.push(this.parseTermIn());
          if (!this.is(',')) break;
          this.next();
        }
        this.paren--;
        this.expect(')');
        if (term.type === 'var' && term.value === 'set' && args.length === 0) term = { type: 'set', value: [], loc: term.loc };
        else term = { type: 'call', op: term, args, loc: term.loc };
      } else return term;
    }
  }

  protected parsePrimary(): Term {
    const t = this.next();
    const loc = t.loc;
    switch (t.kind) {
      case 'number': return { type: 'number', value: t.text, loc };
      case 'string': case 'rawstring': return { type: 'string', value: t.text, loc };
      case 'template': return this.templateTerm(t);
      case 'ident':
        if ((KEYWORDS.has(t.text) || t.text === 'true' || t.text === 'false' || t.text === 'null') && !this.t.ws && this.t.kind === 'punct' && (this.t.text === '.' || this.t.text === '(' || this.t.text === '[')) {
          // Keywords used as names: `as.foo := 1`, `contains(s, t)`.
          return { type: 'var', value: t.text, loc };
        }
        if (t.text === 'true' || t.text === 'false') return { type: 'boolean', value: t.text === 'true', loc };
        if (t.text === 'null') return { type: 'null', loc };
        if (KEYWORDS.has(t.text)) this.fail(`unexpected ${t.text} keyword`, t);
        return { type: 'var', value: t.text, loc };
      case 'punct':
        break;
      default:
        this.fail(`unexpected ${describe(t)}`, t);
    }
    switch (t.text) {
      case '-': {
        const n = this.t;
        if (n.kind === 'number' && !n.ws) { this.next(); return { type: 'number', value: '-' + n.text, loc }; }
        const operand = this.parseOperand();
        return call('minus', [{ type: 'number', value: '0', loc }, operand], loc);
      }
      case '(': {
        this.paren++;
        const inner = this.parseExprTerm();
        this.paren--;
        this.expect(')');
        return inner;
      }
      case '[': return this.parseArray(loc);
      case '{': return this.parseBrace(loc);
      default:
        return this.fail(`unexpected ${describe(t)}`, t);
    }
  }

  protected parseArray(loc: Location): Term {
    this.paren++;
    if (this.is(']')) { this.next(); this.paren--; return { type: 'array', value: [], loc }; }
    this.noOr++;
    const first = this.parseTermIn();
    this.noOr--;
    if (this.is('|')) {
      this.next();
      const body = this.compBody(']');
      this.paren--;
      return { type: 'arraycomp', term: first, body, loc };
    }
    const items = [first, ...this.listRest(']')];
    this.paren--;
    return { type: 'array', value: items, loc };
  }

  protected parseBrace(loc: Location): Term {
    this.paren++;
    if (this.is('}')) { this.next(); this.paren--; return { type: 'object', value: [], loc }; }
    this.noOr++;
    const first = this.parseTermIn();
    if (this.is(':')) {
      this.next();
      const v = this.parseTermIn();
      this.noOr--;
      if (this.is('|')) {
        this.next();
        const body = this.compBody('}');
        this.paren--;
        return { type: 'objectcomp', key: first, value: v, body, loc };
      }
      const pairs: [Term, Term][] = [[first, v]];
      while (this.is(',')) {
        this.next();
        if (this.is('}')) break;
        const k = this.parseTermIn();
        this.expect(':');
        pairs.push([k, this.parseTermIn()]);
      }
      this.expect('}');
      this.paren--;
      return { type: 'object', value: pairs, loc };
    }
    this.noOr--;
    if (this.is('|')) {
      this.next();
      const body = this.compBody('}');
      this.paren--;
      return { type: 'setcomp', term: first, body, loc };
    }
    const items = [first, ...this.listRest('}')];
    this.paren--;
    return { type: 'set', value: items, loc };
  }

  protected listRest(end: string): Term[] {
    const items: Term[] = [];
    while (this.is(',')) {
      this.next();
      if (this.is(end)) break;
      items.push(this.parseTermIn());
    }
    this.expect(end);
    return items;
  }

  protected compBody(end: string): Expr[] {
    const saved = this.paren;
    this.paren = 0;
    const body = this.parseQueryUntil(end);
    this.paren = saved;
    this.expect(end);
    if (body.length === 0) this.fail('found empty body');
    return body;
  }

  /** `$"a{x}b"` → internal.template_string(["a", {__tmplN | __tmplN = x}, "b"]). */
  protected templateTerm(t: Token): Term {
    const items: Term[] = [];
    const parts = t.parts as TemplatePart[];
    for (const p of parts) {
      if ('lit' in p) {
        if (p.lit !== '' || parts.length === 1) items.push({ type: 'string', value: p.lit, loc: t.loc });
        continue;
      }
      const sub = new ExprParser(p.expr, this.file, p.row, p.col);
      sub.tmpl = this.tmpl + 1;
      const inner = sub.parseLiteral();
      if (!sub.atEnd()) sub.fail('unexpected token in template expression');
      const v: Term = { type: 'var', value: `__tmpl${templateCounter++}__`, loc: inner.loc };
      const eq: Expr = { kind: 'term', term: call('eq', [v, (inner as { term: Term }).term], inner.loc), negated: false, with: inner.with, loc: inner.loc };
      items.push({ type: 'setcomp', term: v, body: [eq], loc: inner.loc });
    }
    return call('internal.template_string', [{ type: 'array', value: items, loc: t.loc }], t.loc);
  }
}

let templateCounter = 0;

function appendRef(term: Term, seg: Term): Term {
  if (term.type === 'ref') return { type: 'ref', value: [...term.value, seg], loc: term.loc };
  return { type: 'ref', value: [term, seg], loc: term.loc };
}
