import { readFileSync } from 'node:fs';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileWasm, inputReads, parseModule, projectInput } from '../../../../src/compiler/index.ts';
import { jsBuiltins } from '../../../../src/compiler/builtins/index.ts';

const mod = (source: string, pkg = 'p') => parseModule(`package ${pkg}\nimport rego.v1\n${source}`, `${pkg}.rego`);
const readsWith = (data: unknown, ...sources: string[]) => inputReads(sources.map((s, i) => mod(s, i === 0 ? 'p' : `q${i}`)), undefined, data);

describe('inputReads with the data document: bodies that cannot succeed read nothing', () => {
  it('leaves out a body guarded by a data path that data does not hold, and its head', () => {
    const src = 'deny contains input.who if { max := data.config.max; input.history.n >= max }\nb if input.tool';
    expect(readsWith({}, src)).toEqual({ tool: true });
    expect(readsWith({ config: { other: 1 } }, src)).toEqual({ tool: true });
    expect(readsWith({ config: 5 }, src)).toEqual({ tool: true });
    // Held (even as null or false): the body may succeed, so its reads count.
    expect(readsWith({ config: { max: 3 } }, src)).toEqual({ who: true, history: { n: true }, tool: true });
    expect(readsWith({ config: { max: null } }, src)).toEqual({ who: true, history: { n: true }, tool: true });
    // No data given: nothing is known, nothing is left out.
    expect(inputReads([mod(src)])).toEqual({ who: true, history: { n: true }, tool: true });
  });

  it('sees guards as operands of calls at any depth, as plain terms and as `some … in` domains', () => {
    expect(readsWith({}, 'a if { count(data.x.list) > 0; input.a }')).toEqual({});
    expect(readsWith({}, 'a if { data.x.flag; input.a }')).toEqual({});
    expect(readsWith({}, 'a if { some v in data.x.list; v == input.a }')).toEqual({});
  });

  it('keeps what a guard does not make impossible', () => {
    // Negated: true when the path is missing.
    expect(readsWith({}, 'a if { not data.x.flag; input.a }')).toEqual({ a: true });
    // Inside a comprehension: the comprehension is just empty.
    expect(readsWith({}, 'a if { c := [1 | data.x.flag]; input.a }')).toEqual({ a: true });
    // Replaced by `with` on the expression.
    expect(readsWith({}, 'a if { data.x.flag with data.x.flag as true; input.a }')).toEqual({ a: true });
    // A path with a variable segment.
    expect(readsWith({}, 'a if { some k; data.x[k]; input.a }')).toEqual({ a: true });
    // The else branch runs when the body fails.
    expect(readsWith({}, 'a := 1 if { data.x.flag; input.a } else := 2 if { input.b }')).toEqual({ b: true });
  });

  it('never treats a path a rule may define as missing', () => {
    // data.q1.limit is a rule of package q1.
    expect(readsWith({}, 'a if { data.q1.limit; input.a }', 'limit := 3')).toEqual({ a: true });
    // data.p.* is this package's own rules.
    expect(readsWith({}, 'a if { data.p.b; input.a }\nb := 1')).toEqual({ a: true });
  });

  it('turns off where a `with` replaces data anywhere', () => {
    const src = 'a if { data.x.flag; input.a }\nb if a with data.x.flag as true';
    expect(readsWith({}, src)).toEqual({ a: true });
  });
});

describe('the default policy decides the same on the input projected with its data', () => {
  it('for generated inputs and data documents (fast-check), evaluated by opa-wasm', async () => {
    const source = readFileSync('rego/warden/decision.rego', 'utf8');
    const modules = [{ file: 'decision.rego', source }];
    const { wasm } = await compileWasm({ modules, entrypoints: ['warden/decision'] });
    const parsed = [parseModule(source, 'decision.rego')];
    // With no data, the call history is not read (the per-tool ceiling is off); with the ceiling, it is.
    expect(inputReads(parsed, undefined, {})).not.toHaveProperty('history');
    expect(inputReads(parsed, undefined, { config: { max_calls_per_tool: 2 } })).toHaveProperty('history');
    const policy = await loadPolicy(wasm, undefined, jsBuiltins({ strict: false, taggedSets: true }));
    const name = fc.constantFrom('echo', 'get_customer', 'delete_records');
    const arbData = fc.record({ config: fc.record({ max_calls_per_tool: fc.nat(4), max_token_age_s: fc.nat(9000) }, { requiredKeys: [] }) }, { requiredKeys: [] });
    const arbInput = fc.record(
      {
        version: fc.constant(1),
        agent: fc.record({ id: fc.constantFrom('demo', 'bot'), kind: fc.constant('oidc'), manifest: fc.record({ tools: fc.array(name, { maxLength: 3 }), upstreams: fc.array(fc.constantFrom('demo', '*'), { maxLength: 2 }) }, { requiredKeys: [] }) }, { requiredKeys: ['id'] }),
        user: fc.record({ sub: fc.string({ maxLength: 3 }) }),
        task: fc.record({ id: fc.constant('t1'), tools: fc.array(fc.record({ name }), { maxLength: 2 }), expires_at: fc.nat() }),
        tool: fc.record({ name, upstream: fc.constantFrom('demo', 'other'), upstream_name: name, annotations: fc.record({ destructiveHint: fc.boolean() }, { requiredKeys: [] }) }),
        token: fc.record({ age_s: fc.nat(8000), scopes: fc.array(fc.string(), { maxLength: 2 }) }),
        history: fc.record({ window_s: fc.constant(3600), total: fc.nat(), tools: fc.dictionary(name, fc.nat(6)) }),
      },
      { requiredKeys: ['version', 'history'] },
    );
    let historyLeftOut = 0;
    fc.assert(
      fc.property(arbData, arbInput, (data, input) => {
        const reads = inputReads(parsed, undefined, data);
        if (reads !== 'all' && !('history' in reads)) historyLeftOut++;
        policy.setData(data);
        expect(policy.evaluate(projectInput(input, reads))).toEqual(policy.evaluate(input));
      }),
      { numRuns: 400 },
    );
    // Both kinds of data document were generated.
    expect(historyLeftOut).toBeGreaterThan(0);
    expect(historyLeftOut).toBeLessThan(400);
  });
});
