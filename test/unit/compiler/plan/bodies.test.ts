import { beforeAll, describe, expect, it } from 'vitest';
import { evalQuery, valueOf, warmUp } from './evaluate.ts';

beforeAll(warmUp, 180_000);

describe('planner: bodies (end to end through opa-wasm)', () => {
  it('unifies arrays and objects in both directions', async () => {
    expect(await evalQuery([], '[a, b] = [1, 2]')).toEqual([{ a: 1, b: 2 }]);
    expect(await evalQuery([], '[1, x] = [y, 2]')).toEqual([{ x: 2, y: 1 }]);
    expect(await evalQuery([], '{"a": x, "b": [y, _]} = {"a": 1, "b": [2, 3]}')).toEqual([{ x: 1, y: 2 }]);
    expect(await evalQuery([], '[x, 2] = [1, 3]')).toEqual([]);
  });

  it('iterates refs with unbound keys and joins on shared variables', async () => {
    const data = { users: { a: { team: 't1' }, b: { team: 't2' } }, teams: { t1: 'red', t2: 'blue' } };
    const rows = await evalQuery([], 'data.users[u].team = t; data.teams[t] = colour', { data });
    expect(rows).toHaveLength(2);
    expect(rows).toContainEqual({ u: 'a', t: 't1', colour: 'red' });
    expect(rows).toContainEqual({ u: 'b', t: 't2', colour: 'blue' });
  });

  it('a bound variable key into data picks the matching rule or falls back to base data', async () => {
    const mod = 'package a\np := 1\nq := 2\n';
    for (const [k, want] of [['p', [{ y: 2 }]], ['q', [{ y: 3 }]], ['r', [{ y: 11 }]], ['s', []]] as const) {
      expect(await evalQuery(mod, 'k := input.k; y = data.a[k] + 1', { input: { k }, data: { a: { r: 10 } } })).toEqual(want);
    }
  });

  it('reorders a body so vars are bound before use', async () => {
    const mod = 'package t\np := y if {\n  y := x * 2\n  x := input.n\n}\n';
    expect(await valueOf(mod, 'data.t.p', { input: { n: 21 } })).toBe(42);
  });

  it('comprehensions, some-in, every and negation', async () => {
    const mod = `package t
evens := [x | some x in input.xs; x % 2 == 0]
idx := {k: v | some k, v in input.xs; v > 2}
all_pos if every x in input.xs { x > 0 }
none_big if not big
big if { some x in input.xs; x > 100 }
`;
    const input = { xs: [1, 2, 3, 4] };
    expect(await valueOf(mod, 'data.t.evens', { input })).toEqual([2, 4]);
    expect(await valueOf(mod, 'data.t.idx', { input })).toEqual({ 2: 3, 3: 4 });
    expect(await valueOf(mod, 'data.t.all_pos', { input })).toBe(true);
    expect(await valueOf(mod, 'data.t.all_pos', { input: { xs: [1, -1] } })).toBeUndefined();
    expect(await valueOf(mod, 'data.t.none_big', { input })).toBe(true);
  });

  it('negation over iteration means no element matches', async () => {
    const mod = 'package t\nno_one if not input.xs[_] == 1\nno_admin if not input.users[_].admin\n';
    expect(await valueOf(mod, 'data.t.no_one', { input: { xs: [2, 3] } })).toBe(true);
    expect(await valueOf(mod, 'data.t.no_one', { input: { xs: [2, 1] } })).toBeUndefined();
    expect(await valueOf(mod, 'data.t.no_admin', { input: { users: [{ admin: false }, {}] } })).toBe(true);
    expect(await valueOf(mod, 'data.t.no_admin', { input: { users: [{}, { admin: true }] } })).toBeUndefined();
    expect(await evalQuery('package a\np := 1\n', 'k := input.k; not data.a[k]', { input: { k: 'p' } })).toEqual([]);
    expect(await evalQuery('package a\np := 1\n', 'k := input.k; not data.a[k]', { input: { k: 'z' } })).toEqual([{}]);
  });

  it('every over an undefined domain is undefined; over an empty one it holds', async () => {
    const mod = 'package t\np if every x in input.xs { x > 0 }\n';
    expect(await valueOf(mod, 'data.t.p', { input: {} })).toBeUndefined();
    expect(await valueOf(mod, 'data.t.p', { input: { xs: [] } })).toBe(true);
  });

  it('membership with in (member_2 and member_3)', async () => {
    expect(await evalQuery([], '2 in [1, 2]; 0, "a" in ["a"]; x := ("k", 1 in {"k": 1})', { })).toEqual([{}]);
    expect(await evalQuery([], '3 in [1, 2]')).toEqual([]);
    expect(await evalQuery([], 'x := 3 in [1, 2]', {})).toEqual([{}]);
  });

  it('with replaces input, data, functions and builtins for one expression', async () => {
    const mod = `package t
allow if input.user == "alice"
limit := data.cfg.limit
f(x) := x + 1
g(x) := x * 10
uses_f := f(1)
now := time.now_ns()
checks := [a, b, c, d] if {
  a := allow with input as {"user": "alice"}
  b := limit with data.cfg.limit as 5
  c := uses_f with f as g
  d := now with time.now_ns as 7
}
`;
    expect(await valueOf(mod, 'data.t.checks', { input: { user: 'bob' }, data: { cfg: { limit: 1 } } })).toEqual([true, 5, 10, 7]);
    expect(await valueOf(mod, 'data.t.allow', { input: { user: 'bob' } })).toBeUndefined();
  });

  it('with on a virtual document replaces the rule value', async () => {
    const mod = 'package t\nq := 1\np := q + 1\nr := x if x := p with data.t.q as 10\n';
    expect(await valueOf(mod, 'data.t.r')).toBe(11);
    expect(await valueOf(mod, 'data.t.p')).toBe(2);
  });

  it('template strings interpolate values and mark undefined ones', async () => {
    const mod = 'package t\nname := "w"\np := $"hi {name}, {input.missing} {1 + 1}"\n';
    expect(await valueOf(mod, 'data.t.p', { input: {} })).toBe('hi w, <undefined> 2');
  });

  it('rego.metadata.rule() folds the rule annotations into a constant', async () => {
    const mod = 'package t\n\n# METADATA\n# title: My rule\np := rego.metadata.rule()\n';
    expect(await valueOf(mod, 'data.t.p')).toEqual({ title: 'My rule', scope: 'rule' });
  });
});
