/** Entry points of the parser: modules, queries and single terms. */
import { RegoError } from '../ast/errors.ts';
import type { Expr, Module, Term } from '../ast/types.ts';
import { Parser } from './parser.ts';

/** Parse one Rego module. Throws RegoError (rego_parse_error) with file:row:col. */
export function parseModule(source: string, file: string): Module {
  return new Parser(source, file).parseModule();
}

/** Parse a query: literals separated by `;` or newlines. */
export function parseQuery(text: string, file = '<query>'): Expr[] {
  const p = new Parser(text, file);
  const body = p.parseQueryUntil(null);
  if (body.length === 0) throw new RegoError('rego_parse_error', 'empty query', { file, row: 1, col: 1 });
  return body;
}

/** Parse a single Rego term (set literals, `set()`, trailing commas allowed). */
export function parseTerm(text: string, file = '<term>'): Term {
  const p = new Parser(text, file);
  const t = p.parseTerm();
  if (!p.atEnd()) throw new RegoError('rego_parse_error', 'unexpected trailing input after term', { file, row: 1, col: 1 });
  return t;
}
