/**
 * `warden rego …`: the Rego toolchain. One subcommand per file in ./rego/,
 * each exporting `register(rego)`.
 */
import type { Command } from 'commander';

const subcommands = ['./rego/build.ts', './rego/eval.ts', './rego/test.ts', './rego/conformance.ts'];

export async function register(program: Command): Promise<void> {
  const rego = program.command('rego').description('Compile, evaluate and test Rego policies (Rego → OPA Wasm, in-process)');
  for (const file of subcommands) {
    const mod = (await import(file)) as { register: (c: Command) => void };
    mod.register(rego);
  }
}
