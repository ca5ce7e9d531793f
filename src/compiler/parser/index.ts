/** Entry points of the parser: modules, queries and single terms. */
import { RegoError } from '../ast/errors.ts';
import type { Expr, Module, Term } from '../ast/types.ts';
import { Parser } from './parser.ts';

/** Parse one Rego module. Throws RegoError (rego_parse_error) with file:row:col. */
export function parseModule(source: string, file: string): Module {
  return guard(file, () => new Parser(source, file).parseModule());
}

/** Deep nesting exhausts the stack: report it as a parse error rather than crash. */
function guard<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RangeError && /call stack/.test(err.message)) throw new RegoError('rego_parse_error', 'input is nested too deeply', { file, row: 1, col: 1 });
    throw err;
  }
}

/** Parse a query: literals separated by `;` or newlines. */
export function parseQuery(text: string, file = '<query>'): Expr[] {
  const p = new Parser(text, file);
  const body = guard(file, () => p.parseQueryUntil(null));
  if (body.length === 0) throw new RegoError('rego_parse_error', 'empty query', { file, row: 1, col: 1 });
  return body;
}

/** Parse a single Rego term (set literals, `set()`, trailing commas allowed). */
export function parseTerm(text: string, file = '<term>'): Term {
  const p = new Parser(text, file);
  const t = guard(file, () => p.parseTerm());
  if (!p.atEnd()) throw new RegoError('rego_parse_error', 'unexpected trailing input after term', { file, row: 1, col: 1 });
  return t;
}
