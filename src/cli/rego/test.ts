/**
 * `warden rego test <dir>…`: run every `test_*` rule of the Rego files (policies
 * and their *_test.rego) through warden's compiler and opa-wasm, reporting like
 * `opa test`. Exits non-zero when a test fails or errors.
 */
import { createRequire } from 'node:module';
import type { Command } from 'commander';
import { compileWasm, parseModule } from '../../compiler/index.ts';
import { readSources } from '../../compiler/bundle.ts';
import { jsBuiltins } from '../../compiler/builtins/js/index.ts';
import { reportCompileError } from './build.ts';

const require = createRequire(import.meta.url);
const { loadPolicy } = require('@open-policy-agent/opa-wasm') as typeof import('@open-policy-agent/opa-wasm');

interface TestResult {
  name: string;
  status: 'PASS' | 'FAIL' | 'ERROR';
  ms: number;
  detail?: string;
}

export function register(rego: Command): void {
  rego
    .command('test <paths...>')
    .description('Run Rego unit tests (test_* rules) like opa test')
    .option('-v, --verbose', 'list every test')
    .option('-r, --run <regex>', 'only tests whose name matches')
    .action(async (paths: string[], o: { verbose?: boolean; run?: string }) => {
      try {
        const { modules, data } = await readSources(paths, { tests: true });
        const filter = o.run === undefined ? undefined : new RegExp(o.run);
        const tests: string[] = [];
        for (const m of modules) {
          const mod = parseModule(m.source, m.file);
          for (const r of mod.rules) {
            const head = r.head.ref[0];
            if (r.head.ref.length !== 1 || r.head.args || head?.type !== 'var' || !head.value.startsWith('test_')) continue;
            const path = [...mod.package, head.value];
            const name = `data.${path.join('.')}`;
            if (!tests.includes(path.join('/')) && (!filter || filter.test(name))) tests.push(path.join('/'));
          }
        }
        if (tests.length === 0) {
          process.stdout.write('no tests found\n');
          process.exitCode = 1;
          return;
        }
        const { wasm, entrypoints } = await compileWasm({ modules, entrypoints: tests });
        const builtins = jsBuiltins({ strict: false, taggedSets: true });
        const policy = await loadPolicy(wasm, undefined, builtins);
        policy.setData(data);
        const results: TestResult[] = entrypoints.map((ep) => {
          const name = `data.${ep.split('/').join('.')}`;
          const t0 = performance.now();
          try {
            const rows = policy.evaluate(undefined, ep) as { result?: unknown }[];
            const ok = rows.length > 0 && rows.every((r) => r.result !== false);
            return { name, status: ok ? 'PASS' : 'FAIL', ms: performance.now() - t0 };
          } catch (err) {
            return { name, status: 'ERROR', ms: performance.now() - t0, detail: err instanceof Error ? err.message : String(err) };
          }
        });
        printReport(results, o.verbose === true);
        if (results.some((r) => r.status !== 'PASS')) process.exitCode = 2;
      } catch (err) {
        reportCompileError(err);
      }
    });
}

function printReport(results: TestResult[], verbose: boolean): void {
  const out = process.stdout;
  for (const r of results) {
    if (verbose || r.status !== 'PASS') {
      out.write(`${r.name}: ${r.status} (${fmtMs(r.ms)})${r.detail ? `\n  ${r.detail}` : ''}\n`);
    }
  }
  out.write(`${'-'.repeat(80)}\n`);
  const n = results.length;
  const pass = results.filter((r) => r.status === 'PASS').length;
  const fail = results.filter((r) => r.status === 'FAIL').length;
  const error = results.filter((r) => r.status === 'ERROR').length;
  if (pass) out.write(`PASS: ${pass}/${n}\n`);
  if (fail) out.write(`FAIL: ${fail}/${n}\n`);
  if (error) out.write(`ERROR: ${error}/${n}\n`);
}

function fmtMs(ms: number): string {
  return ms < 1 ? `${Math.round(ms * 1000)}µs` : `${ms.toFixed(1)}ms`;
}
