import { describe, expect, it } from 'vitest';
import { lex } from '../../../../src/compiler/lexer/lexer.ts';
import { RegoError } from '../../../../src/compiler/ast/errors.ts';

const kinds = (src: string) => lex(src, 'a.rego').map((t) => `${t.kind}:${t.text}`);

describe('lexer', () => {
  it('decodes string escapes including \\u and surrogate pairs', () => {
    const [t] = lex('"a\\tb\\"c\\u00e9\\ud83d\\ude00\\/"', 'a.rego');
    expect(t?.kind).toBe('string');
    expect(t?.text).toBe('a\tb"cé😀/');
  });

  it('keeps raw strings verbatim across lines and tracks rows after them', () => {
    const toks = lex('x := `a\\n\nb`\ny', 'a.rego');
    expect(toks[2]).toMatchObject({ kind: 'rawstring', text: 'a\\n\nb' });
    expect(toks[3]).toMatchObject({ kind: 'ident', text: 'y', nl: true, loc: { row: 3, col: 1 } });
  });

  it('keeps big and fractional numbers as source text', () => {
    expect(kinds('123456789123456789123 1.5e-3 0.25')).toEqual(['number:123456789123456789123', 'number:1.5e-3', 'number:0.25', 'eof:']);
  });

  it('recognises two-character operators before one-character ones', () => {
    expect(kinds('a:=b==c!=d<=e>=f')).toEqual([
      'ident:a', 'punct::=', 'ident:b', 'punct:==', 'ident:c', 'punct:!=', 'ident:d', 'punct:<=', 'ident:e', 'punct:>=', 'ident:f', 'eof:',
    ]);
  });

  it('records whether whitespace or a newline preceded each token', () => {
    const [a, dot, b, br, c] = lex('a.b [c', 'a.rego');
    expect([a?.ws, dot?.ws, b?.ws, br?.ws, c?.ws]).toEqual([true, false, false, true, false]);
  });

  it('splits template strings into literal and expression parts, with \\{ as a literal brace', () => {
    const [t] = lex('$"a{x + 1}b\\{c}"', 'a.rego');
    expect(t?.kind).toBe('template');
    expect(t?.parts).toEqual([{ lit: 'a' }, { expr: 'x + 1', row: 1, col: 5 }, { lit: 'b{c}' }]);
  });

  it('attaches comments to the next token (for METADATA)', () => {
    const toks = lex('# METADATA\n# title: x\np := 1', 'a.rego');
    expect(toks[0]?.comments?.map((c) => c.text)).toEqual([' METADATA', ' title: x']);
  });

  it('fails with a located rego_parse_error on an unterminated string', () => {
    try {
      lex('x := 1\ny := "abc', 'f.rego');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(RegoError);
      expect((err as RegoError).message).toBe('f.rego:2:6: rego_parse_error: non-terminated string');
    }
  });

  it('rejects characters that are not Rego', () => {
    expect(() => lex('x := 1 @ 2', 'f.rego')).toThrow(/f\.rego:1:8: rego_parse_error/);
  });
});
