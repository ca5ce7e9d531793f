/**
 * Compiled constant regex/glob patterns are kept in an arena below heap_base
 * across evaluations (the SDK resets the heap each time): results must stay
 * right evaluation after evaluation, next to dynamic patterns, across setData,
 * and when the arena fills up.
 */
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { jsBuiltins } from '../../../../src/compiler/builtins/index.ts';
import { compileWasm } from '../../../../src/compiler/index.ts';
import { warmUp } from '../plan/evaluate.ts';

beforeAll(warmUp, 180_000);

async function policyOf(source: string, entrypoint: string) {
  const { wasm } = await compileWasm({ modules: [{ file: 'p.rego', source }], entrypoints: [entrypoint] });
  const p = await loadPolicy(wasm, undefined, jsBuiltins({ strict: false, taggedSets: true }));
  return (input: unknown) => (p.evaluate(input) as { result: unknown }[])[0]?.result;
}

describe('constant pattern cache', () => {
  it('answers right on every evaluation, next to dynamic patterns and data reloads', async () => {
    const source = `package p
import rego.v1
r := {
  "tool": regex.match("^[a-z]+\\\\.(read|list)$", input.tool),
  "glob": glob.match("files.*.read", ["."], input.tool),
  "dyn": regex.match(input.pat, input.tool),
  "split": regex.split("[.]", input.tool),
  "data": data.k,
}`;
    const { wasm } = await compileWasm({ modules: [{ file: 'p.rego', source }], entrypoints: ['p/r'] });
    const p = await loadPolicy(wasm, undefined, jsBuiltins({ strict: false, taggedSets: true }));
    const cases = [
      { tool: 'files.read', pat: 'read$', want: { tool: true, glob: false, dyn: true, split: ['files', 'read'] } },
      { tool: 'files.docs.read', pat: '^x', want: { tool: false, glob: true, dyn: false, split: ['files', 'docs', 'read'] } },
      { tool: 'github.list', pat: 'hub', want: { tool: true, glob: false, dyn: true, split: ['github', 'list'] } },
    ];
    for (let round = 0; round < 30; round++) {
      if (round % 10 === 0) p.setData({ k: `v${round}` });
      for (const c of cases) {
        const got = (p.evaluate({ tool: c.tool, pat: c.pat }) as { result: unknown }[])[0]?.result;
        expect(got).toEqual({ ...c.want, data: `v${round - (round % 10)}` });
      }
    }
  });

  it('stays right when the patterns outgrow the arena', async () => {
    // 40 small patterns (more than the permanent table holds) and large ones (more than the arena holds).
    const small = Array.from({ length: 40 }, (_, i) => `regex.match("^p${i}[0-9]+$", input.s)`);
    const large = Array.from({ length: 6 }, (_, i) => `regex.match("^q${i}[a-z]{900}$", input.s)`);
    const source = `package p\nimport rego.v1\nr := [${[...small, ...large].join(', ')}]\n`;
    const run = await policyOf(source, 'p/r');
    for (let round = 0; round < 3; round++) {
      const cases: [string, number[]][] = [['p7123', [7]], ['p390', [3, 39]], [`q5${'z'.repeat(900)}`, [45]], [`q5${'z'.repeat(899)}`, []], ['none', []]];
      for (const [s, hits] of cases) {
        const want = Array.from({ length: 46 }, (_, i) => hits.includes(i));
        expect(run({ s })).toEqual(want);
      }
    }
  });
});
