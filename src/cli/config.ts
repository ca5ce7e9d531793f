/** `warden config check <file>`: validate a configuration file without starting anything. */
import type { Command } from 'commander';
import { loadConfigFile } from '../config/load.ts';

export function register(program: Command): void {
  const config = program.command('config').description('Work with configuration files');
  config
    .command('check <file>')
    .description('Validate a YAML configuration file and report every problem with its path')
    .action(async (file: string) => {
      const cfg = await loadConfigFile(file);
      process.stdout.write(`${file}: valid (${cfg.upstreams.length} upstream${cfg.upstreams.length === 1 ? '' : 's'}: ${cfg.upstreams.map((u) => u.name).join(', ')})\n`);
    });
}
