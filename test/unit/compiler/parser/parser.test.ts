import { describe, expect, it } from 'vitest';
import { parseModule, parseQuery, parseTerm, RegoError } from '../../../../src/compiler/index.ts';
import type { Expr, Term } from '../../../../src/compiler/index.ts';

/** A compact, location-free rendering of terms, so tests read like Rego. */
function show(t: Term): string {
  switch (t.type) {
    case 'null': return 'null';
    case 'boolean': return String(t.value);
    case 'number': return t.value;
    case 'string': return JSON.stringify(t.value);
    case 'var': return t.value;
    case 'ref': return show(t.value[0]!) + t.value.slice(1).map((s) => `[${show(s)}]`).join('');
    case 'array': return `[${t.value.map(show).join(', ')}]`;
    case 'set': return `set(${t.value.map(show).join(', ')})`;
    case 'object': return `{${t.value.map(([k, v]) => `${show(k)}: ${show(v)}`).join(', ')}}`;
    case 'call': return `${opText(t.op)}(${t.args.map(show).join(', ')})`;
    case 'arraycomp': return `[${show(t.term)} | ${t.body.map(showExpr).join('; ')}]`;
    case 'setcomp': return `{${show(t.term)} | ${t.body.map(showExpr).join('; ')}}`;
    case 'objectcomp': return `{${show(t.key)}: ${show(t.value)} | ${t.body.map(showExpr).join('; ')}}`;
  }
}
function opText(op: Term): string {
  if (op.type === 'ref' && op.value.slice(1).every((s) => s.type === 'string')) {
    return [show(op.value[0]!), ...op.value.slice(1).map((s) => (s as { value: string }).value)].join('.');
  }
  return show(op);
}
function showExpr(e: Expr): string {
  const neg = e.negated ? 'not ' : '';
  const w = e.with.map((x) => ` with ${show(x.target)} as ${show(x.value)}`).join('');
  switch (e.kind) {
    case 'term': return neg + show(e.term) + w;
    case 'some': return `some ${e.vars.map(show).join(', ')}`;
    case 'somein': return `some ${e.key ? show(e.key) + ', ' : ''}${show(e.value)} in ${show(e.domain)}`;
    case 'every': return `every ${e.key ? show(e.key) + ', ' : ''}${show(e.value)} in ${show(e.domain)} { ${e.body.map(showExpr).join('; ')} }`;
  }
}
const q = (text: string) => parseQuery(text).map(showExpr);

describe('parser: expressions', () => {
  it('follows OPA precedence: in < comparisons < | < & < + - < * / %', () => {
    expect(q('x := 1 + 2 * 3 - 4')).toEqual(['assign(x, minus(plus(1, mul(2, 3)), 4))']);
    expect(q('a | b & c == d')).toEqual(['equal(or(a, and(b, c)), d)']);
    expect(q('1 + 1 in [2]')).toEqual(['internal.member_2(plus(1, 1), [2])']);
    expect(q('x == 1 in y')).toEqual(['internal.member_2(equal(x, 1), y)']);
  });

  it('parses key-value membership at expression level and in parentheses, not in lists', () => {
    expect(q('1, 2 in [2] in [false, true]')).toEqual(['internal.member_2(internal.member_3(1, 2, [2]), [false, true])']);
    expect(q('x := [(1, 1 in [2])]')).toEqual(['assign(x, [internal.member_3(1, 1, [2])])']);
    expect(q('x := [1, 1 in [2]]')).toEqual(['assign(x, [1, internal.member_2(1, [2])])']);
  });

  it('tells refs from a new expression by adjacency', () => {
    expect(q('x := y\n[a, b] = z')).toEqual(['assign(x, y)', 'eq([a, b], z)']);
    expect(q('input.a[x].b["c"]')).toEqual(['input["a"][x]["b"]["c"]']);
    expect(q('f(x)[0].y')).toEqual(['f(x)[0]["y"]']);
  });

  it('continues expressions across newlines inside brackets', () => {
    expect(q('x := [1,\n  2,\n]\ncount(x,\n n)')).toEqual(['assign(x, [1, 2])', 'count(x, n)']);
  });

  it('parses comprehensions, distinguishing them from the | operator', () => {
    expect(q('[x | x := a[_]]')).toEqual(['[x | assign(x, a[_])]']);
    expect(q('{k: v | some k, v in o}')).toEqual(['{k: v | some k, v in o}']);
    expect(q('{x | x = 1; y = 2}')).toEqual(['{x | eq(x, 1); eq(y, 2)}']);
    expect(q('z := (a | b)')).toEqual(['assign(z, or(a, b))']);
  });

  it('parses set(), unary minus, some/every/not/with', () => {
    expect(q('x := set(); y := -1; z := -a')).toEqual(['assign(x, set())', 'assign(y, -1)', 'assign(z, minus(0, a))']);
    expect(q('some x, y')).toEqual(['some x, y']);
    expect(q('every k, v in xs { v > k }')).toEqual(['every k, v in xs { gt(v, k) }']);
    expect(q('not p with input.x as 1 with data.y as {"a": 1}')).toEqual(['not p with input["x"] as 1 with data["y"] as {"a": 1}']);
  });

  it('accepts keywords as names where OPA does', () => {
    expect(q('contains("abc", "b")')).toEqual(['contains("abc", "b")']);
    expect(q('x := input.if.not')).toEqual(['assign(x, input["if"]["not"])']);
  });

  it('turns template strings into internal.template_string over set comprehensions', () => {
    const [e] = q('x := $"a{y}b"');
    expect(e).toMatch(/^assign\(x, internal\.template_string\(\["a", \{(__tmpl\d+__) \| eq\(\1, y\)\}, "b"\]\)\)$/);
  });
});

