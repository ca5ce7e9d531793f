/**
 * `warden rego build <files|dir…> -e <entrypoint>… -o <out.wasm|bundle.tar.gz>`:
 * compile Rego to an OPA-ABI Wasm module, or a bundle when the name ends in .tar.gz.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { compileBundle, compileWasm, RegoError, RegoErrors } from '../../compiler/index.ts';
import { readSources } from '../../compiler/bundle.ts';

export function register(rego: Command): void {
  rego
    .command('build <paths...>')
    .description('Compile Rego files/directories to OPA Wasm (policy.wasm) or an OPA bundle (.tar.gz)')
    .requiredOption('-e, --entrypoint <path>', 'entrypoint such as warden/decision (repeatable)', collect, [] as string[])
    .option('-o, --output <file>', 'output file (.wasm, or .tar.gz for a bundle)', 'policy.wasm')
    .action(async (paths: string[], o: { entrypoint: string[]; output: string }) => {
      const t0 = performance.now();
      try {
        const { modules, data } = await readSources(paths);
        let bytes: Uint8Array;
        let entrypoints = o.entrypoint;
        if (o.output.endsWith('.tar.gz') || o.output.endsWith('.tgz')) {
          bytes = await compileBundle({ modules, entrypoints: o.entrypoint, data });
        } else {
          const r = await compileWasm({ modules, entrypoints: o.entrypoint });
          bytes = r.wasm;
          entrypoints = r.entrypoints;
        }
        await writeFile(o.output, bytes);
        const ms = Math.round(performance.now() - t0);
        process.stdout.write(`built ${o.output}: ${modules.length} module(s), entrypoints ${entrypoints.join(', ')}, ${bytes.length} bytes, ${ms} ms\n`);
      } catch (err) {
        reportCompileError(err);
      }
    });
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/** Print compile errors as `file:row:col: code: message` (other errors as `error: …`) and fail the command. */
export function reportCompileError(err: unknown): void {
  if (err instanceof RegoError || err instanceof RegoErrors) {
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
    return;
  }
  // Unreadable files, bad JSON input, evaluation errors from the Wasm module (thrown as strings or objects).
  const message = err instanceof Error ? err.message : typeof err === 'string' ? err : JSON.stringify(err);
  process.stderr.write(`error: ${message}\n`);
  process.exitCode = 1;
}
