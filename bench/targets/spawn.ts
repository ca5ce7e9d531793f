/** Starting benchmark targets as child processes and waiting until they serve. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface RunningTarget {
  name: string;
  url: string;
  proc: ChildProcess;
  pid: number;
  headers: Record<string, string>;
  stop(): Promise<void>;
}

/** Spawns `node --import tsx <script> <args>` and waits for its "listening <port>" line. */
export async function spawnScript(name: string, script: string, args: string[], path = '/mcp'): Promise<RunningTarget> {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    proc.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      const m = /listening (\d+)/.exec(buf);
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (code) => reject(new Error(`${name} exited with ${code} before listening`)));
  });
  return target(name, `http://127.0.0.1:${port}${path}`, proc, {});
}

export function target(name: string, url: string, proc: ChildProcess, headers: Record<string, string>): RunningTarget {
  return {
    name,
    url,
    proc,
    pid: proc.pid!,
    headers,
    async stop() {
      if (proc.exitCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await once(proc, 'exit');
      clearTimeout(timer);
    },
  };
}

/** Polls `url` with an MCP initialize until it answers 200 (or times out). */
export async function waitForMcp(url: string, headers: Record<string, string>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'probe', version: '1' } } }),
      });
      last = `${res.status} ${await res.text()}`;
      if (res.ok) return;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not become ready: ${last}`);
}