describe('parser: modules', () => {
  it('parses rule kinds, ref heads, functions, else chains and defaults', () => {
    const mod = parseModule(`package a.b
import rego.v1
import data.lib.x as y

default allow := false
allow if input.user == "alice"
p contains x if some x in input.xs
q[k] := v if some k, v in input.o
r.s.t := 1
f(x) := y if { y := x + 1 } else := 0
g(_) if true
`, 'm.rego');
    expect(mod.package).toEqual(['a', 'b']);
    expect(mod.imports.map((i) => [show(i.path), i.alias])).toEqual([['rego["v1"]', undefined], ['data["lib"]["x"]', 'y']]);
    const heads = mod.rules.map((r) => ({
      ref: r.head.ref.map(show).join('.'), args: r.head.args?.map(show), key: r.head.key && show(r.head.key),
      value: r.head.value && show(r.head.value), def: r.default, elses: r.else.length,
    }));
    expect(heads).toEqual([
      { ref: 'allow', args: undefined, key: undefined, value: 'false', def: true, elses: 0 },
      { ref: 'allow', args: undefined, key: undefined, value: undefined, def: false, elses: 0 },
      { ref: 'p', args: undefined, key: 'x', value: undefined, def: false, elses: 0 },
      { ref: 'q.k', args: undefined, key: undefined, value: 'v', def: false, elses: 0 },
      { ref: 'r."s"."t"', args: undefined, key: undefined, value: '1', def: false, elses: 0 },
      { ref: 'f', args: ['x'], key: undefined, value: 'y', def: false, elses: 1 },
      { ref: 'g', args: ['_'], key: undefined, value: undefined, def: false, elses: 0 },
    ]);
  });

  it('reads # METADATA blocks and normalises authors', () => {
    const mod = parseModule(`# METADATA
# description: pkg
package p

# METADATA
# title: Rule
# authors:
# - Jane Doe <jane@example.com>
r := 1
`, 'm.rego');
    expect(mod.annotations).toEqual([{ description: 'pkg', scope: 'package' }]);
    expect(mod.rules[0]?.annotations).toEqual([{ title: 'Rule', authors: [{ name: 'Jane Doe', email: 'jane@example.com' }] }]);
  });

  it('locates nodes by file, row and column', () => {
    const mod = parseModule('package p\n\nallow if {\n\tinput.x == 1\n}\n', 'src/p.rego');
    expect(mod.rules[0]?.loc).toEqual({ file: 'src/p.rego', row: 3, col: 1 });
    expect(mod.rules[0]?.body[0]?.loc).toEqual({ file: 'src/p.rego', row: 4, col: 2 });
  });

  it('reports parse errors with file:row:col and rego_parse_error', () => {
    const cases: [string, RegExp][] = [
      ['package p\np if {\n  x := [1,\n}\n', /^m\.rego:4:1: rego_parse_error: /],
      ['p := 1\n', /^m\.rego:1:1: rego_parse_error: unexpected ident token: expected package/],
      ['package p\np if {}\n', /^m\.rego:2:7: rego_parse_error: found empty body/],
      ['package p\np if { x y }\n', /^m\.rego:2:10: rego_parse_error: /],
    ];
    for (const [src, re] of cases) {
      let caught: unknown;
      try { parseModule(src, 'm.rego'); } catch (err) { caught = err; }
      expect(caught, src).toBeInstanceOf(RegoError);
      expect((caught as RegoError).code).toBe('rego_parse_error');
      expect((caught as RegoError).message).toMatch(re);
    }
  });
});

describe('parseTerm', () => {
  it('parses Rego-only input terms: sets, set(), trailing commas', () => {
    expect(show(parseTerm('{1, 2, {"a": [3,],},}'))).toBe('set(1, 2, {"a": [3]})');
    expect(show(parseTerm('set()'))).toBe('set()');
    expect(show(parseTerm('{"k": -1.5e3}'))).toBe('{"k": -1.5e3}');
  });
  it('rejects trailing input', () => {
    expect(() => parseTerm('1 2')).toThrow(RegoError);
  });
});
