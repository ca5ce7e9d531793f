/**
 * `warden` command line. One command (or command group) per file in this folder;
 * each exports `register(program)`.
 */
import { Command } from 'commander';
import { WardenError } from '../errors.ts';

const program = new Command('warden')
  .description('Agent-aware security gateway for MCP and A2A')
  .version('0.1.0')
  .showHelpAfterError();

// Each command file registers itself; keep this list sorted.
const commandModules = [
  './audit.ts',
  './config.ts',
  './pii.ts',
  './rego.ts',
  './replay.ts',
  './serve.ts',
  './token.ts',
];

for (const file of commandModules) {
  const mod = (await import(file)) as { register: (p: Command) => void | Promise<void> };
  await mod.register(program);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof WardenError) {
    process.stderr.write(`error ${err.code}: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
