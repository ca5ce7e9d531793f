/** Test helper: compile Rego with warden's compiler and evaluate it through the real opa-wasm SDK. */
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { compileWasm } from '../../../../src/compiler/index.ts';
import { jsBuiltins } from '../../../../src/compiler/builtins/js/index.ts';

export interface EvalOptions {
  input?: unknown;
  data?: unknown;
}

/** Evaluate `query` against `modules`; returns the result rows (one object per solution). */
export async function evalQuery(modules: string | string[], query: string, opts: EvalOptions = {}): Promise<Record<string, unknown>[]> {
  const list = (Array.isArray(modules) ? modules : [modules]).map((source, i) => ({ file: `m${i}.rego`, source }));
  const { wasm } = await compileWasm({ modules: list, query });
  const policy = await loadPolicy(wasm, undefined, jsBuiltins({ strict: false, taggedSets: true }));
  policy.setData(opts.data ?? {});
  return policy.evaluate(opts.input) as Record<string, unknown>[];
}

/** The value bound to `x` by `<ref> = x`, or undefined when the query has no solution. */
export async function valueOf(modules: string | string[], ref: string, opts: EvalOptions = {}): Promise<unknown> {
  const rows = await evalQuery(modules, `${ref} = x`, opts);
  if (rows.length > 1) throw new Error(`more than one solution: ${JSON.stringify(rows)}`);
  return rows[0]?.['x'];
}

/**
 * Compile once before the tests: the first compile may rebuild the Wasm runtime
 * (build/opa-runtime.wasm) when its sources changed, which takes far longer than a test.
 */
export async function warmUp(): Promise<void> {
  await compileWasm({ modules: [{ file: 'w.rego', source: 'package w\np := 1\n' }], entrypoints: ['w/p'] });
}
