import { readFileSync } from 'node:fs';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileWasm, inputReads, parseModule, parseQuery, projectInput } from '../../../../src/compiler/index.ts';
import { jsBuiltins } from '../../../../src/compiler/builtins/index.ts';

const reads = (source: string) => inputReads([parseModule(`package p\nimport rego.v1\n${source}`, 'p.rego')]);

describe('inputReads: what a policy can read of input', () => {
  it('collects the constant paths of input refs, merging prefixes', () => {
    expect(reads('a if input.agent.id == "x"\nb if input.agent.manifest.tools[_] == "y"\nc if input.tool')).toEqual({
      agent: { id: true, manifest: { tools: true } },
      tool: true,
    });
    expect(reads('a if input.agent.id\nb if input.agent')).toEqual({ agent: true });
    expect(reads('a if input.agent\nb if input.agent.id')).toEqual({ agent: true });
  });

  it('stops a path at the first non-constant segment', () => {
    expect(reads('a if { some t; input.history.tools[t] > 1 }\nb if input.items[0].x')).toEqual({ history: { tools: true }, items: true });
    expect(reads('a if input["odd key"].x')).toEqual({ 'odd key': { x: true } });
  });

  it('follows input wherever a term can be: heads, functions, comprehensions, every, with values', () => {
    const r = reads(`
f(x) := y if y := input.fn_arg
v := input.head_value
s contains x if some x in input.coll
c := [x | x := input.comp[_]]
e if every x in input.every_dom { x > input.every_body }
w := r if r := data.p.v with data.q as input.with_value
k := input.obj_key[input.key_seg]
`);
    expect(Object.keys(r as object).sort()).toEqual(['coll', 'comp', 'every_body', 'every_dom', 'fn_arg', 'head_value', 'key_seg', 'obj_key', 'with_value']);
  });

  it('counts what a query reads beside the modules', () => {
    const m = [parseModule('package p\nimport rego.v1\na if input.x', 'p.rego')];
    expect(inputReads(m, parseQuery('data.p.a; input.y.z == 1'))).toEqual({ x: true, y: { z: true } });
    expect(inputReads(m, parseQuery('x := input'))).toBe('all');
  });

  it('gives up (reads all) where it cannot bound the reads', () => {
    expect(reads('a := input')).toBe('all');
    expect(reads('a if f(input)\nf(x) if x.y')).toBe('all');
    expect(reads('a if { some k; input[k] }')).toBe('all');
    expect(reads('a if data.p.b with input.x as 1\nb if input.y')).toBe('all');
    expect(reads('a if walk(input, [p, v])')).toBe('all');
    expect(inputReads([parseModule('package p\nimport input.agent as ag\na if ag.id', 'p.rego')])).toBe('all');
    expect(inputReads([parseModule('package p\nimport input\na if input.x', 'p.rego')])).toBe('all');
  });

  it('projectInput keeps only what is read, by reference, and keeps odd keys as own properties', () => {
    const manifest = { tools: ['*'], secret: 'x' };
    const full = { agent: { id: 'a', manifest, extra: 1 }, arguments: { text: 'big' }, tool: { name: 't' } };
    Object.defineProperty(full, '__proto__', { value: { p: 1 }, enumerable: true });
    const tree = JSON.parse('{"agent":{"id":true,"manifest":{"tools":true}},"tool":true,"__proto__":true}');
    const out = projectInput(full, tree) as Record<string, any>;
    expect(JSON.parse(JSON.stringify(out))).toEqual({ agent: { id: 'a', manifest: { tools: ['*'] } }, tool: { name: 't' }, ['__proto__']: { p: 1 } });
    expect(out.tool).toBe(full.tool);
    expect(projectInput(full, 'all')).toBe(full);
    // A partly read path on a non-object keeps the value as it is.
    expect(projectInput({ agent: ['x'], n: 3 }, { agent: { id: true }, n: { x: true } })).toEqual({ agent: ['x'], n: 3 });
  });
});

describe('the default policy decides the same on the projected input', () => {
  it('for generated inputs (fast-check), evaluated by opa-wasm', async () => {
    const source = readFileSync('rego/warden/decision.rego', 'utf8');
    const { wasm, inputReads: r } = await compileWasm({ modules: [{ file: 'decision.rego', source }], entrypoints: ['warden/decision'] });
    expect(r).not.toBe('all');
    expect(r).not.toHaveProperty('arguments');
    const policy = await loadPolicy(wasm, undefined, jsBuiltins({ strict: false, taggedSets: true }));
    const name = fc.constantFrom('echo', 'get_customer', 'delete_records', 'x*');
    const arbInput = fc.record(
      {
        version: fc.constant(1),
        agent: fc.record({ id: fc.constantFrom('demo', 'bot'), kind: fc.constant('oidc'), manifest: fc.record({ tools: fc.array(name, { maxLength: 3 }), upstreams: fc.array(fc.constantFrom('demo', '*'), { maxLength: 2 }), note: fc.string() }, { requiredKeys: [] }) }, { requiredKeys: ['id'] }),
        user: fc.record({ sub: fc.string({ maxLength: 3 }) }),
        task: fc.record({ id: fc.constant('t1'), tools: fc.array(fc.record({ name }), { maxLength: 2 }), expires_at: fc.nat() }),
        tool: fc.record({ name, upstream: fc.constantFrom('demo', 'other'), upstream_name: name, annotations: fc.record({ destructiveHint: fc.boolean() }, { requiredKeys: [] }) }),
        arguments: fc.jsonValue(),
        request: fc.record({ protocol: fc.constant('mcp'), method: fc.constant('tools/call'), transport: fc.constant('streamable-http'), ip: fc.constant('127.0.0.1'), time: fc.constant('2026-01-01T00:00:00.000Z') }),
        token: fc.record({ age_s: fc.nat(8000), scopes: fc.array(fc.string(), { maxLength: 2 }) }),
        history: fc.record({ window_s: fc.constant(3600), total: fc.nat(), tools: fc.dictionary(name, fc.nat(10)) }),
      },
      { requiredKeys: ['version', 'request', 'history'] },
    );
    for (const data of [{}, { config: { max_calls_per_tool: 3, max_token_age_s: 600 } }]) {
      policy.setData(data);
      fc.assert(
        fc.property(arbInput, (input) => {
          expect(policy.evaluate(projectInput(input, r))).toEqual(policy.evaluate(input));
        }),
        { numRuns: 300 },
      );
    }
  });
});
