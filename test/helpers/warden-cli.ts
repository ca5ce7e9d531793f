/** `warden` (bin/warden.mjs) as a child process, its output collected, for the CLI-level tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const WARDEN_BIN = fileURLToPath(new URL('../../bin/warden.mjs', import.meta.url));

export interface WardenProcess {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

/** Starts `warden <args>` in `cwd` (NODE_ENV=production plus `env`); every child is kept in `children` for clean-up. */
export function spawnWarden(args: string[], opts: { cwd: string; env?: Record<string, string>; children: ChildProcess[] }): WardenProcess {
  const child = spawn(process.execPath, [WARDEN_BIN, ...args], { cwd: opts.cwd, env: { ...process.env, NODE_ENV: 'production', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  opts.children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}
