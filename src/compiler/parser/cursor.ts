/**
 * The token cursor both parsers stand on: the lexed tokens, the position in them, and the
 * small look/consume/fail steps (keywords used as names, parse errors at a token).
 */
import { RegoError } from '../ast/errors.ts';
import { lex, type Token } from '../lexer/lexer.ts';

export const KEYWORDS = new Set(['package', 'import', 'default', 'else', 'not', 'with', 'as', 'some', 'in', 'every', 'if', 'contains']);

export function describe(t: Token): string {
  if (t.kind === 'eof') return 'eof token';
  if (t.kind === 'ident') return KEYWORDS.has(t.text) ? `${t.text} keyword` : `ident token`;
  if (t.kind === 'punct') return `${t.text} token`;
  return `${t.kind} token`;
}

export class TokenCursor {
  protected toks: Token[];
  protected pos = 0;
  protected readonly file: string;

  constructor(src: string, file: string, rowBase = 1, colBase = 1) {
    this.file = file;
    this.toks = lex(src, file, rowBase, colBase);
  }

  protected get t(): Token {
    return this.toks[this.pos]!;
  }
  protected peek(k = 1): Token {
    return this.toks[Math.min(this.pos + k, this.toks.length - 1)]!;
  }
  protected next(): Token {
    const t = this.t;
    if (t.kind !== 'eof') this.pos++;
    return t;
  }
  protected is(text: string): boolean {
    const t = this.t;
    return (t.kind === 'punct' || t.kind === 'ident') && t.text === text;
  }
  /** A keyword used as a keyword, not as a name (`not.x`, `else.y := 1`). */
  protected isKw(text: string): boolean {
    if (!this.is(text)) return false;
    const n = this.peek();
    return !(n.kind === 'punct' && !n.ws && (n.text === '.' || n.text === '[' || n.text === '('));
  }
  protected fail(msg: string, t: Token = this.t): never {
    throw new RegoError('rego_parse_error', msg, t.loc);
  }
  protected expect(text: string): Token {
    if (!this.is(text)) this.fail(`unexpected ${describe(this.t)}: expected ${text}`);
    return this.next();
  }
  atEnd(): boolean {
    return this.t.kind === 'eof';
  }
}
