import { beforeAll, describe, expect, it } from 'vitest';
import { valueOf, evalQuery, warmUp } from './evaluate.ts';

beforeAll(warmUp, 180_000);

describe('planner: rules (end to end through opa-wasm)', () => {
  it('complete rules with default and else chains', async () => {
    const mod = `package t
default level := "none"
level := "high" if input.n > 10 else := "mid" if input.n > 5 else := "low" if input.n > 0
`;
    expect(await valueOf(mod, 'data.t.level', { input: { n: 20 } })).toBe('high');
    expect(await valueOf(mod, 'data.t.level', { input: { n: 7 } })).toBe('mid');
    expect(await valueOf(mod, 'data.t.level', { input: { n: 1 } })).toBe('low');
    expect(await valueOf(mod, 'data.t.level', { input: { n: -1 } })).toBe('none');
  });

  it('an else without a value yields true', async () => {
    const mod = 'package t\np := false if { false } else if { true } else := false\n';
    expect(await valueOf(mod, 'data.t.p')).toBe(true);
  });

  it('partial sets and partial objects collect every solution', async () => {
    const mod = `package t
names contains u.name if some u in input.users
by_id[u.id] := u.name if some u in input.users
`;
    const input = { users: [{ id: 'a', name: 'Ann' }, { id: 'b', name: 'Bo' }, { id: 'c', name: 'Ann' }] };
    expect(await valueOf(mod, 'data.t.names', { input })).toEqual(['Ann', 'Bo']);
    expect(await valueOf(mod, 'data.t.by_id', { input })).toEqual({ a: 'Ann', b: 'Bo', c: 'Ann' });
  });

  it('functions with several definitions, pattern arguments and defaults', async () => {
    const mod = `package t
default kind(_) := "other"
kind(x) := "small" if { is_number(x); x < 10 }
kind(x) := "big" if { is_number(x); x >= 10 }
first([a, _]) := a
r := [kind(3), kind(30), kind("s"), first([7, 8])]
`;
    expect(await valueOf(mod, 'data.t.r')).toEqual(['small', 'big', 'other', 7]);
  });

  it('a complete rule with two different values is a conflict error at evaluation', async () => {
    const mod = 'package t\np := 1 if true\np := 2 if true\n';
    await expect(evalQuery(mod, 'data.t.p = x')).rejects.toBeDefined();
  });

  it('ref-head rules build nested objects and merge with sibling rules', async () => {
    const mod = `package t
p.q.r := 1
p.q[s] := 2 if s := "s"
a.b[x].c := x if some x in ["u", "v"]
`;
    expect(await valueOf(mod, 'data.t.p')).toEqual({ q: { r: 1, s: 2 } });
    expect(await valueOf(mod, 'data.t.a')).toEqual({ b: { u: { c: 'u' }, v: { c: 'v' } } });
  });

  it('multi-value rules with variable ref heads collect sets per key', async () => {
    const mod = `package t
by_team[u.team] contains u.name if some u in input.users
`;
    const input = { users: [{ team: 'a', name: 'x' }, { team: 'b', name: 'y' }, { team: 'a', name: 'z' }] };
    expect(await valueOf(mod, 'data.t.by_team', { input })).toEqual({ a: ['x', 'z'], b: ['y'] });
  });

  it('virtual documents merge with base data, and empty packages are {}', async () => {
    const mods = ['package x.y\nv := 1\n', 'package x.empty\n'];
    const data = { x: { base: true, y: { w: 2 } } };
    expect(await valueOf(mods, 'data.x', { data })).toEqual({ base: true, empty: {}, y: { v: 1, w: 2 } });
    const keys = await evalQuery(mods, 'data.x[k]', { data });
    expect(keys.map((r) => r['k']).sort()).toEqual(['base', 'empty', 'y']);
  });

  it('recursion through a rule is a compile error, not a hang', async () => {
    await expect(valueOf('package t\np := q\nq := p\n', 'data.t.p')).rejects.toThrow(/rego_recursion_error/);
  });
});
