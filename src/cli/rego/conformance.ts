/**
 * `warden rego conformance <dir> [--plans] [--filter s] [--json] [--project-input]`: runs OPA's
 * conformance cases through warden's compiler and the opa-wasm SDK. The last
 * line is always `N passed, N failed[, N skipped]`.
 */
import type { Command } from 'commander';
import { WardenError } from '../../errors.ts';
import { loadCases } from '../../compiler/conformance/cases.ts';
import { runCases, summaryLine } from '../../compiler/conformance/runner.ts';

export function register(rego: Command): void {
  rego
    .command('conformance <dir>')
    .description("Run OPA's Rego conformance cases (JSON) against warden's compiler")
    .option('--plans', "compile each case's own IR plan (tests the Wasm backend alone)")
    .option('--filter <substr>', 'only cases whose file#index or note contains this')
    .option('--project-input', 'give each case only the parts of input its policy can read, as the gateway does')
    .option('--json', 'print one JSON object per case instead of failures only')
    .action(async (dir: string, o: { plans?: boolean; filter?: string; json?: boolean; projectInput?: boolean }) => {
      let cases;
      try {
        cases = loadCases(dir);
      } catch (err) {
        throw new WardenError('WARDEN_BAD_REQUEST', `cannot read conformance cases from ${dir}: ${(err as Error).message}`);
      }
      const summary = await runCases(cases, { plans: o.plans === true, filter: o.filter, projectInput: o.projectInput === true }, (r) => {
        if (o.json) process.stdout.write(`${JSON.stringify(r)}\n`);
        else if (r.status === 'fail') process.stdout.write(`${r.id}: ${r.note} — ${r.reason}\n`);
      });
      if (!o.json) {
        for (const r of summary.outcomes) if (r.status === 'skip') process.stdout.write(`skipped ${r.id}: ${r.note} — ${r.reason}\n`);
      }
      process.stdout.write(`${summaryLine(summary)}\n`);
      if (summary.failed > 0) process.exitCode = 1;
    });
}
