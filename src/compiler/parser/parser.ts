/**
 * Rego v1 modules: package, imports and rules (heads, bodies, else chains,
 * defaults, `# METADATA`). Expressions are parsed by ExprParser.
 */
import type { Expr, Import, Module, Rule, RuleHead, Term } from '../ast/types.ts';
import type { Token } from '../lexer/lexer.ts';
import { describe, KEYWORDS } from './cursor.ts';
import { ExprParser } from './expr.ts';
import { trueExpr } from './terms.ts';
import { parseMetadata } from './metadata.ts';


export class Parser extends ExprParser {

  parseModule(): Module {
    const pkgTok = this.t;
    const pkgAnn = this.annotationsOf(pkgTok);
    if (!this.is('package')) this.fail(`unexpected ${describe(this.t)}: expected package`);
    this.next();
    const pkgRef = this.parseOperand();
    const pkg = refToPath(pkgRef, (m) => this.fail(m, pkgTok));
    const mod: Module = { file: this.file, package: pkg, packageLoc: pkgTok.loc, imports: [], rules: [], annotations: [] };
    for (const a of pkgAnn) if (a.scope === 'rule' || a.scope === undefined) a.scope = 'package', mod.annotations.push(a); else mod.annotations.push(a);
    while (!this.atEnd()) {
      if (this.isKw('import')) { mod.imports.push(this.parseImport()); continue; }
      const ann = this.annotationsOf(this.t);
      for (const a of ann) if (a.scope === 'package' || a.scope === 'subpackages') mod.annotations.push(a);
      const rules = this.parseRule(ann.filter((a) => a.scope !== 'package' && a.scope !== 'subpackages'));
      mod.rules.push(...rules);
    }
    return mod;
  }

  protected annotationsOf(t: Token): Record<string, unknown>[] {
    if (!t.comments) return [];
    return parseMetadata(t.comments, this.file, t.loc);
  }

  protected parseImport(): Import {
    const start = this.next();
    const path = this.parseOperand();
    if (path.type !== 'ref' && path.type !== 'var') this.fail('import path must be a reference', start);
    let alias: string | undefined;
    if (this.is('as')) { this.next(); const a = this.next(); if (a.kind !== 'ident') this.fail('import alias must be a variable', a); alias = a.text; }
    return { path, alias, loc: start.loc };
  }

  protected parseRule(annotations: Record<string, unknown>[]): Rule[] {
    const start = this.t;
    let isDefault = false;
    if (this.isKw('default')) { this.next(); isDefault = true; }
    const headTerm = this.parseOperand();
    const head: RuleHead = { ref: [], args: undefined, key: undefined, value: undefined, assign: false, loc: start.loc };
    if (headTerm.type === 'call') {
      head.ref = refParts(headTerm.op, (m) => this.fail(m, start));
      head.args = headTerm.args;
    } else if (headTerm.type === 'var' || headTerm.type === 'ref') {
      head.ref = refParts(headTerm, (m) => this.fail(m, start));
    } else this.fail(`unexpected ${headTerm.type} term, expected rule head`, start);
    const name = head.ref[0];
    if (name?.type !== 'var' || (KEYWORDS.has(name.value) && head.ref.length === 1 && !head.args)) this.fail('rule head must start with a variable', start);
    if (this.is('contains')) { this.next(); head.key = this.parseTerm(); }
    if (this.is('=') || this.is(':=')) {
      head.assign = this.next().text === ':=';
      head.value = this.parseTerm();
    }
    const rule: Rule = { default: isDefault, head, body: [], else: [], annotations, loc: start.loc };
    if (isDefault) {
      if (!head.value) this.fail('default rules must have a value', start);
      rule.body = [trueExpr(start.loc)];
      return [rule];
    }
    rule.body = this.parseRuleBody() ?? [trueExpr(start.loc)];
    while (this.isKw('else')) {
      const e = this.next();
      let value: Term | undefined;
      if (this.is('=') || this.is(':=')) { this.next(); value = this.parseTerm(); }
      const body = this.parseRuleBody() ?? [trueExpr(e.loc)];
      rule.else.push({ value, body, loc: e.loc });
    }
    return [rule];
  }

  /** `if { … }`, `if expr`, `{ … }`, or nothing (undefined). */
  protected parseRuleBody(): Expr[] | undefined {
    if (this.isKw('if')) {
      this.next();
      if (this.is('{') && !this.braceIsTerm()) return this.parseBraceBody();
      return [this.parseLiteral()];
    }
    if (this.is('{') && !this.t.nl) return this.parseBraceBody();
    return undefined;
  }

  /** After `if`, `{` opens a body unless it is an object/set literal used as the expression. */
  protected braceIsTerm(): boolean {
    // Look for the matching '}' and see whether an operator follows on the same line.
    let depth = 0;
    for (let k = this.pos; k < this.toks.length; k++) {
      const t = this.toks[k]!;
      if (depth === 1 && t.kind === 'punct' && t.text === ':') return true;
      if (t.kind === 'punct' && (t.text === '{' || t.text === '[' || t.text === '(')) depth++;
      else if (t.kind === 'punct' && (t.text === '}' || t.text === ']' || t.text === ')')) {
        depth--;
        if (depth === 0) {
          const nx = this.toks[k + 1]!;
          return !nx.nl && nx.kind === 'punct' && ['==', '!=', '=', '<', '>', '<=', '>=', '|', '&', '+', '-', '*', '/', '%', '.', '['].includes(nx.text);
        }
      } else if (t.kind === 'eof') return false;
    }
    return false;
  }

}


function refParts(t: Term, fail: (m: string) => never): Term[] {
  if (t.type === 'var') return [t];
  if (t.type === 'ref') return t.value;
  return fail('expected reference');
}

/** `a.b["c"]` → ["a", "b", "c"]; fails on non-string segments. */
function refToPath(t: Term, fail: (m: string) => never): string[] {
  const parts = refParts(t, fail);
  return parts.map((p, i) => {
    if (i === 0 && p.type === 'var') return p.value;
    if (p.type === 'string') return p.value;
    return fail('package path must contain only string segments');
  });
}
